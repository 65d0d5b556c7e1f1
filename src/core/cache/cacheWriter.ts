import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ensureCacheDirTag } from './cacheDirTag';
import { BlobMissingError, OutsideCacheError, SnapshotMissingError } from './cacheErrors';
import { isCommitSha, isInside, repoCachePaths, type RepoType } from './cachePaths';
import { type LinkMode } from './linkMode';

/**
 * Writes into the Hugging Face cache exactly as huggingface_hub does (`file_download.py`:
 * `_chmod_and_move`, `_create_symlink`, `_cache_commit_hash_for_specific_revision`), with every
 * step atomic (rename into place), so a Python process reading at the same time never sees a
 * half-written blob, link or ref.
 */

/** Names one repo in one cache. */
export interface RepoInCache {
  /** Cache root (see `resolveHubCacheDir`). */
  readonly root: string;
  /** `owner/name`. */
  readonly repoId: string;
  /** @default 'model' */
  readonly repoType?: RepoType;
}

export interface CommitBlobOptions extends RepoInCache {
  /** Blob name: git sha1 (40 hex) or LFS sha256 (64 hex). */
  readonly etag: string;
  /** The finished, already verified download (normally `blobs/<etag>.incomplete`). */
  readonly from: string;
}

export interface CommittedBlob {
  readonly blobPath: string;
  /** False when the blob was already cached and `from` was dropped. Pass it as `newBlob` to {@link linkSnapshotFile}. */
  readonly created: boolean;
}

/**
 * Moves a finished download into `blobs/<etag>` with one rename. If the blob is already there (another
 * process got it first), `from` is deleted instead: same etag, same bytes. The engine's sidecar for
 * this etag is removed either way. Also writes `CACHEDIR.TAG`, as Python does on each download.
 */
export async function commitBlob(options: CommitBlobOptions): Promise<CommittedBlob> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const blobPath = paths.blob(options.etag);
  await fs.mkdir(paths.blobsDir, { recursive: true });
  await ensureCacheDirTag(paths.root);
  let created = false;
  if (await isFile(blobPath)) {
    await fs.rm(options.from, { force: true });
  } else {
    if (!(await isFile(options.from))) throw new BlobMissingError(options.from, options.etag);
    await moveFile(options.from, blobPath);
    created = true;
  }
  await fs.rm(paths.sidecar(options.etag), { force: true });
  return { blobPath, created };
}

export interface LinkSnapshotFileOptions extends RepoInCache {
  /** The snapshot's commit (40 hex). */
  readonly commit: string;
  /** Path inside the repo, `/`-separated; refused by `safeRepoRelativePath` before anything is written. */
  readonly path: string;
  readonly etag: string;
  /** See `detectLinkMode`. */
  readonly mode: LinkMode;
  /**
   * Only for `mode: 'copy'`: the blob was created by this download and nothing else uses it, so it is
   * moved into the snapshot rather than duplicated (Python's `_create_symlink(..., new_blob=True)`).
   * @default false
   */
  readonly newBlob?: boolean;
}

export interface LinkedSnapshotFile {
  /** `snapshots/<commit>/<path>`. */
  readonly filePath: string;
  /** The relative link target written (`../../blobs/<etag>`), absent in copy mode. */
  readonly linkTarget?: string;
}

/**
 * Makes `snapshots/<commit>/<path>` point at `blobs/<etag>`: a relative symlink (so the cache can be
 * moved or backed up), created under a temporary name and renamed over any existing entry. In copy
 * mode it is a real file: moved from `blobs/` when `newBlob`, copied otherwise, which is what
 * huggingface_hub does without symlink rights or with `HF_HUB_DISABLE_SYMLINKS=1`.
 */
