import { type CachedRepo, type CachedRevision } from '../cache/cachedRepo';
import { snapshotLooksComplete } from './snapshotLooksComplete';

/** What the cache says about one model, independent of any download in progress in this process. */
export interface LocalModelState {
  readonly state: 'downloaded' | 'partial' | 'corrupted' | 'absent';
  /** Commit of the downloaded snapshot. */
  readonly commit?: string;
  /**
   * When downloaded: the ref that names the snapshot (`main`, `dev`, `refs/pr/1`), or its commit when
   * no ref does (a download by commit id, which writes no ref).
   */
  readonly revision?: string;
  readonly sizeOnDisk: number;
  /** Bytes of partial downloads waiting to be resumed. */
  readonly partialBytes: number;
  readonly snapshotPath?: string;
  /** Files in the downloaded snapshot. */
  readonly fileCount?: number;
  readonly reason?: string;
}

const COMMIT_ID = /^[0-9a-f]{40}$/i;

/**
 * The model's state in the cache, at `revision` when one is asked for, else at whatever snapshot is
 * usable (`main` first).
 *
 * A snapshot is downloaded when a ref points at it (our engine writes the ref only after every file is
 * in place), or, with no ref (a download by commit id writes none, like huggingface_hub), when no
 * partial file is waiting and it holds config and every weight shard. Anything else in the cache is a
 * download that can resume.
 *
 * @param revision a branch or tag (read from `refs/<revision>`; `refs/pr/1` lives in `refs/refs/pr/1`,
 *   as huggingface_hub stores it), or a 40-hex commit id (matched to its snapshot folder).
 */
export function localModelState(repo: CachedRepo | undefined, revision?: string): LocalModelState {
  if (!repo) return { state: 'absent', sizeOnDisk: 0, partialBytes: 0 };
  const partialBytes = repo.partials.reduce((n, p) => n + p.bytes, 0);
  const base = { sizeOnDisk: repo.sizeOnDisk, partialBytes };
  if (repo.corruption) return { ...base, state: 'corrupted', reason: repo.corruption };

  const found = revision === undefined ? usableSnapshot(repo) : snapshotAt(repo, revision);
  if (found) {
    const { snapshot, name } = found;
    return { ...base, state: 'downloaded', commit: snapshot.commit, revision: name, snapshotPath: snapshot.snapshotPath, fileCount: snapshot.files.length };
  }
  // A snapshot short of files, or bytes waiting in blobs/: a download the next run resumes.
  if (partialBytes > 0 || repo.revisions.some((r) => !isComplete(repo, r))) return { ...base, state: 'partial' };
  return { ...base, state: 'absent' };
}

interface FoundSnapshot {
  readonly snapshot: CachedRevision;
  /** The revision name to show. */
  readonly name: string;
}

/** The snapshot of one branch, tag or commit id, when it is complete. */
function snapshotAt(repo: CachedRepo, revision: string): FoundSnapshot | undefined {
  if (COMMIT_ID.test(revision)) {
    const commit = revision.toLowerCase();
    const snapshot = repo.revisions.find((r) => r.commit === commit);
    return snapshot && isComplete(repo, snapshot) ? { snapshot, name: commit } : undefined;
  }
  const commit = repo.refs[revision];
  const snapshot = commit === undefined ? undefined : repo.revisions.find((r) => r.commit === commit);
  return snapshot ? { snapshot, name: revision } : undefined;
}

/** `refs/main`'s snapshot; else the newest one some other ref names; else the newest complete one no ref names. */
function usableSnapshot(repo: CachedRepo): FoundSnapshot | undefined {
  const main = snapshotAt(repo, 'main');
  if (main) return main;
  const newestFirst = [...repo.revisions].sort((a, b) => b.lastModified - a.lastModified);
  const named = newestFirst.find((r) => r.refs.length > 0);
  if (named) return { snapshot: named, name: named.refs[0]! };
  const unnamed = newestFirst.find((r) => isComplete(repo, r));
  return unnamed ? { snapshot: unnamed, name: unnamed.commit } : undefined;
}

function isComplete(repo: CachedRepo, snapshot: CachedRevision): boolean {
  return snapshot.refs.length > 0 || (repo.partials.length === 0 && snapshotLooksComplete(snapshot));
}
