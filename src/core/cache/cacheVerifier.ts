import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { blobEtag, type RepoFile } from '../hub/repoFile';
import { RevisionNotCachedError } from './cacheErrors';
import { isCommitSha, repoCachePaths, safeRepoRelativePath } from './cachePaths';
import { walkFiles } from './cacheScanner';
import { type RepoInCache, readRef } from './cacheWriter';
import { createContentHasher, expectedHashFromEtag, type ExpectedHash } from './contentHash';
import { readTreeListing, type TreeListing, type TreeListingEntry } from './treeListing';

export interface VerifyRepoOptions extends RepoInCache {
  /** Snapshot to check. @default the commit `refs/main` points at */
  readonly commit?: string;
  /**
   * The revision's files as the Hub's tree lists them: each is checked against its `lfs.sha256` or git
   * `oid`, and snapshot files not listed are reported as `extra`. Without it, the files are checked
   * against the revision's `trees/<commit>.json` where there is one (so copied files, which link to no
   * blob, can be checked too), else against the name of the blob each one links to (its etag).
   */
  readonly expected?: readonly RepoFile[];
  /**
   * Which files of `trees/<commit>.json` the snapshot must hold: a listed file this accepts that is not in
   * the snapshot is reported `missing`. Without it only the files present are checked (a download
   * normally fetches a subset of the repo, e.g. mlx_lm's allow patterns).
   */
  readonly isRequired?: (repoPath: string) => boolean;
  /** Stops hashing; the promise then rejects with the abort reason. */
  readonly signal?: AbortSignal;
  /** Called after each chunk and each finished file. */
  readonly onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyProgress {
  readonly path: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/**
 * - `ok`: the bytes hash to the expected value
 * - `mismatch`: they do not (`expected` / `actual` hex digests)
 * - `missing`: listed but absent, or a dangling link
 * - `unreadable`: present but could not be read (`reason`)
 * - `extra`: in the snapshot but not in `expected` (or not in the tree listing)
 * - `unchecked`: no expected hash is known (a copied file, with neither `expected` nor a tree listing):
 *   nothing says the file is wrong, only that it could not be checked
 */
export type FileCheckStatus = 'ok' | 'mismatch' | 'missing' | 'unreadable' | 'extra' | 'unchecked';

export interface FileCheck {
  readonly path: string;
  readonly status: FileCheckStatus;
  readonly expected?: string;
  readonly actual?: string;
  readonly reason?: string;
}

export interface VerifyResult {
  readonly commit: string;
  readonly files: FileCheck[];
  /** True when no file is damaged, missing or unreadable (`extra` and `unchecked` files do not fail the check). */
  readonly ok: boolean;
  /** Files whose bytes could not be checked (see `unchecked`). */
  readonly unchecked: number;
  /** Where the expected hashes came from. */
  readonly source: 'hub' | 'tree-listing' | 'blob-names';
}

/** Statuses that mean a file is damaged or absent. */
export const FAILED_STATUSES: readonly FileCheckStatus[] = ['mismatch', 'missing', 'unreadable'];

interface Job {
  readonly path: string;
  readonly file?: string;
  readonly expected?: ExpectedHash;
  readonly status?: FileCheckStatus;
  readonly reason?: string;
}

/**
 * `hf cache verify` for one snapshot: streams every file through SHA-256 (LFS) or git SHA-1 and
 * reports each result. A bad file is a result, never an exception; only a missing revision or an
 * abort rejects.
 */
export async function verifyRepo(options: VerifyRepoOptions): Promise<VerifyResult> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const commit = options.commit ?? (await readRef({ ...options, ref: 'main' }));
  if (commit === undefined || !isCommitSha(commit)) throw new RevisionNotCachedError(options.repoId, options.commit ?? 'main');
  const snapshotDir = paths.snapshotDir(commit);
  if (!(await fs.stat(snapshotDir).catch(() => undefined))?.isDirectory()) throw new RevisionNotCachedError(options.repoId, commit);

  const onDisk = (await walkFiles(snapshotDir)).map((file) => ({ file, path: path.relative(snapshotDir, file).split(path.sep).join('/') }));
  const listing = options.expected ? undefined : await readTreeListing(paths.treeListing(commit));
  const source = options.expected ? 'hub' : listing ? 'tree-listing' : 'blob-names';
  let jobs: Job[] = [];
  if (options.expected) {
    const listed = new Set<string>();
    for (const entry of options.expected) {
      listed.add(entry.path);
      const expected = expectedHashFromEtag(blobEtag(entry));
      try {
        jobs.push({ path: entry.path, file: paths.snapshotFile(commit, safeRepoRelativePath(entry.path)), ...(expected ? { expected } : {}) });
      } catch (error) {
        jobs.push({ path: entry.path, status: 'missing', reason: (error as Error).message });
      }
    }
    for (const extra of onDisk.filter((f) => !listed.has(f.path))) jobs.push({ path: extra.path, status: 'extra' });
  } else {
    jobs = await jobsFromSnapshot(onDisk, listing, options.isRequired);
  }

  const sizes = await Promise.all(jobs.map(async (job) => (job.file && !job.status ? ((await fs.stat(job.file).catch(() => undefined))?.size ?? 0) : 0)));
  const bytesTotal = sizes.reduce((a, b) => a + b, 0);
  const progress = { filesDone: 0, filesTotal: jobs.length, bytesDone: 0, bytesTotal };
  const files: FileCheck[] = [];
  for (const job of jobs) {
    options.signal?.throwIfAborted();
    files.push(await checkOne(job, options, progress));
    progress.filesDone += 1;
    options.onProgress?.({ path: job.path, ...progress });
  }
  return { commit, files, ok: !files.some((f) => FAILED_STATUSES.includes(f.status)), unchecked: files.filter((f) => f.status === 'unchecked').length, source };
}

/**
 * What to expect of each snapshot file: the tree listing's hash when it lists the file (sha256 for LFS,
 * git sha1 otherwise — the same values that name the blobs), else the name of the blob it links to. A
 * real file (copy mode) the listing does not name is `extra` next to a listing, and `unchecked` without one.
 */
async function jobsFromSnapshot(onDisk: { file: string; path: string }[], listing: TreeListing | undefined, isRequired: ((repoPath: string) => boolean) | undefined): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const { file, path: repoPath } of onDisk) {
    const listed = listing?.get(repoPath);
    const target = await fs.readlink(file).catch(() => undefined);
    const expected = (listed && expectedHashOfListed(listed)) ?? (target === undefined ? undefined : expectedHashFromEtag(path.basename(target)));
    if (expected) jobs.push({ path: repoPath, file, expected });
    else if (listing && !listed) jobs.push({ path: repoPath, status: 'extra' });
    else jobs.push({ path: repoPath, file, reason: target === undefined ? 'a copied file, and no tree listing records its hash' : 'its blob is not named by a hash' });
  }
  const present = new Set(onDisk.map((f) => f.path));
  for (const repoPath of listing?.keys() ?? []) {
    if (isRequired?.(repoPath) && !present.has(repoPath)) jobs.push({ path: repoPath, status: 'missing', reason: 'in the tree listing, not in the snapshot' });
  }
  return jobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The listed hash, read like a blob name, and only when its kind is the one the entry says (sha256 for LFS). */
