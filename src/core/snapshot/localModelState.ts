import { type CachedRepo } from '../cache/cachedRepo';

/** What the cache says about one model, independent of any download in progress in this process. */
export interface LocalModelState {
  readonly state: 'downloaded' | 'partial' | 'corrupted' | 'absent';
  /** Commit `refs/main` points at, when downloaded. */
  readonly commit?: string;
  readonly sizeOnDisk: number;
  /** Bytes of partial downloads waiting to be resumed. */
  readonly partialBytes: number;
  readonly snapshotPath?: string;
  /** Files in the downloaded snapshot. */
  readonly fileCount?: number;
  readonly reason?: string;
}

/**
 * Downloaded means what mlx_lm needs: `refs/<ref>` points at an existing snapshot (our engine writes the
 * ref only after every file is in place). Files without a ref, or partial blobs, mean a download that can resume.
 */
export function localModelState(repo: CachedRepo | undefined, ref = 'main'): LocalModelState {
  if (!repo) return { state: 'absent', sizeOnDisk: 0, partialBytes: 0 };
  const partialBytes = repo.partials.reduce((n, p) => n + p.bytes, 0);
  const base = { sizeOnDisk: repo.sizeOnDisk, partialBytes };
  if (repo.corruption) return { ...base, state: 'corrupted', reason: repo.corruption };
  const commit = repo.refs[ref];
  const revision = commit ? repo.revisions.find((r) => r.commit === commit) : undefined;
  if (revision) return { ...base, state: 'downloaded', commit, snapshotPath: revision.snapshotPath, fileCount: revision.files.length };
  if (partialBytes > 0 || repo.revisions.length > 0) return { ...base, state: 'partial' };
  return { ...base, state: 'absent' };
}
