import { type Stats, promises as fs } from 'node:fs';
import path from 'node:path';
import { sharedStorePayloads } from './sharedBlobStore';
import { type CacheScan, type CachedFile, type CachedRepo, type CachedRevision, type PartialDownload } from './cachedRepo';
import { REPO_ID_SEPARATOR, REPO_TYPES, SIDECAR_SUFFIX, isCommitSha, isInside, repoCachePaths, type RepoType } from './cachePaths';
import { WEIGHTS_INDEX, readIndexedWeights } from './readIndexedWeights';
import { readTreeListing } from './treeListing';

/** OS litter huggingface_hub skips (`FILES_TO_IGNORE` in `_cache_manager.py`). */
const IGNORED = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
/** Top-level entries that are not repos: locks, the backup tag, and a shared blob store some versions use. */
const NOT_REPOS = new Set(['.locks', 'CACHEDIR.TAG', 'blobs']);
const PARTIAL = /^(.+?)(?:\.([0-9a-f]{8}))?\.incomplete$/;

/**
 * Reads a whole cache the way huggingface_hub's `scan_cache_dir` does (same corruption cases, same
 * size rules), but never throws for a bad entry: a repo Python would reject is still listed, with
 * `corruption` saying why, so the UI can offer to repair or delete it. A missing root is an empty cache.
 *
 * Like huggingface_hub 2.0 (`_cache_manager.py`), only `refs/`, `snapshots/` and `blobs/` shape the result:
 * other folders of a repo (`.no_exist/`, `trees/`) raise no warning and count in no size. The tree
 * listing of each revision is read too, as evidence of which files the snapshot should hold.
 */
export async function scanCache(root: string): Promise<CacheScan> {
  const absRoot = path.resolve(root);
  const warnings: string[] = [];
  const repos: CachedRepo[] = [];
  const entries = await fs.readdir(absRoot).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') warnings.push(`Cannot read the cache folder ${absRoot}: ${error.message}`);
    return [] as string[];
  });
  for (const name of entries.sort()) {
    if (IGNORED.has(name) || NOT_REPOS.has(name) || name.startsWith('tmp_')) continue;
    const repo = await scanRepoFolder(path.join(absRoot, name), warnings);
    if (repo) repos.push(repo);
  }
  return { root: absRoot, repos, warnings, sizeOnDisk: await physicalSize(absRoot, repos) };
}

/**
 * What the files of the cache's revisions take on disk, each file once however many repos share it
 * (through huggingface_hub's shared store), plus every payload of that store, used or not: the
 * library's `HFCacheInfo.size_on_disk`.
 */
async function physicalSize(root: string, repos: readonly CachedRepo[]): Promise<number> {
  // File paths are real paths (symlinks followed): compare them with the store's under the real root.
  const files = await sharedStorePayloads(await fs.realpath(root).catch(() => root));
  for (const repo of repos) {
    for (const revision of repo.revisions) for (const file of revision.files) if (!files.has(file.blobPath)) files.set(file.blobPath, file.size);
  }
  let total = 0;
  for (const size of files.values()) total += size;
  return total;
}

/** Scans one repo; undefined when it is not in the cache. Problems land in `corruption`. */
export async function scanRepo(root: string, repoId: string, repoType: RepoType = 'model'): Promise<CachedRepo | undefined> {
  const { repoDir } = repoCachePaths(root, repoId, repoType);
  if (!(await lstatOrUndefined(repoDir))) return undefined;
  return scanRepoFolder(repoDir, []);
}

