import { write } from 'node:fs';
import { type FileHandle } from 'node:fs/promises';

/**
 * Largest single write. Linux sizes page-cache folios after the write: a 512 KiB write gets 512 KiB
 * folios, which come from splitting free 2 MiB blocks. On a VM that hands idle free memory back to
 * its host (free page reporting), those blocks must be faulted in again, and writing a 2 GB file in
 * 512 KiB writes cost 2.4 s of CPU against 0.5 s in 128 KiB writes (measured with dd here; curl
 * writes 16 KiB at a time). Small writes cost a syscall each, so not smaller than this.
 */
const MAX_WRITE_BYTES = 128 * 1024;

/**
 * Writes all of `data` at `position`, as concurrent writes of at most MAX_WRITE_BYTES (the thread
 * pool runs them side by side, so a slab is written no slower than by one big write). Settles only
 * when every piece has: the caller may reuse `data` right after, even when one piece failed.
 *
 * Uses the callback `fs.write` on the handle's descriptor: one promise per call instead of one per
 * piece, on the thread that also receives every byte (the busiest one in a fast download).
 */
export function writeInPieces(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let pending = 0;
    let failure: NodeJS.ErrnoException | undefined;
    const settleOne = (error: NodeJS.ErrnoException | null) => {
      if (error) failure ??= error;
      if (--pending > 0) return;
      if (failure) reject(failure);
      else resolve();
    };
    const writePiece = (offset: number, end: number) => {
      pending++;
      write(handle.fd, data, offset, end - offset, position + offset, (error, written) => {
        // `write` may stop short (rare on regular files): write the rest before this piece counts.
        if (!error && offset + written < end) writePiece(offset + written, end);
        settleOne(error);
      });
    };
    if (data.length === 0) return resolve();
    for (let offset = 0; offset < data.length; offset += MAX_WRITE_BYTES) writePiece(offset, Math.min(offset + MAX_WRITE_BYTES, data.length));
  });
}
