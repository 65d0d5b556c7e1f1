import { type CacheScan } from '../../core/cache/cachedRepo';
import { scanCache } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { localModelState } from '../../core/snapshot/localModelState';
import { type CliContext } from '../cliContext';
import { otherRevisionLabel } from './describeLocalRevision';

/** `scan`: every repo in the cache with its size, revisions, partial downloads and problems. */
export async function scanCommand(ctx: CliContext): Promise<number> {
  const scan = await scanCache(ctx.cacheRoot);
  if (ctx.options.json) {
    ctx.print(withListingCounts(scan), '');
    return 0;
  }
  ctx.print(null, `cache: ${scan.root}`);
  // Shared payloads once (scan.sizeOnDisk), partial downloads on top.
  let total = scan.sizeOnDisk;
  for (const repo of scan.repos) {
    const local = localModelState(repo);
    total += local.partialBytes;
    const other = otherRevisionLabel(local);
    const notes = [...(other ? [`at ${other}`] : []), `${repo.revisions.length} revision(s)`, `${repo.nbFiles} files`];
    if (local.partialBytes) notes.push(`${formatBytes(local.partialBytes)} partial`);
    if (repo.corruption) notes.push(`CORRUPTED: ${repo.corruption}`);
    ctx.print(null, `${repo.repoType.padEnd(7)} ${repo.repoId.padEnd(50)} ${formatBytes(repo.sizeOnDisk).padStart(9)}  ${local.state.padEnd(10)} ${notes.join(', ')}`);
  }
  for (const warning of scan.warnings) ctx.io.stderr(`warning: ${warning}\n`);
  ctx.print(null, `${scan.repos.length} repo(s), ${formatBytes(total)} on disk`);
  return 0;
}

/** The scan as JSON: each tree listing (a Map, thousands of entries in large repos) becomes the number of files it lists. */
function withListingCounts(scan: CacheScan): unknown {
  return {
    ...scan,
    repos: scan.repos.map((repo) => ({
      ...repo,
      revisions: repo.revisions.map(({ treeListing, ...revision }) => ({ ...revision, ...(treeListing ? { treeListingFiles: treeListing.size } : {}) })),
    })),
  };
}
