import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OutsideCacheError } from './cacheErrors';
import { SIDECAR_SUFFIX, assertCommitSha, isInside, repoCachePaths, type RepoCachePaths } from './cachePaths';
import { walkFiles } from './cacheScanner';
import { type RepoInCache } from './cacheWriter';
import { isSharedStore, sharedStoreTarget, sweepSharedPayload } from './sharedBlobStore';

/**
 * Deletions that leave the cache readable by huggingface_hub at every step: refs go before the
 * snapshot they name, the snapshot before its blobs, so an interrupted delete can leave an unused
 * blob (harmless) but never a ref to a missing snapshot or a dangling symlink.
 */

export interface DeleteRepoResult {
  /** Bytes of regular files removed, with the shared-store payloads no other repo uses any more (sharedBlobStore.ts). */
  readonly bytesFreed: number;
  readonly removed: boolean;
}

/** Removes `<root>/models--org--name` and `<root>/.locks/models--org--name`. Symlinks inside are removed, never followed. */
export async function deleteRepo(options: RepoInCache): Promise<DeleteRepoResult> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const exists = await fs.lstat(paths.repoDir).catch(() => undefined);
  if (!exists) return { bytesFreed: 0, removed: false };
  await assertInsideRoot(paths, paths.repoDir);
  const shared = await sharedPayloadsOf(paths.root, await childPaths(paths.blobsDir));
  let bytesFreed = await regularBytes(paths.repoDir);
  await fs.rm(paths.repoDir, { recursive: true, force: true });
  await fs.rm(paths.locksDir, { recursive: true, force: true });
  for (const payload of shared) bytesFreed += await sweepSharedPayload(paths.root, payload);
  return { bytesFreed, removed: true };
}

async function childPaths(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [] as string[])).map((name) => path.join(dir, name));
}

/** The shared-store payloads (see sharedBlobStore.ts) these repo blobs link to. */
async function sharedPayloadsOf(root: string, blobs: Iterable<string>): Promise<Set<string>> {
  const payloads = new Set<string>();
  if (!(await isSharedStore(root))) return payloads;
  for (const blob of blobs) {
    const payload = await sharedStoreTarget(root, blob);
    if (payload) payloads.add(payload);
  }
  return payloads;
}

export interface DeleteRevisionOptions extends RepoInCache {
  /** The snapshot to remove (40 hex). */
  readonly commit: string;
}

export interface DeleteRevisionResult {
  readonly bytesFreed: number;
  /** False when the revision was not cached (nothing to do). */
  readonly removed: boolean;
  /** Refs that pointed at the revision and were removed. */
  readonly refsRemoved: string[];
  /** Blob paths removed. */
  readonly blobsRemoved: string[];
  /**
   * True when this was the repo's last revision and the whole repo folder went, as huggingface_hub's
   * `delete_revisions` does (partial downloads of the repo go with it).
   */
  readonly repoRemoved: boolean;
}

/**
 * Removes one revision: the refs naming it, `snapshots/<commit>`, `.no_exist/<commit>`,
 * `trees/<commit>.json`, and the blobs that no other snapshot still resolves to (the `delete_revisions`
 * strategy of `_cache_manager.py`). Serves "update → remove the old revision". A blob that links on
 * into huggingface_hub's shared store is unlinked, and the payload goes too when no other repo links to it.
 *
 * huggingface_hub 2.0 leaves the tree listing of a deleted revision behind (its strategy knows only
 * refs, snapshots and blobs). We remove it: a deleted revision should leave nothing, and the listing
 * is only a record of the Hub, fetched again by whichever tool downloads that commit next.
 */
export async function deleteRevision(options: DeleteRevisionOptions): Promise<DeleteRevisionResult> {
  const paths = repoCachePaths(options.root, options.repoId, options.repoType);
  const commit = assertCommitSha(options.commit);
  const snapshotDir = paths.snapshotDir(commit);
  const notFound: DeleteRevisionResult = { bytesFreed: 0, removed: false, refsRemoved: [], blobsRemoved: [], repoRemoved: false };
  if (!(await fs.lstat(snapshotDir).catch(() => undefined))) return notFound;
  await assertInsideRoot(paths, snapshotDir);

  const others = (await fs.readdir(paths.snapshotsDir)).filter((name) => name !== commit && !['.DS_Store', 'Thumbs.db', 'desktop.ini'].includes(name));
  if (others.length === 0) {
    const refsRemoved = await refsPointingAt(paths, commit, false);
    const { bytesFreed } = await deleteRepo(options);
    return { bytesFreed, removed: true, refsRemoved, blobsRemoved: [], repoRemoved: true };
  }

  // Blobs still in use: each file of the other snapshots, by its first hop into blobs/ and by its real path.
  const inUse = new Set<string>();
  for (const other of others) {
    for (const file of await walkFiles(path.join(paths.snapshotsDir, other))) {
      for (const p of await blobCandidates(file)) inUse.add(p);
    }
  }
  const candidates = new Set<string>();
  for (const file of await walkFiles(snapshotDir)) {
    const firstHop = (await blobCandidates(file))[0];
    if (firstHop && path.dirname(firstHop) === paths.blobsDir) candidates.add(firstHop);
  }

  const refsRemoved = await refsPointingAt(paths, commit, true);
  let bytesFreed = await regularBytes(snapshotDir);
  await fs.rm(snapshotDir, { recursive: true, force: true });
  await fs.rm(path.join(paths.noExistDir, commit), { recursive: true, force: true });
  bytesFreed += await regularBytes(paths.treeListing(commit));
  await fs.rm(paths.treeListing(commit), { force: true });

  const blobsRemoved: string[] = [];
  const shared = await sharedPayloadsOf(paths.root, candidates);
  for (const blob of candidates) {
    const real = await fs.realpath(blob).catch(() => blob);
    if (inUse.has(blob) || inUse.has(real)) continue;
    const stat = await fs.lstat(blob).catch(() => undefined);
    if (!stat) continue;
    if (stat.isFile()) bytesFreed += stat.size;
    await fs.rm(blob, { force: true });
    blobsRemoved.push(blob);
  }
  for (const payload of shared) bytesFreed += await sweepSharedPayload(paths.root, payload);
  return { bytesFreed, removed: true, refsRemoved, blobsRemoved: blobsRemoved.sort(), repoRemoved: false };
}

