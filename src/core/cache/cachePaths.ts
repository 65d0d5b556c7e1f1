import path from 'node:path';
import { InvalidRepoIdError, parseRepoId } from '../hub/repoId';
import { InvalidCommitShaError, InvalidEtagError, InvalidRefNameError, UnsafeRepoPathError } from './cacheErrors';

/**
 * The on-disk layout of the Hugging Face cache (huggingface_hub `file_download.py`):
 * ```
 * <root>/.locks/models--org--name/<etag>.lock
 * <root>/models--org--name/blobs/<etag>                 bytes
 * <root>/models--org--name/blobs/<etag>.incomplete      our partial (Python <=1.17 resumes it)
 * <root>/models--org--name/blobs/<etag>.incomplete.json our download sidecar (see below)
 * <root>/models--org--name/refs/<ref>                   commit sha, no newline
 * <root>/models--org--name/snapshots/<commit>/<path>    relative symlink to ../../blobs/<etag>
 * <root>/models--org--name/trees/<commit>.json          the repo's file list at that commit (huggingface_hub >= 2.0)
 * <root>/models--org--name/.no_exist/<commit>/<path>    negative cache
 * ```
 */
/** The repo types huggingface_hub 2.0 caches (`constants.REPO_TYPES_MAPPING`; `kernels--` is new in 2.0). */
export type RepoType = 'model' | 'dataset' | 'space' | 'kernel';
export const REPO_TYPES: readonly RepoType[] = ['model', 'dataset', 'space', 'kernel'];

/** huggingface_hub `constants.REPO_ID_SEPARATOR`. */
export const REPO_ID_SEPARATOR = '--';

/**
 * Suffix of the download engine's sidecar, next to the partial: `blobs/<etag>.incomplete.json`.
 * Python never looks at it: `scan_cache_dir` only reads `snapshots/` and `refs/`, `hf cache` lists
 * and prunes `blobs/*.incomplete` (a glob that does not match `.incomplete.json`), and downloads only
 * open `blobs/<etag>.incomplete` / `blobs/<etag>.<8 hex>.incomplete`. If Python prunes the partial,
 * the sidecar is left orphaned; `deletePartials` removes orphans too.
 */
export const SIDECAR_SUFFIX = '.incomplete.json';

const COMMIT_SHA = /^[0-9a-f]{40}$/;
const ETAG = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `models--org--name` (also `datasets--…`, `spaces--…`), huggingface_hub `repo_folder_name`. */
export function repoFolderName(repoId: string, repoType: RepoType = 'model'): string {
  return [`${repoType}s`, ...checkedRepoId(repoId).split('/')].join(REPO_ID_SEPARATOR);
}

/**
 * Accepts `owner/name`, and also the few old canonical ids without an owner (`gpt2`, `bert-base-uncased`)
 * that people still have in their caches, so they can be scanned and deleted.
 */
function checkedRepoId(repoId: string): string {
  if (repoId.includes('/')) return parseRepoId(repoId).id;
  const id = repoId.trim();
  if (!REPO_PART.test(id) || id.includes('--') || id.includes('..') || /[-.]$/.test(id) || id.length > 96) {
    throw new InvalidRepoIdError(repoId, 'not a valid model name');
  }
  return id;
}

/** Whether `commit` is a full commit id (40 lower-case hex, `REGEX_COMMIT_HASH` in Python). */
export function isCommitSha(commit: string): boolean {
  return COMMIT_SHA.test(commit);
}

/** Throws {@link InvalidCommitShaError} unless `commit` names a snapshot folder. */
export function assertCommitSha(commit: string): string {
  if (!isCommitSha(commit)) throw new InvalidCommitShaError(commit);
  return commit;
}

/** Throws {@link InvalidEtagError} unless `etag` is a git sha1 or sha256 in lower-case hex. */
export function assertEtag(etag: string): string {
  if (!ETAG.test(etag)) throw new InvalidEtagError(etag);
  return etag;
}

/**
 * Checks a branch or tag name with git's rules (`git check-ref-format`), which the Hub enforces;
 * those rules also keep the file under `refs/` (no `..`, no absolute path, no backslash).
 * `refs/pr/1` is allowed: Python stores it as `refs/refs/pr/1`.
 */
export function assertRefName(ref: string): string {
  const fail = (reason: string): never => {
    throw new InvalidRefNameError(ref, reason);
  };
  if (ref.length === 0) fail('empty');
  if (ref === '@') fail('"@" alone is not a name');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) fail('spaces, control characters and ~ ^ : ? * [ \\ are not allowed');
  if (ref.includes('..')) fail('".." is not allowed');
  if (ref.includes('@{')) fail('"@{" is not allowed');
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) fail('empty path component');
  if (ref.endsWith('.')) fail('may not end with "."');
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) fail('a component may not start with "."');
    if (part.endsWith('.lock')) fail('a component may not end with ".lock"');
  }
  if (isCommitSha(ref)) fail('a commit id is not stored as a ref');
  return ref;
}

