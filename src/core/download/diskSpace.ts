import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../format/formatBytes';

/** There is not enough room for a download; says how much, where, and what to do. */
export class InsufficientDiskSpaceError extends Error {
  override readonly name = 'InsufficientDiskSpaceError';
  constructor(
    readonly dir: string,
    readonly neededBytes: number,
    readonly freeBytes: number,
  ) {
    super(
      `Not enough disk space in ${dir}: the download needs ${formatBytes(neededBytes)} but only ${formatBytes(freeBytes)} is free. ` +
        `Free up at least ${formatBytes(neededBytes - freeBytes)} (for example by deleting unused models), or move the Hugging Face cache (HF_HUB_CACHE) to a larger disk.`,
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
   * @default 1% of neededBytes, at least 100 MB
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
  const margin = options.marginBytes ?? Math.max(100_000_000, Math.ceil(options.neededBytes / 100));
  const needed = options.neededBytes + margin;
  if (free < needed) throw new InsufficientDiskSpaceError(options.dir, needed, free);
  return free;
}
