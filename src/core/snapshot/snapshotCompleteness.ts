import { type CachedRepo, type CachedRevision, type PartialDownload } from '../cache/cachedRepo';
import { MLX_ALLOW_PATTERNS } from './allowPatterns';
import { missingByConvention } from './missingByConvention';
import { type MissingFile } from './missingFile';
import { missingFromListing } from './missingFromListing';

export interface SnapshotCompleteness {
  readonly complete: boolean;
  /**
   * `tree-listing`: judged exactly, against `trees/<commit>.json`. `conventions`: no listing, so judged by
   * what mlx_lm cannot do without (see `missingByConvention`) and by downloads still waiting in `blobs/`.
   */
  readonly basis: 'tree-listing' | 'conventions';
  readonly missing: readonly MissingFile[];
  /** Partial downloads that may belong to this snapshot (only judged without a listing). */
  readonly waitingPartials: readonly PartialDownload[];
}

/**
 * Whether a snapshot holds what mlx_lm loads, whatever a ref says: huggingface_hub writes `refs/<branch>`
 * before it downloads a single file, so a ref proves nothing.
 *
 * - With a tree listing: complete iff every listed file matching `allow` is in the snapshot at its listed size.
 * - Without one: complete iff nothing is visibly missing and no partial download in `blobs/` may still be
 *   one of its files. A partial is someone else's when its blob is already linked here, when another
 *   revision's listing names it (our downloads and huggingface_hub >= 2.0 write the listing before the
 *   first byte), or when another snapshot without a listing is itself unfinished — an update in progress
 *   must not turn the revision it replaces into a partial download.
 */
export function snapshotCompleteness(repo: CachedRepo, revision: CachedRevision, allow: readonly string[] = MLX_ALLOW_PATTERNS): SnapshotCompleteness {
  if (revision.treeListing) {
    const missing = missingFromListing(revision, revision.treeListing, allow);
    return { complete: missing.length === 0, basis: 'tree-listing', missing, waitingPartials: [] };
  }
  const missing = missingByConvention(revision);
  const waitingPartials = repo.partials.filter((p) => !belongsElsewhere(repo, revision, p));
  return { complete: missing.length === 0 && waitingPartials.length === 0, basis: 'conventions', missing, waitingPartials };
}

function belongsElsewhere(repo: CachedRepo, revision: CachedRevision, partial: PartialDownload): boolean {
  const etag = partial.etag.toLowerCase();
  if (revision.files.some((f) => f.etag === etag)) return true;
  return repo.revisions.some((other) => {
    if (other === revision) return false;
    if (!other.treeListing) return missingByConvention(other).length > 0;
    return [...other.treeListing.values()].some((e) => (e.lfs_sha256 ?? e.blob_id).toLowerCase() === etag);
  });
}
