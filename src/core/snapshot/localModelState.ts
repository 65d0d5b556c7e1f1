import { type CachedRepo, type CachedRevision } from '../cache/cachedRepo';
import { type MissingFile } from './missingFile';
import { snapshotCompleteness } from './snapshotCompleteness';

/** What the cache says about one model, independent of any download in progress in this process. */
export interface LocalModelState {
  readonly state: 'downloaded' | 'partial' | 'corrupted' | 'absent';
  /** Commit of the downloaded snapshot; when partial, of the unfinished snapshot (if one exists yet). */
  readonly commit?: string;
  /**
   * When downloaded: the ref that names the snapshot (`main`, `dev`, `refs/pr/1`), or its commit when
   * no ref does (a download by commit id, which writes no ref).
   */
  readonly revision?: string;
  readonly sizeOnDisk: number;
  /** Bytes of partial downloads waiting to be resumed. */
  readonly partialBytes: number;
  /** The downloaded snapshot; when partial, the unfinished one (if one exists yet). */
  readonly snapshotPath?: string;
  /** Files in the downloaded snapshot. */
  readonly fileCount?: number;
  /** When partial: what the unfinished snapshot lacks (empty when only a download waiting in `blobs/` keeps it partial). */
  readonly missing?: readonly MissingFile[];
  readonly reason?: string;
}

const COMMIT_ID = /^[0-9a-f]{40}$/i;

/**
 * The model's state in the cache, at `revision` when one is asked for, else at whatever snapshot is
 * usable (`main` first).
 *
 * A snapshot is downloaded only when it is complete (see `snapshotCompleteness`): huggingface_hub writes
 * `refs/<branch>` before the first file, so a ref alone proves nothing. A ref still decides which
 * complete snapshot is which revision. Anything else in the cache is a download that can resume.
 *
 * @param revision a branch or tag (read from `refs/<revision>`; `refs/pr/1` lives in `refs/refs/pr/1`,
 *   as huggingface_hub stores it), or a 40-hex commit id (matched to its snapshot folder).
 */
export function localModelState(repo: CachedRepo | undefined, revision?: string): LocalModelState {
  if (!repo) return { state: 'absent', sizeOnDisk: 0, partialBytes: 0 };
  const partialBytes = repo.partials.reduce((n, p) => n + p.bytes, 0);
  const base = { sizeOnDisk: repo.sizeOnDisk, partialBytes };
  if (repo.corruption) return { ...base, state: 'corrupted', reason: repo.corruption };

  const isComplete = (snapshot: CachedRevision) => snapshotCompleteness(repo, snapshot).complete;
  const found = revision === undefined ? usableSnapshot(repo, isComplete) : snapshotAt(repo, revision, isComplete);
  if (found) {
    const { snapshot, name } = found;
    return { ...base, state: 'downloaded', commit: snapshot.commit, revision: name, snapshotPath: snapshot.snapshotPath, fileCount: snapshot.files.length };
  }
  // A snapshot short of files, or bytes waiting in blobs/: a download the next run resumes.
  if (partialBytes > 0 || repo.revisions.some((r) => !isComplete(r))) {
    const unfinished = unfinishedSnapshot(repo, revision, isComplete);
    if (!unfinished) return { ...base, state: 'partial' };
    const { missing } = snapshotCompleteness(repo, unfinished);
    return { ...base, state: 'partial', commit: unfinished.commit, snapshotPath: unfinished.snapshotPath, missing };
  }
  return { ...base, state: 'absent' };
}

interface FoundSnapshot {
  readonly snapshot: CachedRevision;
  /** The revision name to show. */
  readonly name: string;
}

type IsComplete = (snapshot: CachedRevision) => boolean;

/** The snapshot a branch, tag or commit id names, complete or not. */
export function namedSnapshot(repo: CachedRepo, revision: string): CachedRevision | undefined {
  const commit = COMMIT_ID.test(revision) ? revision.toLowerCase() : repo.refs[revision];
  return commit === undefined ? undefined : repo.revisions.find((r) => r.commit === commit);
}

/** The snapshot of one branch, tag or commit id, when it is complete. */
function snapshotAt(repo: CachedRepo, revision: string, isComplete: IsComplete): FoundSnapshot | undefined {
  const snapshot = namedSnapshot(repo, revision);
  if (!snapshot || !isComplete(snapshot)) return undefined;
  return { snapshot, name: COMMIT_ID.test(revision) ? snapshot.commit : revision };
}

/** `refs/main`'s snapshot; else the newest complete one some other ref names; else the newest complete one no ref names. */
function usableSnapshot(repo: CachedRepo, isComplete: IsComplete): FoundSnapshot | undefined {
  const main = snapshotAt(repo, 'main', isComplete);
  if (main) return main;
  const complete = newestFirst(repo).filter(isComplete);
  const named = complete.find((r) => r.refs.length > 0);
  if (named) return { snapshot: named, name: named.refs[0]! };
  const unnamed = complete[0];
  return unnamed ? { snapshot: unnamed, name: unnamed.commit } : undefined;
}

/**
 * Which unfinished snapshot a partial state is about: the one `revision` names (main's when none is asked
 * for); else the newest unfinished one no ref names (ours names its download only at the end); and with
 * no revision asked for, else the newest unfinished one a ref names (huggingface_hub names its download
 * before it starts).
 */
function unfinishedSnapshot(repo: CachedRepo, revision: string | undefined, isComplete: IsComplete): CachedRevision | undefined {
  const named = namedSnapshot(repo, revision ?? 'main');
  if (named && !isComplete(named)) return named;
  const unfinished = newestFirst(repo).filter((r) => !isComplete(r));
  return unfinished.find((r) => r.refs.length === 0) ?? (revision === undefined ? unfinished[0] : undefined);
}

function newestFirst(repo: CachedRepo): CachedRevision[] {
  return [...repo.revisions].sort((a, b) => b.lastModified - a.lastModified);
}