export interface DeletePartialsOptions {
  readonly root: string;
  /** Only this repo; every repo when absent. */
  readonly repoId?: string;
  /** @default 'model' */
  readonly repoType?: RepoInCache['repoType'];
}

export interface DeletePartialsResult {
  readonly bytesFreed: number;
  readonly filesRemoved: string[];
}

/**
 * Removes partial downloads (`blobs/*.incomplete`, both Python's and ours) and our sidecars, orphaned
 * ones included. Call it only when no download of those repos is running.
 */
export async function deletePartials(options: DeletePartialsOptions): Promise<DeletePartialsResult> {
  const root = path.resolve(options.root);
  const repoDirs = options.repoId
    ? [repoCachePaths(root, options.repoId, options.repoType).repoDir]
    : (await fs.readdir(root).catch(() => [] as string[])).filter((n) => n.includes('--')).map((n) => path.join(root, n));
  let bytesFreed = 0;
  const filesRemoved: string[] = [];
  for (const repoDir of repoDirs) {
    const blobsDir = path.join(repoDir, 'blobs');
    const entries = await fs.readdir(blobsDir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || !(entry.name.endsWith('.incomplete') || entry.name.endsWith(SIDECAR_SUFFIX))) continue;
      const file = path.join(blobsDir, entry.name);
      if (!isInside(root, file)) throw new OutsideCacheError(file, root);
      const stat = await fs.lstat(file).catch(() => undefined);
      if (!stat) continue;
      await fs.rm(file, { force: true });
      bytesFreed += stat.size;
      filesRemoved.push(file);
    }
  }
  return { bytesFreed, filesRemoved: filesRemoved.sort() };
}

/** Where a snapshot file leads: its first hop (resolved link target) and its real path. */
async function blobCandidates(file: string): Promise<string[]> {
  const target = await fs.readlink(file).catch(() => undefined);
  if (target === undefined) return [];
  const firstHop = path.resolve(path.dirname(file), target);
  const real = await fs.realpath(file).catch(() => undefined);
  return real && real !== firstHop ? [firstHop, real] : [firstHop];
}

/** Ref names whose file holds `commit` (spaces trimmed); removes them, and empty ref folders, when asked. */
async function refsPointingAt(paths: RepoCachePaths, commit: string, remove: boolean): Promise<string[]> {
  const names: string[] = [];
  for (const file of await walkFiles(paths.refsDir)) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text?.trim() !== commit) continue;
    names.push(path.relative(paths.refsDir, file).split(path.sep).join('/'));
    if (!remove) continue;
    await fs.rm(file, { force: true });
    for (let dir = path.dirname(file); dir !== paths.refsDir && isInside(paths.refsDir, dir); dir = path.dirname(dir)) {
      if (!(await fs.rmdir(dir).then(() => true, () => false))) break;
    }
  }
  return names.sort();
}

/** Sum of regular file sizes under `target`, without following symlinks. */
async function regularBytes(target: string): Promise<number> {
  const stat = await fs.lstat(target).catch(() => undefined);
  if (!stat) return 0;
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return 0;
  let total = 0;
  for (const entry of await fs.readdir(target)) total += await regularBytes(path.join(target, entry));
  return total;
}

/** The repo folder must not be reached through a symlink that leads out of the cache. */
async function assertInsideRoot(paths: RepoCachePaths, target: string): Promise<void> {
  const realRoot = await fs.realpath(paths.root).catch(() => paths.root);
  const realParent = await fs.realpath(path.dirname(target)).catch(() => path.dirname(target));
  if (!isInside(realRoot, path.join(realParent, path.basename(target)))) throw new OutsideCacheError(target, paths.root);
}
