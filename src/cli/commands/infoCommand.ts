import { scanRepo } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { localModelState } from '../../core/snapshot/localModelState';
import { parseRepoId } from '../../core/hub/repoId';
import { type CliContext } from '../cliContext';
import { describeLocalRevision } from './describeLocalRevision';

/**
 * `info <repo> [--revision <rev>]`: the Hub's view (commit, files mlx_lm needs, size) next to the local
 * state — of that revision when one is given, else of whatever snapshot is downloaded (main first).
 */
export async function infoCommand(ctx: CliContext, repoArg: string, revision: string | undefined): Promise<number> {
  const { id } = parseRepoId(repoArg);
  const hubRevision = revision ?? 'main';
  const info = await ctx.hub.modelInfo(id, { revision: hubRevision, signal: ctx.io.signal });
  const files = (await ctx.hub.listFiles(id, info.sha ?? hubRevision, { signal: ctx.io.signal })).filter((f) => matchesAnyPattern(f.path, MLX_ALLOW_PATTERNS));
  const size = files.reduce((n, f) => n + f.size, 0);
  const local = localModelState(await scanRepo(ctx.cacheRoot, id), revision);
  // Only the same revision can be behind the Hub: a snapshot pinned to another branch or commit is not an old main.
  const sameRevision = revision !== undefined || local.revision === 'main';
  const updateAvailable = local.state === 'downloaded' && sameRevision && info.sha !== undefined && local.commit !== info.sha;
  const missing = local.missing?.map((m) => m.path) ?? [];
  const missingNote = missing.length ? ` — missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}` : '';
  ctx.print(
    { repoId: id, revision: hubRevision, commit: info.sha, gated: info.gated, tags: info.tags, downloads: info.downloads, likes: info.likes, files, sizeBytes: size, local, updateAvailable },
    [
      `${id} @ ${hubRevision} (${info.sha ?? 'unknown commit'})`,
      `  gated: ${info.gated || 'no'} · downloads: ${info.downloads ?? '?'} · likes: ${info.likes ?? '?'}`,
      `  ${files.length} files for mlx_lm, ${formatBytes(size)}:`,
      ...files.map((f) => `    ${f.path.padEnd(44)} ${formatBytes(f.size).padStart(9)}${f.lfs ? '  (LFS)' : ''}`),
      `  local: ${local.state}${describeLocalRevision(local)}${updateAvailable ? ' — update available' : ''}${missingNote}`,
    ].join('\n'),
  );
  return 0;
}
