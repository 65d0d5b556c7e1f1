import { SEED_MODELS } from '../../core/catalog/seedModels';
import { scanCache } from '../../core/cache/cacheScanner';
import { formatBytes } from '../../core/format/formatBytes';
import { type LocalModelState, localModelState } from '../../core/snapshot/localModelState';
import { type CliContext } from '../cliContext';
import { otherRevisionLabel } from './describeLocalRevision';

/** `  at dev` after a row whose snapshot is not main's. */
const revisionNote = (local: LocalModelState) => {
  const other = otherRevisionLabel(local);
  return other ? `  at ${other}` : '';
};

/** `list`: the seed catalog with each model's local state, then other models found in the cache. */
export async function listCommand(ctx: CliContext): Promise<number> {
  const scan = await scanCache(ctx.cacheRoot);
  const cached = new Map(scan.repos.filter((r) => r.repoType === 'model').map((r) => [r.repoId.toLowerCase(), r]));
  for (const model of SEED_MODELS) {
    const local = localModelState(cached.get(model.repoId.toLowerCase()));
    cached.delete(model.repoId.toLowerCase());
    const size = local.state === 'absent' ? `~${formatBytes(model.nominalSizeBytes)}` : formatBytes(local.sizeOnDisk + local.partialBytes);
    ctx.print(
      { ...model, source: 'seed', ...local },
      `${model.repoId.padEnd(50)} ${local.state.padEnd(10)} ${size.padStart(9)}  ${model.group}${model.isDefault ? ' (default)' : ''}${revisionNote(local)}`,
    );
  }
  for (const repo of cached.values()) {
    const local = localModelState(repo);
    ctx.print({ repoId: repo.repoId, source: 'cache', ...local }, `${repo.repoId.padEnd(50)} ${local.state.padEnd(10)} ${formatBytes(local.sizeOnDisk + local.partialBytes).padStart(9)}  other${revisionNote(local)}`);
  }
  return 0;
}
