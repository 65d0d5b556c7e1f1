import { type RepoType } from './cachePaths';
import { type TreeListing } from './treeListing';

/** What `scanCache` reports; mirrors huggingface_hub's `HFCacheInfo` / `CachedRepoInfo`, plus partials. */
export interface CacheScan {
  /** Absolute cache root. */
  readonly root: string;
  /** Every repo folder, the corrupted ones included (with `corruption` set). */
  readonly repos: CachedRepo[];
  /** One line per problem found, like Python's `warnings`; scanning never throws for a bad entry. */
  readonly warnings: string[];
  /**
   * Bytes of every file the revisions use, each counted once across repos, plus every payload of
   * huggingface_hub's shared blob store (see sharedBlobStore.ts): Python's `size_on_disk`. Repos that
   * share payloads each count them in their own `sizeOnDisk`, so this is less than their sum. Partial
   * downloads are not included.
   */
  readonly sizeOnDisk: number;
}

export interface CachedRepo {
  readonly repoId: string;
  readonly repoType: RepoType;
  /** `<root>/models--org--name`. */
  readonly path: string;
  /** Bytes of the distinct blobs the snapshots use (each counted once, symlinks followed). */
  readonly sizeOnDisk: number;
  /** Number of distinct blobs the snapshots use (Python's `nb_files`). */
  readonly nbFiles: number;
  /** Newest blob mtime (ms since epoch), or the repo folder's when there is no blob. */
  readonly lastModified: number;
  /** Newest blob atime (ms since epoch), or the repo folder's. */
  readonly lastAccessed: number;
  /** Ref name (`main`, `refs/pr/1`) → the text of its file. */
  readonly refs: Record<string, string>;
  readonly revisions: CachedRevision[];
  readonly partials: PartialDownload[];
  /** Why huggingface_hub's `scan_cache_dir` would reject this repo; absent when it is sound. */
  readonly corruption?: string;
}

export interface CachedRevision {
  readonly commit: string;
  /** `<repo>/snapshots/<commit>`. */
  readonly snapshotPath: string;
  readonly refs: string[];
  readonly files: CachedFile[];
  /** Bytes of the distinct blobs of this revision. */
  readonly sizeOnDisk: number;
  /** Newest blob mtime (ms), or the snapshot folder's when empty. */
  readonly lastModified: number;
  /**
   * Every file of the repo at this commit, from `trees/<commit>.json` (written by huggingface_hub >= 2.0 and
   * by our downloads); absent when there is none or it is unusable. Not part of any size, as in Python.
   */
  readonly treeListing?: TreeListing;
  /** The files `model.safetensors.index.json` names in its `weight_map`, when the snapshot has a readable one. */
  readonly indexedWeights?: readonly string[];
}

export interface CachedFile {
  /** Repo path, `/`-separated, relative to the snapshot. */
  readonly path: string;
  /** Where the bytes are after following every symlink (a real file in copy mode, or in a shared store). */
  readonly blobPath: string;
  readonly size: number;
  /** Blob name the file links to (its expected hash); absent for a real file (copy mode). */
  readonly etag?: string;
}

export interface PartialDownload {
  /** Absolute path of the `.incomplete` file. */
  readonly path: string;
  readonly etag: string;
  readonly bytes: number;
  /** ms since epoch. */
  readonly mtime: number;
  /** `legacy`: `<etag>.incomplete` (ours, Python <=1.17); `modern`: `<etag>.<8 hex>.incomplete` (Python >=1.18). */
  readonly layout: 'legacy' | 'modern';
  /** Our download sidecar next to it, when present. */
  readonly sidecar?: string;
}
