import { verifyRepo } from '../../core/cache/cacheVerifier';
import { scanRepo } from '../../core/cache/cacheScanner';
import { parseRepoId } from '../../core/hub/repoId';
import { localModelState } from '../../core/snapshot/localModelState';
import { type CliContext } from '../cliContext';
import { CliError } from '../cliError';
import { otherRevisionLabel } from './describeLocalRevision';

/**
 * `verify <repo> [--revision <rev>]`: re-hashes every file of a downloaded snapshot (sha256 for LFS, git
 * sha1 otherwise), offline. Without a revision, the snapshot `list` calls downloaded (main first).
 */
export async function verifyCommand(ctx: CliContext, repoArg: string, revision?: string): Promise<number> {
  const { id } = parseRepoId(repoArg);
  const local = localModelState(await scanRepo(ctx.cacheRoot, id), revision);
  if (local.state !== 'downloaded') {
    throw new CliError(`${id}${revision ? ` at ${revision}` : ''} is not downloaded (state: ${local.state}) in ${ctx.cacheRoot}`);
  }
  const result = await verifyRepo({ root: ctx.cacheRoot, repoId: id, commit: local.commit, signal: ctx.io.signal });
  for (const file of result.files) {
    ctx.print(file, `${file.status === 'ok' ? 'ok      ' : file.status.toUpperCase().padEnd(8)} ${file.path}`);
  }
  const bad = result.files.filter((f) => f.status !== 'ok');
  const other = otherRevisionLabel(local);
  const at = other ? ` at ${other}` : '';
  ctx.print(
    { repoId: id, revision: local.revision, commit: result.commit, ok: result.ok, files: result.files.length, problems: bad.length },
    result.ok ? `${id}${at}: all ${result.files.length} files verified` : `${id}${at}: ${bad.length} of ${result.files.length} files failed verification — download the model again`,
  );
  return result.ok ? 0 : 1;
}
