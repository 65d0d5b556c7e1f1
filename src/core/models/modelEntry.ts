import { type SeedModel } from '../catalog/seedModels';
import { type ProgressSnapshot } from '../download/progressMeter';

/** Where a model in the list came from (a model can be several: a seed model that is also cached). */
export type ModelSource = 'seed' | 'user' | 'cache' | 'search';

/** The section of the sidebar a model appears in. */
export type ModelSection = 'regular' | 'reasoning' | 'other' | 'search';

export interface DownloadProgress extends ProgressSnapshot {
  readonly filesDone: number;
  readonly filesTotal: number;
}

/** One state per model, derived from the cache plus what this process is doing. */
export type ModelStatus =
  | { readonly kind: 'not-downloaded' }
  | { readonly kind: 'queued'; readonly position: number }
  | { readonly kind: 'downloading'; readonly progress?: DownloadProgress }
  | {
      readonly kind: 'partial';
      /**
       * Bytes of the model on disk so far: the files already in place plus partial downloads (a
       * download huggingface_hub ≥ 1.18 stopped leaves whole files and no partial bytes).
       */
      readonly partialBytes: number;
      /** Files the unfinished snapshot lacks (e.g. the weights of a download another tool stopped), when known. */
      readonly missing?: readonly string[];
    }
  | {
      readonly kind: 'downloaded';
      readonly commit: string;
      readonly snapshotPath: string;
      readonly fileCount?: number;
      /** The ref naming the snapshot (`main`, `dev`), or the commit for a download by commit id. */
      readonly revision?: string;
    }
  | { readonly kind: 'failed'; readonly message: string; readonly partialBytes: number }
  | { readonly kind: 'corrupted'; readonly reason: string };

export interface ModelEntry {
  readonly repoId: string;
  readonly displayName: string;
  readonly sources: readonly ModelSource[];
  readonly section: ModelSection;
  readonly seed?: SeedModel;
  readonly status: ModelStatus;
  /** Bytes on disk (blobs counted once) plus partial downloads. */
  readonly sizeOnDisk: number;
  /** Download size: nominal for seed models until the Hub's file list is known. */
  readonly downloadSizeBytes?: number;
  /** Set when the Hub's `main` moved past the local snapshot. */
  readonly updateAvailable?: { readonly remoteCommit: string };
  readonly selected: boolean;
  /** From search results: Hub popularity. */
  readonly downloads?: number;
  readonly likes?: number;
  /** From search results: why mlx_lm probably can't run it (GGUF-only, no safetensors). */
  readonly incompatibleReason?: string;
}
