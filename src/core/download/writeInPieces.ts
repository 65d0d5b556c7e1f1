import { write } from 'node:fs';
import { type FileHandle } from 'node:fs/promises';

/**
 * Largest single write. Linux sizes page-cache folios after the write: a 512 KiB write gets 512 KiB
 * folios, which come from splitting free 2 MiB blocks. On a VM that hands idle free memory back to
 * its host (free page reporting, a DAMON pageout scheme here), those blocks must be faulted in again,
 * and once memory is fragmented (after a memory-hungry job) large folios need compaction too. Writing
 * 2 GB with dd on this VM: 512 KiB writes 1.5–2.4 s of CPU; 128 KiB 0.35 s on a quiet machine but up
 * to 1.4 s after the test suite had run; 64 KiB a steady 0.40 s; 16 KiB 0.6 s (a syscall per write).
 */
// (The hashing worker, which writes a fast link's slabs, times 64 and 256 KiB pieces and uses the
// cheaper: there, 256 KiB often won. See pieceSizeChooser.ts.)
const MAX_WRITE_BYTES = 64 * 1024;

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
