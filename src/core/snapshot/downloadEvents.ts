import { type ProgressSnapshot } from '../download/progressMeter';

/** One file of a model download, after planning. */
export interface PlannedFile {
  readonly path: string;
  readonly size: number;
  /** Blob name and expected hash: LFS sha256 or git sha1. */
  readonly etag: string;
  /** Why nothing (or only a link) is needed for it. */
  readonly state: 'in-place' | 'blob-cached' | 'to-download';
  /** Bytes of a partial download already on disk (resumed). */
  readonly partialBytes: number;
}

/** What a model download reports, in order: plan, then file and progress events, then done. */
export type DownloadEvent =
  | {
      readonly type: 'plan';
      readonly repoId: string;
      readonly revision: string;
      readonly commit: string;
      readonly files: readonly PlannedFile[];
      readonly totalBytes: number;
      /** Bytes still to fetch (partials already on disk excluded). */
      readonly remainingBytes: number;
    }
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'waiting-for-lock'; readonly path: string; readonly holderPid: number; readonly lockFile: string }
  | { readonly type: 'file-start'; readonly path: string; readonly size: number; readonly resumeFrom: number }
  | { readonly type: 'file-done'; readonly path: string; readonly size: number; readonly downloaded: boolean }
  | ({ readonly type: 'progress'; readonly filesDone: number; readonly filesTotal: number } & ProgressSnapshot)
  | {
      readonly type: 'done';
      readonly repoId: string;
      readonly commit: string;
      readonly snapshotPath: string;
      readonly bytesDownloaded: number;
      readonly seconds: number;
    };
