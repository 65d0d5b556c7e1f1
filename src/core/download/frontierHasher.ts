import { type Hash } from 'node:crypto';
import { type FileHandle } from 'node:fs/promises';

/** Read-back buffer size: big enough for few syscalls, small enough to keep memory flat. */
const READ_CHUNK = 1024 * 1024;

/**
 * One read-back buffer for every file hashed on this thread, lent to one read (and its hash) at a
 * time, in the order asked. Files downloaded together (a sharded model) each had their own before: a
 * MiB of RSS apiece, and a new one per round was garbage that outlived young-generation GCs. Reading
 * back is page-cache speed (a read and its hash take about a millisecond per MiB), well above what a
 * link that leaves hashing on this thread delivers.
 */
let readBuffer: Buffer | undefined;
let lane: Promise<unknown> = Promise.resolve();

function withReadBuffer<T>(work: (buffer: Buffer) => Promise<T>): Promise<T> {
  const turn = lane.then(() => work((readBuffer ??= Buffer.allocUnsafe(READ_CHUNK))));
  lane = turn.catch(() => undefined);
  return turn;
}

/**
 * Hashes a file in byte order while several parts of it arrive out of order.
 *
 * SHA-256 and SHA-1 cannot be computed per part and combined, so the digest must see the bytes
 * from 0 to the end in order. Options were: buffer parts that arrive early (memory grows with the
 * file: ruled out by the 80 MB goal), hash everything in a second pass at the end (doubles the
 * disk reads and leaves the user waiting after the last byte), or this: hash chunks straight from
 * the network while they land exactly at the frontier (the end of the hashed prefix), and read
 * back from the file only bytes that were written ahead of it, as soon as the frontier reaches
 * them. Those reads are recent writes, mostly served from the page cache, and they overlap the
 * download, so the digest is ready moments after the last byte. Resuming is the same mechanism:
 * at start the frontier is 0 and everything already on disk is "ahead", so it is re-hashed once.
 *
 * The caller reports chunks only after their write completed and after updating `writtenEnd`'s
 * state, so that anything not hashed directly is guaranteed to be readable from the file.
 */
export class FrontierHasher {
  private position = 0;
  private reading: Promise<void> | undefined;
  private failure: unknown;
  private stopped = false;

  constructor(
    private readonly hash: Hash,
    private readonly file: FileHandle,
    /** End of the contiguous run of written bytes starting at a position. */
    private readonly writtenEnd: (from: number) => number,
  ) {}

  /** Starts reading back whatever is written ahead of the frontier (on resume: the bytes on disk). */
  poke(): void {
    this.catchUp();
  }

  /** Bytes hashed so far (the frontier). */
  get frontier(): number {
    return this.position;
  }

  /** A chunk was written at `offset`. Hashed at once if it sits at the frontier, else read back later. */
  offer(offset: number, chunk: Uint8Array): void {
    if (!this.reading && offset === this.position) {
      this.hash.update(chunk);
      this.position += chunk.length;
    }
    this.catchUp();
  }

  /** Hashes every written byte up to `size` and returns the hex digest. */
  async digest(size: number): Promise<string> {
    // Loop: offers that raced the end of a read-back leave bytes for one more round.
    for (this.catchUp(); this.reading; this.catchUp()) await this.reading;
    if (this.failure) throw this.failure;
    if (this.position !== size) throw new Error(`internal: hashed ${this.position} of ${size} bytes`);
    return this.hash.digest('hex');
  }

  /** Stops reading (the caller is about to close the file). */
  async settle(): Promise<void> {
    this.stopped = true;
    while (this.reading) await this.reading;
  }

  private catchUp(): void {
    if (this.reading || this.failure || this.stopped || this.writtenEnd(this.position) <= this.position) return;
    this.reading = this.readBack()
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.reading = undefined;
        this.catchUp();
      });
  }

  private async readBack(): Promise<void> {
    // Re-evaluated after each read: parts keep landing while we read.
    while (!this.stopped && this.writtenEnd(this.position) > this.position) {
      await withReadBuffer(async (buffer) => {
        const length = Math.min(READ_CHUNK, this.writtenEnd(this.position) - this.position);
        if (this.stopped || length <= 0) return;
        const { bytesRead } = await this.file.read(buffer, 0, length, this.position);
        if (bytesRead <= 0) throw new Error(`internal: file shorter than its written parts at ${this.position}`);
        this.hash.update(buffer.subarray(0, bytesRead));
        this.position += bytesRead;
      });
    }
  }
}