async function scanRepoFolder(repoDir: string, warnings: string[]): Promise<CachedRepo | undefined> {
  const name = path.basename(repoDir);
  const problems: string[] = [];
  const separator = name.indexOf(REPO_ID_SEPARATOR);
  const typeWord = separator > 0 ? name.slice(0, separator - 1) : '';
  const repoType = REPO_TYPES.find((t) => t === typeWord);
  const repoId = separator > 0 ? name.slice(separator + 2).split(REPO_ID_SEPARATOR).join('/') : name;
  const repoStat = await fs.stat(repoDir).catch(() => undefined);
  if (!repoStat?.isDirectory()) problems.push(`Repo path is not a directory: ${repoDir}`);
  else if (separator <= 0) problems.push(`Repo path is not a valid Hugging Face cache directory: ${repoDir}`);
  else if (!repoType) problems.push(`Repo type must be model, dataset, space or kernel, found "${typeWord}" (${repoDir})`);

  const blobStats = new Map<string, Stats>();
  const revisions: CachedRevision[] = [];
  let refs: Record<string, string> = {};
  let partials: PartialDownload[] = [];
  if (problems.length === 0) {
    refs = await readRefs(path.join(repoDir, 'refs'), problems);
    revisions.push(...(await readSnapshots(repoDir, refs, blobStats, problems)));
    const known = new Set(revisions.map((r) => r.commit));
    for (const [ref, commit] of Object.entries(refs)) {
      if (!known.has(commit)) problems.push(`Ref "${ref}" refers to a missing commit ${JSON.stringify(commit)} (${repoDir})`);
    }
    partials = await readPartials(path.join(repoDir, 'blobs'));
  }
  for (const problem of problems) warnings.push(problem);

  const stats = [...blobStats.values()];
  return {
    repoId,
    repoType: repoType ?? 'model',
    path: repoDir,
    sizeOnDisk: stats.reduce((sum, s) => sum + s.size, 0),
    nbFiles: stats.length,
    lastModified: stats.length ? Math.max(...stats.map((s) => s.mtimeMs)) : (repoStat?.mtimeMs ?? 0),
    lastAccessed: stats.length ? Math.max(...stats.map((s) => s.atimeMs)) : (repoStat?.atimeMs ?? 0),
    refs,
    revisions,
    partials,
    ...(problems.length ? { corruption: problems.join('; ') } : {}),
  };
}

/** `refs/**`: every file is a ref named by its path; its raw text is the commit (Python does not strip it). */
async function readRefs(refsDir: string, problems: string[]): Promise<Record<string, string>> {
  const refs: Record<string, string> = {};
  const stat = await fs.stat(refsDir).catch(() => undefined);
  if (!stat) return refs;
  if (!stat.isDirectory()) {
    problems.push(`Refs directory cannot be a file: ${refsDir}`);
    return refs;
  }
  for (const file of await walkFiles(refsDir)) {
    if (IGNORED.has(path.basename(file))) continue;
    const name = path.relative(refsDir, file).split(path.sep).join('/');
    try {
      refs[name] = await fs.readFile(file, 'utf8');
    } catch (error) {
      problems.push(`Cannot read ref "${name}": ${(error as Error).message}`);
    }
  }
  return refs;
}

