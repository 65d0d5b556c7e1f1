/** The CLI's help text; each command joins here as it is built. */
export const USAGE = `mlx-models — manage local MLX models from the command line (same core as the VS Code extension)

Usage:
  node dist/cli.js <command> [options]

Commands:
  list                 The seed models (more commands arrive with the download engine)

Options:
  --json               Machine-readable output (JSON lines)
  -h, --help           Show this help
  -v, --version        Show the version
`;
