import { type CachedRepo } from '../cache/cachedRepo';

/** A partial download untouched for this long is "stale": probably abandoned, offered for clean-up. */
export const STALE_PARTIAL_MS = 24 * 60 * 60 * 1000;

export interface StorageSummary {
  readonly cacheRoot: string;
  /** Every repo in the cache (models, datasets, spaces), partial downloads included. */
  readonly totalBytes: number;
  /** Largest first. */
  readonly repos: readonly { readonly repoId: string; readonly repoType: string; readonly bytes: number }[];
  readonly partials: readonly { readonly repoId: string; readonly bytes: number; readonly stale: boolean }[];
  readonly stalePartialBytes: number;
}

/**
 * `filesBytes`: the scan's `sizeOnDisk` (files shared between repos counted once); without it, the sum
 * of the repos' sizes.
 */
export function summarizeStorage(cacheRoot: string, repos: readonly CachedRepo[], now: number, filesBytes?: number): StorageSummary {
  const partials = repos.flatMap((r) =>
    r.partials.map((p) => ({ repoId: r.repoId, bytes: p.bytes, stale: now - p.mtime > STALE_PARTIAL_MS })),
  );
  const partialBytes = partials.reduce((n, p) => n + p.bytes, 0);
  return {
    cacheRoot,
    totalBytes: (filesBytes ?? repos.reduce((n, r) => n + r.sizeOnDisk, 0)) + partialBytes,
    repos: repos
      .map((r) => ({ repoId: r.repoId, repoType: r.repoType, bytes: r.sizeOnDisk + r.partials.reduce((n, p) => n + p.bytes, 0) }))
      .sort((a, b) => b.bytes - a.bytes),
    partials,
    stalePartialBytes: partials.filter((p) => p.stale).reduce((n, p) => n + p.bytes, 0),
  };
}
