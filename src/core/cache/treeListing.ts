import { promises as fs } from 'node:fs';
import { type RepoFile } from '../hub/repoFile';

/**
 * `trees/<commit>.json`: every file of a repo at one commit, as huggingface_hub >= 2.0 caches the Hub's
 * recursive tree listing next to the snapshots (modelled on its `_tree_cache.py`, read by
 * `_snapshot_download.py`). A commit never changes, so the listing is valid forever. The library reads it
 * to work offline (`snapshot_download(revision=<commit>)` needs it) and to tell a complete snapshot from
 * an interrupted one; we read it for the same reasons, and for the expected hash of copied files.
 */

/** The only format version the library reads (`TREE_CACHE_FORMAT_VERSION`); any other is ignored. */
export const TREE_LISTING_FORMAT_VERSION = 1;

/** One file of the listing, with the field names of the JSON file. */
export interface TreeListingEntry {
  readonly size: number;
  /** Git blob sha1 of the file (the tree's `oid`). */
  readonly blob_id: string;
  /** LFS files only: sha256 of the content, and its size. */
  readonly lfs_sha256?: string;
  readonly lfs_size?: number;
  readonly xet_hash?: string;
}

/** Repo path (`/`-separated) → entry. Folders are not listed. */
export type TreeListing = ReadonlyMap<string, TreeListingEntry>;

/** The library's `is_valid_xet_hash`. */
const XET_HASH = /^[0-9a-fA-F]{64}$/;

/** The listing of the Hub's tree, every file, not only those a download fetches (as `snapshot_download` records it). */
export function treeListingFromRepoFiles(files: readonly RepoFile[]): TreeListing {
  return new Map(
    files.map((f) => [
      f.path,
      {
        size: f.size,
        blob_id: f.oid,
        ...(f.lfs ? { lfs_sha256: f.lfs.sha256, lfs_size: f.lfs.size } : {}),
        ...(f.xetHash !== undefined ? { xet_hash: f.xetHash } : {}),
      },
    ]),
  );
}

/** The library refuses a listing whose Xet hashes look wrong (`is_valid_tree_entries`): it neither writes nor trusts it. */
export function isValidTreeListing(listing: TreeListing): boolean {
  return [...listing.values()].every((e) => e.xet_hash === undefined || XET_HASH.test(e.xet_hash));
}

/**
 * Parses a listing file; undefined for anything the library would also ignore (another format version,
 * a broken file) or that could not name a file safely (a size that is not a whole number, a blob id
 * that is not a string).
 */
export function parseTreeListing(text: string): TreeListing | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || data.format_version !== TREE_LISTING_FORMAT_VERSION || !isRecord(data.files)) return undefined;
  const listing = new Map<string, TreeListingEntry>();
  for (const [repoPath, info] of Object.entries(data.files)) {
    if (!isRecord(info) || !isSize(info.size) || typeof info.blob_id !== 'string') return undefined;
    const lfs = typeof info.lfs_sha256 === 'string' ? { lfs_sha256: info.lfs_sha256, ...(isSize(info.lfs_size) ? { lfs_size: info.lfs_size } : {}) } : {};
    const xet = typeof info.xet_hash === 'string' ? { xet_hash: info.xet_hash } : {};
    listing.set(repoPath, { size: info.size, blob_id: info.blob_id, ...lfs, ...xet });
  }
  return isValidTreeListing(listing) ? listing : undefined;
}

/** Reads `trees/<commit>.json`; undefined when there is none or it cannot be used. */
export async function readTreeListing(file: string): Promise<TreeListing | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseTreeListing(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
