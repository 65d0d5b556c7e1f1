/**
 * Whether MLX's Metal build can run here: macOS on Apple Silicon. (An x64 Node under Rosetta reports
 * `x64` and is treated as unsupported; the user can still force the setup.)
 */
export function isMlxPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): boolean {
  return platform === 'darwin' && arch === 'arm64';
}