async function readSnapshots(repoDir: string, refs: Record<string, string>, blobStats: Map<string, Stats>, problems: string[]): Promise<CachedRevision[]> {
  const snapshotsDir = path.join(repoDir, 'snapshots');
  const stat = await fs.stat(snapshotsDir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    problems.push(`Snapshots dir doesn't exist in cached repo: ${snapshotsDir}`);
    return [];
  }
  const revisions: CachedRevision[] = [];
  for (const commit of (await fs.readdir(snapshotsDir)).sort()) {
    if (IGNORED.has(commit)) continue;
    const snapshotPath = path.join(snapshotsDir, commit);
    const snapshotStat = await fs.stat(snapshotPath).catch(() => undefined);
    if (!snapshotStat?.isDirectory()) {
      problems.push(`Snapshots folder corrupted. Found a file: ${snapshotPath}`);
      continue;
    }
    const files: CachedFile[] = [];
    const own = new Map<string, Stats>();
    for (const file of await walkFiles(snapshotPath)) {
      let blobPath: string;
      let blobStat: Stats;
      try {
        blobPath = await fs.realpath(file);
        blobStat = blobStats.get(blobPath) ?? (await fs.stat(blobPath));
      } catch {
        problems.push(`Blob missing (broken symlink): ${file}`);
        continue;
      }
      blobStats.set(blobPath, blobStat);
      own.set(blobPath, blobStat);
      const etag = await linkedEtag(file, repoDir, blobPath);
      files.push({
        path: path.relative(snapshotPath, file).split(path.sep).join('/'),
        blobPath,
        size: blobStat.size,
        ...(etag ? { etag } : {}),
      });
    }
    const ownStats = [...own.values()];
    const treeListing = isCommitSha(commit) ? await readTreeListing(path.join(repoDir, 'trees', `${commit}.json`)) : undefined;
    const indexedWeights = files.some((f) => f.path === WEIGHTS_INDEX) ? await readIndexedWeights(path.join(snapshotPath, WEIGHTS_INDEX)) : undefined;
    revisions.push({
      commit,
      snapshotPath,
      refs: Object.keys(refs).filter((ref) => refs[ref] === commit).sort(),
      files: files.sort((a, b) => a.path.localeCompare(b.path)),
      sizeOnDisk: ownStats.reduce((sum, s) => sum + s.size, 0),
      lastModified: ownStats.length ? Math.max(...ownStats.map((s) => s.mtimeMs)) : snapshotStat.mtimeMs,
      ...(treeListing ? { treeListing } : {}),
      ...(indexedWeights ? { indexedWeights } : {}),
    });
  }
  return revisions;
}

/**
 * The blob name a snapshot file points at: the first hop of its link when it lands in the repo's
 * `blobs/` (a blob there may itself link on into a shared store), else the name of the final file
 * when that lives in some `blobs/` folder. A real file (copy mode) has none.
 */
async function linkedEtag(file: string, repoDir: string, blobPath: string): Promise<string | undefined> {
  const target = await fs.readlink(file).catch(() => undefined);
  if (target === undefined) return undefined;
  const firstHop = path.resolve(path.dirname(file), target);
  if (path.dirname(firstHop) === path.join(repoDir, 'blobs')) return path.basename(firstHop);
  return path.basename(path.dirname(blobPath)) === 'blobs' ? path.basename(blobPath) : undefined;
}

async function readPartials(blobsDir: string): Promise<PartialDownload[]> {
  const names = await fs.readdir(blobsDir).catch(() => [] as string[]);
  const partials: PartialDownload[] = [];
  for (const name of names.sort()) {
    const match = PARTIAL.exec(name);
    if (!match) continue;
    const file = path.join(blobsDir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const etag = match[1]!;
    const sidecar = path.join(blobsDir, `${etag}${SIDECAR_SUFFIX}`);
    const legacy = match[2] === undefined;
    partials.push({
      path: file,
      etag,
      bytes: stat.size,
      mtime: stat.mtimeMs,
      layout: legacy ? 'legacy' : 'modern',
      ...(legacy && (await lstatOrUndefined(sidecar)) ? { sidecar } : {}),
    });
  }
  return partials;
}

/** Every non-directory under `dir` (symlinks included, followed only to tell folders from files), like `glob("**\/*")`. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (folder: string, realParents: Set<string>): Promise<void> => {
    const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) isDir = (await fs.stat(full).catch(() => undefined))?.isDirectory() ?? false;
      if (!isDir) {
        out.push(full);
        continue;
      }
      // Guard against a symlinked folder that loops back up.
      const real = await fs.realpath(full).catch(() => full);
      if (realParents.has(real) || [...realParents].some((p) => isInside(real, p))) continue;
      await visit(full, new Set([...realParents, real]));
    }
  };
  await visit(dir, new Set([await fs.realpath(dir).catch(() => dir)]));
  return out.sort();
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  return fs.lstat(p).catch(() => undefined);
}
