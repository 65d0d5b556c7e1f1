import { type Dispatcher } from 'undici';
import { type ExpectedHash } from '../cache/contentHash';
import { type Logger } from '../logging/logger';
import { FileTransfer } from './fileTransfer';

/** One file to fetch into a partial file. */
export interface TransferOptions {
  /** Where the bytes are (a CDN URL, or a resolve URL whose redirect is followed). */
  readonly url: string;
  /**
   * Returns a fresh URL when the current one expired (CDN 403/410, or 400 "expired"); the transfer
   * then continues where it was. Without it, a URL reached by redirect is re-resolved by following
   * the redirect again.
   */
  readonly resolveUrl?: () => Promise<string>;
  /** The file being filled, e.g. `blobs/<etag>.incomplete`. The caller renames it once this resolves. */
  readonly partialPath: string;
  /** Small JSON next to the partial file recording which byte ranges are on disk. Deleted on success. */
  readonly sidecarPath: string;
  readonly expectedSize: number;
  readonly expectedHash: ExpectedHash;
  readonly dispatcher: Dispatcher;
  /** Extra request headers (e.g. Authorization). Dropped for hosts other than `url`'s. */
  readonly headers?: Record<string, string>;
  /**
   * Connections used for one large file.
   * @default 8
   */
  readonly connections?: number;
  /**
   * Start with one connection and open up to `connections` only when it stays below about 60 MB/s
   * (a CDN capping each connection), keeping them only if they at least double the throughput (see
   * ConnectionProbe); on a fast link (LAN, loopback) extra connections only cost CPU and memory.
   * Either way, all files of the process share at most 32 connections.
   * @default false (open `connections` at once)
   */
  readonly adaptiveConnections?: boolean;
  /**
   * Adaptive connections count a connection as capped below this rate (see adaptiveConnections).
   * @default 60000000
   */
  readonly fastConnectionBytesPerSecond?: number;
  /**
   * Called when adaptive connections find each connection slow and open more: the link looks capped
   * per connection (a CDN), so other large files may as well run alongside.
   */
  readonly onCappedLink?: () => void;
  /** Called when more connections turned out not to help (the slowness was not a per-connection cap). */
  readonly onFastLink?: () => void;
  /**
   * With adaptive connections: what the caller's other transfers found out about the link. While it
   * says `true` (one found each connection capped), this transfer opens all its connections at once,
   * or as soon as it is told, instead of finding the cap out again on one; once it says `false` again
   * (more connections did not help after all), it goes back to one.
   */
  readonly linkCapped?: () => boolean;
  /**
   * Called once every byte is in the partial file, before the final flush to disk and the hash
   * check: the network is free for the next file from then on.
   */
  readonly onReceived?: () => void;
  /**
   * Files larger than this are fetched as several Range parts in parallel.
   * @default 67108864 (64 MiB)
   */
  readonly partThresholdBytes?: number;
  /**
   * Parts are never planned or split smaller than this.
   * @default 8388608 (8 MiB)
   */
  readonly minPartBytes?: number;
  /**
   * Parts are planned no larger than this and fetched in file order, so the in-order hash keeps up
   * with the download (one request per part, on kept-alive connections).
   * @default 16777216 (16 MiB)
   */
  readonly maxPartBytes?: number;
  /**
   * Failures in a row without a byte of progress, per connection, before giving up.
   * @default 5
   */
  readonly maxRetries?: number;
  /**
   * A connection that delivers no byte for this long is dropped and reopened where it stopped.
   * @default 10000
   */
  readonly stallTimeoutMs?: number;
  /**
   * First backoff step; each further failure doubles it (with jitter), up to 30 s.
   * @default 500
   */
  readonly retryBaseDelayMs?: number;
  /**
   * A server asking (Retry-After, RateLimit) for a longer wait than this fails the file at once with
   * TransferFailedError naming the wait; shorter waits are waited out. The Hub client uses the same bound.
   * @default 60000
   */
  readonly maxServerWaitMs?: number;
  /**
   * Files at least this large may be written and hashed on the shared worker thread (see hashWorker.ts);
   * smaller ones always on the calling thread. Default 32 MiB; tests lower it to run the worker path on small files.
   */
  readonly workerMinBytes?: number;
  /**
   * A large file moves to the worker once its first `linkSpeedSampleBytes` (default 32 MiB) arrived at
   * least this fast (default 400 MB/s); 0: on the worker from the start (tests).
   */
  readonly workerBytesPerSecond?: number;
  readonly linkSpeedSampleBytes?: number;
  /**
   * What the caller's earlier transfers found (see `onHashingPlaceFound`): the link is fast enough
   * that a large file is hashed on the worker from its first byte, instead of after its sample (the
   * worker must then re-hash the sample, which made each file end later on a fast link).
   */
  readonly hashOnWorkerFromStart?: () => boolean;
  /** Called once a large file's first bytes showed whether the link is fast enough for the worker. */
  readonly onHashingPlaceFound?: (onWorker: boolean) => void;
  /**
   * Flush the file to the disk before the call resolves (and along the way, every 128 MiB), so that a
   * power cut right after cannot leave the blob with bytes only the page cache had. Off by default, as in
   * huggingface_hub, curl and aria2c: the kernel writes the file back within seconds anyway, and writing
   * 2 GB to disk inside the download cost 0.3–3 s on a VM (the disk's speed, not ours). A blob that a
   * crash left short is re-downloaded (sizes are checked), a damaged one is found by verify.
   */
  readonly syncToDisk?: boolean;
  /** Cancels every connection; the partial file and sidecar stay resumable. */
  readonly signal?: AbortSignal;
  /** Bytes of the file on disk so far (including bytes resumed from an earlier run). Called often: throttle downstream. */
  readonly onProgress?: (bytesDone: number) => void;
  readonly logger?: Logger;
}

export interface TransferResult {
  /** Bytes received and written during this call. */
  readonly bytesDownloaded: number;
  /** Bytes that were already on disk (and verified as part of the hash) when the call started. */
  readonly resumedFromBytes: number;
  /** The most connections open at once. */
  readonly connectionsUsed: number;
  /** Times the file had to start again from byte 0 (server ignored Range, 416, stale partial). */
  readonly restarts: number;
}

/**
 * Downloads one file into `partialPath`, resumable across runs and kills, verified against its
 * expected size and hash. Rejects with `HashMismatchError`, `SizeMismatchError`, `DiskFullError`,
 * `TransferCancelledError`, `TransferFailedError` or `HttpStatusError`, each with a user-facing message.
 */
export function transferFile(options: TransferOptions): Promise<TransferResult> {
  return new FileTransfer(options).run();
}
