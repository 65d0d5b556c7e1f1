import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../format/formatBytes';

const MIN_MARGIN_BYTES = 10_000_000;
const MAX_MARGIN_BYTES = 100_000_000;

/**
 * Room kept free on top of a download's own bytes, so that a download never fills the disk to the last
 * byte: the cache writes more than the files (`trees/<commit>.json`, up to a few MB for a repo of many
 * thousand files; refs, locks, sidecars), the file system needs its share (a partly used block per file,
 * extents, the journal), and other programs keep writing meanwhile.
 *
 * 5% of the download covers that overhead, which grows with the download; at least 10 MB, which is all the
 * cache's own bookkeeping needs however small the model; at most 100 MB, a reserve that is plenty at any
 * size. (The former "1%, at least 100 MB" refused a 3 MB model on a disk with 21 MB free.) The pre-check
 * and the disk-full message mid-download both use this, so what one asks for the other asks for too.
 */
export function freeSpaceMargin(neededBytes: number): number {
  return Math.min(MAX_MARGIN_BYTES, Math.max(MIN_MARGIN_BYTES, Math.ceil(neededBytes * 0.05)));
}

/** How much more must be freed for `neededBytes` plus `marginBytes` to fit in `freeBytes` (0 when it fits). */
export function bytesToFree(neededBytes: number, marginBytes: number, freeBytes: number): number {
  return Math.max(0, neededBytes + marginBytes - freeBytes);
}

/** `3.0 MB (+10 MB kept free)`: a download's own bytes, then the margin, never summed into one number. */
export function describeNeed(neededBytes: number, marginBytes: number): string {
  return `${formatBytes(neededBytes)}${marginBytes > 0 ? ` (+${formatBytes(marginBytes)} kept free)` : ''}`;
}

/** There is not enough room for a download; says how much, where, and what to do. */
export class InsufficientDiskSpaceError extends Error {
  override readonly name = 'InsufficientDiskSpaceError';
  constructor(
    readonly dir: string,
    /** Bytes the download's files still need. */
    readonly neededBytes: number,
    readonly freeBytes: number,
    /** Kept free on top of `neededBytes` (see {@link freeSpaceMargin}). */
    readonly marginBytes = 0,
  ) {
    super(
      `Not enough disk space in ${dir}: the download needs ${describeNeed(neededBytes, marginBytes)} but only ${formatBytes(freeBytes)} is free. ` +
        `Free up at least ${formatBytes(bytesToFree(neededBytes, marginBytes, freeBytes))} (for example by deleting unused models), or move the Hugging Face cache (HF_HUB_CACHE) to a larger disk.`,
    );
  }
}

/** Options of {@link ensureFreeSpace}. */
export interface FreeSpaceOptions {
  /** A folder on the target disk. It need not exist yet: its nearest existing parent is checked. */
  readonly dir: string;
  /** Bytes still to be written (for a resumed download, only what is missing). */
  readonly neededBytes: number;
  /**
   * Room to leave for the system and other programs; a disk filled to the last byte breaks more than the download.
   * @default {@link freeSpaceMargin}(neededBytes): 5% of it, at least 10 MB, at most 100 MB
   */
  readonly marginBytes?: number;
}

/** Bytes an unprivileged process may still write on the disk holding `dir`. */
export async function freeBytesAt(dir: string): Promise<number> {
  let probe = path.resolve(dir);
  for (;;) {
    try {
      const stats = await fs.statfs(probe);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw error;
      probe = parent;
    }
  }
}

/** Throws {@link InsufficientDiskSpaceError} before a download that cannot fit. Returns the free bytes. */
export async function ensureFreeSpace(options: FreeSpaceOptions): Promise<number> {
  const free = await freeBytesAt(options.dir);
  const margin = options.marginBytes ?? freeSpaceMargin(options.neededBytes);
  if (bytesToFree(options.neededBytes, margin, free) > 0) throw new InsufficientDiskSpaceError(options.dir, options.neededBytes, free, margin);
  return free;
}
