import { type FileHandle } from 'node:fs/promises';

const MiB = 1024 * 1024;

/**
 * With `syncToDisk` (see TransferOptions), asks the kernel to write the partial file to disk while the
 * download goes on, one `fdatasync` at a time every `everyBytes` written. The transfer then ends with an
 * `fdatasync` before the blob is renamed into place; without these earlier flushes, that last call had
 * the whole file to write back: half a second of a 2 GB download spent waiting at the end. Flushing
 * along the way overlaps that write-back with the network, and leaves the final call only the tail.
 * Disabled, it does nothing.
 *
 * Failures are ignored here: the final `fdatasync` reports them.
 */
export class ProgressiveFlush {
  private unflushed = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly enabled: boolean,
    private readonly everyBytes = 128 * MiB,
  ) {}

  /** Counts bytes just written; starts a flush when enough have piled up and none is running. */
  wrote(bytes: number): void {
    if (!this.enabled) return;
    this.unflushed += bytes;
    if (this.unflushed < this.everyBytes || this.inFlight) return;
    this.unflushed = 0;
    this.inFlight = this.handle.datasync().then(
      () => this.done(),
      () => this.done(),
    );
  }

  /** Resolves once no flush is running (before the final flush, and before the file is closed). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private done(): void {
    this.inFlight = undefined;
  }
}