export async function linkSnapshotFile(options: LinkSnapshotFileOptions): Promise<LinkedSnapshotFile> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  // All validation (commit, path, etag) happens here, before the first write.
  const filePath = paths.snapshotFile(options.commit, options.path);
  const snapshotDir = paths.snapshotDir(options.commit);
  const blobPath = paths.blob(options.etag);
  if (!(await isFile(blobPath))) throw new BlobMissingError(blobPath, options.etag);

  const folder = path.dirname(filePath);
  await makeFoldersInside(snapshotDir, folder, paths.root);

  const temp = path.join(folder, `.${path.basename(filePath)}.${randomBytes(4).toString('hex')}.tmp`);
  if (options.mode === 'symlink') {
    const linkTarget = path.relative(folder, blobPath);
    await replaceWith(temp, filePath, () => fs.symlink(linkTarget, temp, 'file'));
    return { filePath, linkTarget };
  }
  if (options.newBlob) {
    await fs.rename(blobPath, filePath);
  } else {
    await replaceWith(temp, filePath, () => fs.copyFile(blobPath, temp, fsConstants.COPYFILE_FICLONE));
  }
  return { filePath };
}

export interface WriteRefOptions extends RepoInCache {
  /** Branch or tag, e.g. `main` or `refs/pr/1`. */
  readonly ref: string;
  readonly commit: string;
}

/**
 * Writes `refs/<ref>` = commit (no trailing newline: Python compares the raw text). Refused unless
 * `snapshots/<commit>` exists, since a ref to a missing snapshot makes `scan_cache_dir` report the
 * repo as corrupted. Like Python, an unchanged ref is not rewritten (the cache may be read-only).
 */
export async function writeRef(options: WriteRefOptions): Promise<string> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const refPath = paths.ref(options.ref);
  const snapshotDir = paths.snapshotDir(options.commit);
  const snapshot = await fs.stat(snapshotDir).catch(() => undefined);
  if (!snapshot?.isDirectory()) throw new SnapshotMissingError(snapshotDir, options.commit);
  if ((await fs.readFile(refPath, 'utf8').catch(() => undefined)) === options.commit) return refPath;
  await fs.mkdir(path.dirname(refPath), { recursive: true });
  const temp = `${refPath}.${randomBytes(4).toString('hex')}.tmp`;
  await replaceWith(temp, refPath, () => fs.writeFile(temp, options.commit));
  return refPath;
}

export interface ReadRefOptions extends RepoInCache {
  readonly ref: string;
}

/** The commit `refs/<ref>` points at, or undefined when there is no such ref or it holds no commit id. */
export async function readRef(options: ReadRefOptions): Promise<string | undefined> {
  const refPath = repoCachePaths(options.root, options.repoId, options.repoType).ref(options.ref);
  const text = await fs.readFile(refPath, 'utf8').catch(() => undefined);
  const commit = text?.trim();
  return commit !== undefined && isCommitSha(commit) ? commit : undefined;
}

/**
 * Creates `folder` below `snapshotDir` one level at a time, refusing before any write when an existing
 * level leads out of the snapshot: a sub-folder that is a symlink (left by hand or by another tool)
 * would redirect the write, and creating the rest of the path first would already write out there.
 */
async function makeFoldersInside(snapshotDir: string, folder: string, root: string): Promise<void> {
  await fs.mkdir(snapshotDir, { recursive: true });
  const realSnapshot = await fs.realpath(snapshotDir);
  let current = snapshotDir;
  for (const part of path.relative(snapshotDir, folder).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    // mkdir never follows a link at the last step: an existing level (a folder, a link, one made meanwhile by
    // a file of the same folder linked in parallel) gives EEXIST, and is judged by where it really leads.
    await fs.mkdir(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const real = await fs.realpath(current).catch(() => undefined); // undefined: a dangling link
    if (real === undefined || !isInside(realSnapshot, real)) throw new OutsideCacheError(real ?? current, root);
  }
}

async function isFile(p: string): Promise<boolean> {
  const stat = await fs.stat(p).catch(() => undefined);
  return stat?.isFile() ?? false;
}

/** Creates `temp` then renames it over `target`; the temp is removed if anything fails. */
async function replaceWith(temp: string, target: string, create: () => Promise<void>): Promise<void> {
  try {
    await create();
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** `shutil.move`: a rename, or copy + rename + delete when the partial lives on another volume. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const temp = `${to}.${randomBytes(4).toString('hex')}.tmp`;
    await replaceWith(temp, to, () => fs.copyFile(from, temp));
    await fs.rm(from, { force: true });
  }
}