function expectedHashOfListed(entry: TreeListingEntry): ExpectedHash | undefined {
  const expected = expectedHashFromEtag(entry.lfs_sha256 ?? entry.blob_id);
  return expected?.algorithm === (entry.lfs_sha256 !== undefined ? 'sha256' : 'git-sha1') ? expected : undefined;
}

async function checkOne(job: Job, options: VerifyRepoOptions, progress: { filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number }): Promise<FileCheck> {
  if (job.status) return { path: job.path, status: job.status, ...(job.reason ? { reason: job.reason } : {}) };
  let stat;
  try {
    stat = await fs.stat(job.file!);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: job.path, status: 'missing' };
    return { path: job.path, status: 'unreadable', reason: (error as Error).message };
  }
  if (!stat.isFile()) return { path: job.path, status: 'unreadable', reason: 'not a file' };
  if (!job.expected) return { path: job.path, status: 'unchecked', ...(job.reason ? { reason: job.reason } : {}) };
  const hasher = createContentHasher(job.expected.algorithm, stat.size);
  try {
    const stream = createReadStream(job.file!, options.signal ? { signal: options.signal } : {});
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hasher.update(chunk);
      progress.bytesDone += chunk.length;
      options.onProgress?.({ path: job.path, ...progress });
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { path: job.path, status: 'unreadable', reason: (error as Error).message };
  }
  const actual = hasher.digest('hex');
  const expected = job.expected.hex;
  return actual === expected ? { path: job.path, status: 'ok', expected, actual } : { path: job.path, status: 'mismatch', expected, actual };
}
