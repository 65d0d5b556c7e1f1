import { describeNeed } from '../download/diskSpace';
import { DiskFullError } from '../download/transferErrors';
import { formatBytes } from '../format/formatBytes';

/** The repo has no file mlx_lm could load (GGUF-only, PyTorch-only, or an empty repo). */
export class NothingToDownloadError extends Error {
  override readonly name = 'NothingToDownloadError';
  constructor(readonly repoId: string) {
    super(`${repoId} has no files mlx_lm can load (no *.safetensors weights or configs). It may be a GGUF or PyTorch-only repo: pick an mlx-community conversion instead.`);
  }
}

/** The Hub's tree and its resolve answer disagree about a file: its content changed mid-download. */
export class HubInconsistencyError extends Error {
  override readonly name = 'HubInconsistencyError';
  constructor(
    readonly path: string,
    readonly treeEtag: string,
    readonly resolvedEtag: string,
  ) {
    super(`The Hub reported two different versions of ${path} (${treeEtag.slice(0, 12)}… in the file list, ${resolvedEtag.slice(0, 12)}… when downloading). The repo probably changed: download again.`);
  }
}

/** What {@link DownloadDiskFullError} says. */
export interface DownloadDiskFullInit {
  readonly repoId: string;
  /** The file being written when the disk filled up. */
  readonly path: string;
  /** Bytes the rest of the download still needs (partial bytes on disk excluded: they are kept). */
  readonly remainingBytes: number;
  /** Kept free on top (`freeSpaceMargin`). */
  readonly marginBytes: number;
  readonly freeBytes: number;
  /** What the next run's free-space check will ask to be freed, as things stand. */
  readonly toFreeBytes: number;
  /** The failed file's bytes on disk and its size, when the transfer said. */
  readonly bytesDone?: number;
  readonly expectedSize?: number;
  readonly cause?: unknown;
}

/**
 * The disk filled up mid-download, told with the numbers the next run's free-space check will use, so
 * "free at least X" is what that check asks for. A `DiskFullError`, so callers that offer "Show Storage"
 * for one keep doing so.
 */
export class DownloadDiskFullError extends DiskFullError {
  readonly repoId: string;
  readonly remainingBytes: number;
  readonly marginBytes: number;
  readonly freeBytes: number;
  readonly toFreeBytes: number;

  constructor(init: DownloadDiskFullInit) {
    super(init.path, init.bytesDone ?? 0, init.expectedSize ?? 0);
    this.repoId = init.repoId;
    this.remainingBytes = init.remainingBytes;
    this.marginBytes = init.marginBytes;
    this.freeBytes = init.freeBytes;
    this.toFreeBytes = init.toFreeBytes;
    if (init.cause !== undefined) this.cause = init.cause;
    const next = init.toFreeBytes > 0 ? `free at least ${formatBytes(init.toFreeBytes)} and download again` : 'there is room again now: download again';
    this.message =
      init.remainingBytes === 0
        ? // The files are in; only the small bookkeeping at the end (listing, ref) did not fit.
          `The disk is full (writing ${init.path}): every file of ${init.repoId} is in place, but the download could not be recorded; ${next} to finish it (nothing is fetched again).`
        : `The disk is full (writing ${init.path}). The rest of ${init.repoId} needs ${describeNeed(init.remainingBytes, init.marginBytes)} but only ${formatBytes(init.freeBytes)} is free: ` +
          `${next}; what was downloaded is kept and the download resumes.`;
  }
}