/**
 * Validates a Hub file path (always `/`-separated) before it is joined onto a snapshot folder, on
 * every OS, under both POSIX and Windows rules (like huggingface_hub `_validate_relative_filename`,
 * plus the stricter checks below), so a malicious repo cannot make us write outside the snapshot.
 * Returns the path unchanged.
 */
export function safeRepoRelativePath(repoPath: string): string {
  const fail = (reason: string): never => {
    throw new UnsafeRepoPathError(repoPath, reason);
  };
  if (typeof repoPath !== 'string' || repoPath.length === 0) fail('empty path');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(repoPath)) fail('contains a NUL or control character');
  if (repoPath.includes('\\')) fail('contains a backslash, a folder separator on Windows');
  if (repoPath.startsWith('/')) fail('absolute path');
  for (const segment of repoPath.split('/')) {
    if (segment.length === 0) fail('empty folder name ("//" or a trailing "/")');
    if (/^\.+$/.test(segment)) fail(`"${segment}" segment`);
    // `C:x` anywhere would make Windows' path join drop everything before it.
    if (/^[A-Za-z]:/.test(segment)) fail('drive letter');
  }
  return repoPath;
}

/** Every path of one repo in one cache root. Ids, commits, etags, refs and file paths are validated. */
export interface RepoCachePaths {
  readonly root: string;
  readonly repoId: string;
  readonly repoType: RepoType;
  /** `models--org--name`. */
  readonly folderName: string;
  readonly repoDir: string;
  readonly blobsDir: string;
  readonly refsDir: string;
  readonly snapshotsDir: string;
  readonly noExistDir: string;
  /** `trees/`: one file list per commit, see `treeListing.ts`. */
  readonly treesDir: string;
  /** `<root>/.locks/models--org--name`. */
  readonly locksDir: string;
  blob(etag: string): string;
  /** `blobs/<etag>.incomplete`: the name Python <=1.17 resumes from. */
  incomplete(etag: string): string;
  /** `blobs/<etag>.incomplete.json`, see {@link SIDECAR_SUFFIX}. */
  sidecar(etag: string): string;
  ref(ref: string): string;
  snapshotDir(commit: string): string;
  snapshotFile(commit: string, repoPath: string): string;
  /** `trees/<commit>.json`. */
  treeListing(commit: string): string;
  lock(etag: string): string;
  noExist(commit: string, repoPath: string): string;
}

/** Builds {@link RepoCachePaths}; `root` is made absolute. */
export function repoCachePaths(root: string, repoId: string, repoType: RepoType = 'model'): RepoCachePaths {
  const absRoot = path.resolve(root);
  const folderName = repoFolderName(repoId, repoType);
  const repoDir = path.join(absRoot, folderName);
  const blobsDir = path.join(repoDir, 'blobs');
  const snapshotsDir = path.join(repoDir, 'snapshots');
  const refsDir = path.join(repoDir, 'refs');
  const noExistDir = path.join(repoDir, '.no_exist');
  const treesDir = path.join(repoDir, 'trees');
  const locksDir = path.join(absRoot, '.locks', folderName);
  const local = (p: string) => safeRepoRelativePath(p).split('/');
  return {
    root: absRoot,
    repoId: repoId.trim(),
    repoType,
    folderName,
    repoDir,
    blobsDir,
    refsDir,
    snapshotsDir,
    noExistDir,
    treesDir,
    locksDir,
    blob: (etag) => path.join(blobsDir, assertEtag(etag)),
    incomplete: (etag) => path.join(blobsDir, `${assertEtag(etag)}.incomplete`),
    sidecar: (etag) => path.join(blobsDir, `${assertEtag(etag)}${SIDECAR_SUFFIX}`),
    ref: (ref) => path.join(refsDir, ...assertRefName(ref).split('/')),
    snapshotDir: (commit) => path.join(snapshotsDir, assertCommitSha(commit)),
    snapshotFile: (commit, repoPath) => path.join(snapshotsDir, assertCommitSha(commit), ...local(repoPath)),
    treeListing: (commit) => path.join(treesDir, `${assertCommitSha(commit)}.json`),
    lock: (etag) => path.join(locksDir, `${assertEtag(etag)}.lock`),
    noExist: (commit, repoPath) => path.join(noExistDir, assertCommitSha(commit), ...local(repoPath)),
  };
}

/** True when `target` is `dir` itself or inside it (both absolute). */
export function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
