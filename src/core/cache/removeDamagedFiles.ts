import { promises as fs } from 'node:fs';
import path from 'node:path';
import { repoCachePaths, isInside, safeRepoRelativePath } from './cachePaths';
import { walkFiles } from './cacheScanner';
import { type FileCheck } from './cacheVerifier';
import { type RepoInCache } from './cacheWriter';
import { expectedHashFromEtag } from './contentHash';

export interface RemoveDamagedFilesOptions extends RepoInCache {
  readonly commit: string;
  /** What `verifyRepo` reported for the snapshot; only `mismatch` and `unreadable` files are touched. */
  readonly checks: readonly FileCheck[];
}

export interface RemovedDamagedFiles {
  /** Snapshot paths removed (the link or copy), so the next download fetches or relinks them. */
  readonly paths: string[];
  /** Blob files removed because their bytes do not match their own name (every revision sharing one loses it). */
  readonly blobs: string[];
  /**
   * Links of other revisions (`<commit>/<path>`) that led to a removed blob: removed too, as a dangling
   * link makes huggingface_hub's `scan_cache_dir` drop the whole repo as corrupted.
   */
  readonly otherLinks: string[];
}

/**
 * Makes a damaged snapshot repairable by an ordinary download. A download keeps every file already
 * in place (it never re-hashes gigabytes it verified when it wrote them), so a file that went bad
 * afterwards (disk error, an edit by hand) would stay bad: this removes it first.
 *
 * The snapshot entry always goes. The blob it links to goes only when its own bytes are wrong (they do
 * not hash to its name, or cannot be read): a link to the wrong but intact blob loses only the link,
 * and other files or revisions sharing a good blob keep it.
 */
export async function removeDamagedFiles(options: RemoveDamagedFilesOptions): Promise<RemovedDamagedFiles> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const removed: RemovedDamagedFiles = { paths: [], blobs: [], otherLinks: [] };
  for (const check of options.checks) {
    if (check.status !== 'mismatch' && check.status !== 'unreadable') continue;
    const file = paths.snapshotFile(options.commit, safeRepoRelativePath(check.path));
    const blob = await linkedBlob(file, paths.blobsDir);
    if (blob && blobIsBad(path.basename(blob), check)) {
      await fs.rm(blob, { force: true });
      removed.blobs.push(blob);
    }
    await fs.rm(file, { force: true });
    removed.paths.push(check.path);
  }
  if (removed.blobs.length) removed.otherLinks.push(...(await unlinkLinksTo(new Set(removed.blobs), paths.snapshotsDir)));
  return removed;
}

/** Removes every snapshot link whose first hop is one of `blobs`; returns them as `<commit>/<path>`. */
async function unlinkLinksTo(blobs: ReadonlySet<string>, snapshotsDir: string): Promise<string[]> {
  const unlinked: string[] = [];
  for (const file of await walkFiles(snapshotsDir)) {
    const target = await fs.readlink(file).catch(() => undefined);
    if (target === undefined || !blobs.has(path.resolve(path.dirname(file), target))) continue;
    await fs.rm(file, { force: true });
    unlinked.push(path.relative(snapshotsDir, file).split(path.sep).join('/'));
  }
  return unlinked;
}

/** The blob a snapshot symlink points at, if it is one and stays inside `blobs/`. */
async function linkedBlob(file: string, blobsDir: string): Promise<string | undefined> {
  const target = await fs.readlink(file).catch(() => undefined);
  if (target === undefined) return undefined;
  const blob = path.resolve(path.dirname(file), target);
  return isInside(blobsDir, blob) ? blob : undefined;
}

function blobIsBad(blobName: string, check: FileCheck): boolean {
  if (check.status === 'unreadable') return true;
  const own = expectedHashFromEtag(blobName);
  // The bytes were hashed the way the expected value needs; compare with the blob's name only when that
  // name is a hash of the same kind (a sha256 name cannot be compared with a git sha1).
  if (!own || !check.actual || !check.expected || own.hex.length !== check.expected.length) return false;
  return own.hex.toLowerCase() !== check.actual.toLowerCase();
}
