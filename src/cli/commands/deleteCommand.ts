import { deleteRepo } from '../../core/cache/cacheDeleter';
import { repoCachePaths } from '../../core/cache/cachePaths';
import { scanRepo } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { parseRepoId } from '../../core/hub/repoId';
import { assertNoDownloadRunning, ModelBeingDownloadedError } from '../../core/snapshot/blobLock';
import { type CliContext } from '../cliContext';
import { CliError } from '../cliError';

/** `delete <repo>`: removes the model, its blobs, partial downloads and locks from the cache. */
export async function deleteCommand(ctx: CliContext, repoArg: string): Promise<number> {
  const { id } = parseRepoId(repoArg);
  if (!(await scanRepo(ctx.cacheRoot, id))) throw new CliError(`${id} is not in the cache at ${ctx.cacheRoot}`);
  await assertNoDownloadRunning(id, repoCachePaths(ctx.cacheRoot, id).locksDir).catch((error: unknown) => {
    throw error instanceof ModelBeingDownloadedError ? new CliError(error.message) : error;
  });
  const { bytesFreed } = await deleteRepo({ root: ctx.cacheRoot, repoId: id });
  ctx.print({ repoId: id, deleted: true, bytesFreed }, `deleted ${id}, freed ${formatBytes(bytesFreed)}`);
  return 0;
}
