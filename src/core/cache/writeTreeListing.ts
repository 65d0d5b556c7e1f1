import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { repoCachePaths } from './cachePaths';
import { type RepoInCache } from './cacheWriter';
import { isValidTreeListing, readTreeListing, type TreeListing } from './treeListing';
import { formatTreeListing } from './treeListingJson';

export interface WriteTreeListingOptions extends RepoInCache {
  readonly commit: string;
  /** Every file of the repo at `commit` (see `treeListingFromRepoFiles`). */
  readonly listing: TreeListing;
}

/** Where the listing is, and whether this call wrote it. */
export interface WrittenTreeListing {
  readonly file: string;
  /** False when a usable listing was already there (written by us or by huggingface_hub), or the listing was refused. */
  readonly written: boolean;
}

/**
 * Records `trees/<commit>.json` as huggingface_hub >= 2.0 does at the start of `snapshot_download`:
 * written once per commit through a temporary file and a rename, so a reader never sees half of it, and
 * left alone when a usable one exists (a commit's file list never changes; the cache may be read-only).
 * Like the library, a listing with a malformed Xet hash is not written.
 */
export async function writeTreeListing(options: WriteTreeListingOptions): Promise<WrittenTreeListing> {
  const file = repoCachePaths(options.root, options.repoId, options.repoType).treeListing(options.commit);
  if (!isValidTreeListing(options.listing) || (await readTreeListing(file))) return { file, written: false };
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Named like the cache writer's other temps (`<name>.<8 hex>.tmp`), so removeLeftovers finds one a kill left behind.
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, formatTreeListing(options.listing), 'utf8');
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  return { file, written: true };
}
