import { type LocalModelState } from '../../core/snapshot/localModelState';

const isOffMain = (local: LocalModelState) => local.state === 'downloaded' && local.revision !== undefined && local.revision !== 'main';

/**
 * Which revision a downloaded snapshot is when it is not main: `dev`, `refs/pr/1`, or `commit 1a2b3c4d`
 * for a download by commit id (which writes no ref). Undefined at main or when nothing is downloaded,
 * so the usual case reads as before and a pinned download never passes for main.
 */
export function otherRevisionLabel(local: LocalModelState): string | undefined {
  if (!isOffMain(local)) return undefined;
  return local.revision === local.commit ? `commit ${local.commit!.slice(0, 8)}` : local.revision;
}

/** ` at 1a2b3c4d`, or ` at 1a2b3c4d (dev)` off main; empty when nothing is downloaded. */
export function describeLocalRevision(local: LocalModelState): string {
  if (local.state !== 'downloaded' || !local.commit) return '';
  const short = local.commit.slice(0, 8);
  if (!isOffMain(local)) return ` at ${short}`;
  return ` at ${short} (${local.revision === local.commit ? 'by commit id' : local.revision})`;
}
