import { formatBytes } from '../format/formatBytes';
import { formatDuration } from '../format/formatDuration';
import { redactUrl } from '../http/httpStatusError';

/** The bytes arrived but do not hash to what the Hub promised. The partial file has been removed. */
export class HashMismatchError extends Error {
  override readonly name = 'HashMismatchError';
  constructor(
    readonly url: string,
    readonly algorithm: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The downloaded file is corrupt (${algorithm} ${actual.slice(0, 12)}… instead of ${expected.slice(0, 12)}…, from ${redactUrl(url)}). ` +
        'It was deleted; download again. If this repeats, a proxy or antivirus may be altering downloads.',
    );
  }
}

/** The server sent more or fewer bytes than the file's known size. */
export class SizeMismatchError extends Error {
  override readonly name = 'SizeMismatchError';
  constructor(
    readonly url: string,
    readonly expectedSize: number,
    readonly actualSize: number,
  ) {
    super(
      `The server sent ${actualSize} bytes where ${expectedSize} were expected (${redactUrl(url)}). ` +
        'The file may have changed on the Hub: refresh the model list and download again.',
    );
  }
}

/** The disk filled up mid-download. Partial file and sidecar are kept: free space and resume. */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  constructor(
    readonly path: string,
    readonly bytesDone: number,
    readonly expectedSize: number,
  ) {
    super(
      `The disk is full (writing ${path}). Free at least ${formatBytes(expectedSize - bytesDone)} and download again: ` +
        `the ${formatBytes(bytesDone)} already downloaded are kept and the download resumes.`,
    );
  }
}

/** The caller aborted. Partial file and sidecar are consistent; the next call resumes. */
export class TransferCancelledError extends Error {
  override readonly name = 'TransferCancelledError';
  constructor(
    readonly url: string,
    readonly bytesDone: number,
  ) {
    super(`Download cancelled after ${formatBytes(bytesDone)}; it resumes from there next time.`);
  }
}

/**
 * Retries ran out: the network or the server kept failing without making progress. Or the server asked
 * for a longer wait than downloads sit through (`serverWaitMs`): it is down for now.
 */
export class TransferFailedError extends Error {
  override readonly name = 'TransferFailedError';
  constructor(
    readonly url: string,
    readonly attempts: number,
    override readonly cause: unknown,
    /** The last HTTP status seen, when the failures were HTTP errors. */
    readonly status?: number,
    /** The wait the server asked for (Retry-After), when that is why the download stopped. */
    readonly serverWaitMs?: number,
  ) {
    super(
      serverWaitMs !== undefined
        ? `The download server is unavailable${status !== undefined ? ` (HTTP ${status})` : ''} and asks to wait ${formatDuration(serverWaitMs / 1000)} before trying again (${redactUrl(url)}). ` +
            'Download again later; what was downloaded is kept.'
        : `Download failed${attempts > 1 ? ` after ${attempts} attempts without progress` : ''} (${redactUrl(url)}): ${cause instanceof Error ? cause.message : String(cause)}. ` +
            'Check your connection or proxy settings and download again; what was downloaded is kept.',
    );
  }
}
