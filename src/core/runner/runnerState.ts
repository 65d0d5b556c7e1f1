import { type RunnerError } from './runnerErrors';

/** The model a runner serves: its repo id (for messages) and the snapshot folder passed as `--model`. */
export interface RunnerModel {
  readonly repoId: string;
  readonly snapshotPath: string;
}

/** A runner that answers: where to send requests, and which process it is. */
export interface ReadyRunner {
  readonly model: RunnerModel;
  readonly baseUrl: string;
  readonly pid: number;
}

/**
 * The supervisor's state machine:
 * stopped → starting → ready; a crash → restarting → starting …; too many crashes or a start
 * timeout → failed; stop(), idle unload or dispose → stopped.
 */
export type RunnerState =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'starting'; readonly model: RunnerModel; readonly attempt: number }
  | ({ readonly kind: 'ready' } & ReadyRunner)
  | {
      /** The process exited unexpectedly; a new one starts after `delayMs`. */
      readonly kind: 'restarting';
      readonly model: RunnerModel;
      /** Crashes within the restart window so far (1 for the first). */
      readonly attempt: number;
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly delayMs: number;
      readonly lastStderr: readonly string[];
    }
  | {
      readonly kind: 'failed';
      readonly model: RunnerModel;
      readonly reason: string;
      readonly lastStderrLines: readonly string[];
      readonly error: RunnerError;
    };

export type RunnerStateKind = RunnerState['kind'];
