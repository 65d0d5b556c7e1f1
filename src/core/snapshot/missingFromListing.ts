import { type CachedRevision } from '../cache/cachedRepo';
import { type TreeListing } from '../cache/treeListing';
import { matchesAnyPattern } from './allowPatterns';
import { type MissingFile } from './missingFile';

/**
 * The files of the repo's tree listing that match `allow` and are not in the snapshot, or not at the
 * listed size. huggingface_hub's offline `snapshot_download` raises IncompleteSnapshotError on the same
 * comparison (`_raise_if_incomplete_snapshot` in `_snapshot_download.py`, which checks presence only;
 * the size also catches a file copied or moved in only in part).
 */
export function missingFromListing(revision: CachedRevision, listing: TreeListing, allow: readonly string[]): MissingFile[] {
  const sizes = new Map(revision.files.map((f) => [f.path, f.size]));
  const missing: MissingFile[] = [];
  for (const [repoPath, entry] of listing) {
    if (!matchesAnyPattern(repoPath, allow)) continue;
    const size = sizes.get(repoPath);
    if (size === undefined) missing.push({ path: repoPath, reason: 'not in the snapshot' });
    else if (size !== entry.size) missing.push({ path: repoPath, reason: `${size} bytes, the listing says ${entry.size}` });
  }
  return missing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
