import { type CachedRepo } from '../../core/cache/cachedRepo';
import { scanRepo } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { OfflineModeError } from '../../core/hub/hubErrors';
import { type ModelInfo } from '../../core/hub/modelInfo';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { type LocalModelState, localModelState } from '../../core/snapshot/localModelState';
import { parseRepoId } from '../../core/hub/repoId';
import { type CliContext } from '../cliContext';
import { describeLocalRevision } from './describeLocalRevision';

/**
 * `info <repo> [--revision <rev>]`: the Hub's view (commit, files mlx_lm needs, size) next to the local
 * state — of that revision when one is given, else of whatever snapshot is downloaded (main first).
 * Offline (`HF_HUB_OFFLINE`), only what the cache knows: its revisions, files and sizes.
 */
export async function infoCommand(ctx: CliContext, repoArg: string, revision: string | undefined): Promise<number> {
  const { id } = parseRepoId(repoArg);
  const hubRevision = revision ?? 'main';
  let info: ModelInfo;
  try {
    info = await ctx.hub.modelInfo(id, { revision: hubRevision, signal: ctx.io.signal });
  } catch (error) {
    const repo = error instanceof OfflineModeError ? await scanRepo(ctx.cacheRoot, id) : undefined;
    if (!repo) throw error;
    printOffline(ctx, repo, revision);
    return 0;
  }
  const files = (await ctx.hub.listFiles(id, info.sha ?? hubRevision, { signal: ctx.io.signal })).filter((f) => matchesAnyPattern(f.path, MLX_ALLOW_PATTERNS));
  const size = files.reduce((n, f) => n + f.size, 0);
  const local = localModelState(await scanRepo(ctx.cacheRoot, id), revision);
  // Only the same revision can be behind the Hub: a snapshot pinned to another branch or commit is not an old main.
  const sameRevision = revision !== undefined || local.revision === 'main';
  const updateAvailable = local.state === 'downloaded' && sameRevision && info.sha !== undefined && local.commit !== info.sha;
  ctx.print(
    { repoId: id, revision: hubRevision, commit: info.sha, gated: info.gated, tags: info.tags, downloads: info.downloads, likes: info.likes, files, sizeBytes: size, local, updateAvailable },
    [
      `${id} @ ${hubRevision} (${info.sha ?? 'unknown commit'})`,
      `  gated: ${info.gated || 'no'} · downloads: ${info.downloads ?? '?'} · likes: ${info.likes ?? '?'}`,
      `  ${files.length} files for mlx_lm, ${formatBytes(size)}:`,
      ...files.map((f) => `    ${f.path.padEnd(44)} ${formatBytes(f.size).padStart(9)}${f.lfs ? '  (LFS)' : ''}`),
      localLine(local, updateAvailable),
    ].join('\n'),
  );
  return 0;
}

function localLine(local: LocalModelState, updateAvailable: boolean): string {
  const missing = local.missing?.map((m) => m.path) ?? [];
  const missingNote = missing.length ? ` — missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}` : '';
  return `  local: ${local.state}${describeLocalRevision(local)}${updateAvailable ? ' — update available' : ''}${missingNote}`;
}

/** Offline: the cached revisions, and the files mlx_lm loads of the one `info` is about, with sizes. */
function printOffline(ctx: CliContext, repo: CachedRepo, revision: string | undefined): void {
  const local = localModelState(repo, revision);
  const shown = repo.revisions.find((r) => r.commit === local.commit);
  const files = (shown?.files ?? []).filter((f) => matchesAnyPattern(f.path, MLX_ALLOW_PATTERNS)).map((f) => ({ path: f.path, size: f.size }));
  const size = files.reduce((n, f) => n + f.size, 0);
  const revisions = repo.revisions.map((r) => ({ commit: r.commit, refs: r.refs, files: r.files.length, sizeOnDisk: r.sizeOnDisk }));
  const note = 'HF_HUB_OFFLINE is set: Hub metadata (latest commit, downloads, gated) is unavailable; showing the local cache';
  ctx.print(
    { repoId: repo.repoId, revision: revision ?? local.revision, offline: true, note, revisions, commit: shown?.commit, files, sizeBytes: size, local, updateAvailable: null },
    [
      `${repo.repoId} (offline)`,
      `  ${note}`,
      `  cached revisions:${revisions.length ? '' : ' none'}`,
      ...revisions.map((r) => `    ${r.commit.slice(0, 8)}${r.refs.length ? ` (${r.refs.join(', ')})` : ''}  ${r.files} files, ${formatBytes(r.sizeOnDisk)}`),
      ...(shown ? [`  ${files.length} files for mlx_lm at ${shown.commit.slice(0, 8)}, ${formatBytes(size)}:`, ...files.map((f) => `    ${f.path.padEnd(44)} ${formatBytes(f.size).padStart(9)}`)] : []),
      localLine(local, false),
    ].join('\n'),
  );
}
