import { scanRepo } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { localModelState } from '../../core/snapshot/localModelState';
import { parseRepoId } from '../../core/hub/repoId';
import { type CliContext } from '../cliContext';

/** `info <repo>`: the Hub's view (commit, files mlx_lm needs, size) next to the local state. */
export async function infoCommand(ctx: CliContext, repoArg: string, revision: string): Promise<number> {
  const { id } = parseRepoId(repoArg);
  const info = await ctx.hub.modelInfo(id, { revision, signal: ctx.io.signal });
  const files = (await ctx.hub.listFiles(id, info.sha ?? revision, { signal: ctx.io.signal })).filter((f) => matchesAnyPattern(f.path, MLX_ALLOW_PATTERNS));
  const size = files.reduce((n, f) => n + f.size, 0);
  const local = localModelState(await scanRepo(ctx.cacheRoot, id));
  const updateAvailable = local.state === 'downloaded' && info.sha !== undefined && local.commit !== info.sha;
  ctx.print(
    { repoId: id, revision, commit: info.sha, gated: info.gated, tags: info.tags, downloads: info.downloads, likes: info.likes, files, sizeBytes: size, local, updateAvailable },
    [
      `${id} @ ${revision} (${info.sha ?? 'unknown commit'})`,
      `  gated: ${info.gated || 'no'} · downloads: ${info.downloads ?? '?'} · likes: ${info.likes ?? '?'}`,
      `  ${files.length} files for mlx_lm, ${formatBytes(size)}:`,
      ...files.map((f) => `    ${f.path.padEnd(44)} ${formatBytes(f.size).padStart(9)}${f.lfs ? '  (LFS)' : ''}`),
      `  local: ${local.state}${local.commit ? ` at ${local.commit.slice(0, 8)}` : ''}${updateAvailable ? ' — update available' : ''}`,
    ].join('\n'),
  );
  return 0;
}
