import { abortableDelay } from '../download/abortableDelay';
import { Disposable, type IDisposable, toDisposable } from '../lifecycle/disposable';
import { Emitter, type Event } from '../lifecycle/emitter';
import { type Logger } from '../logging/logger';
import { Deferred } from './deferred';
import { freePort } from './freePort';
import { RUNNER_HOST, runnerArgs, runnerEnv } from './runnerLaunch';
import { RunnerError, RunnerFailedError, RunnerStartTimeoutError, RunnerStoppedError } from './runnerErrors';
import { type RunnerExit, RunnerProcess } from './runnerProcess';
import { type ReadyRunner, type RunnerModel, type RunnerState } from './runnerState';
import { HealthTimeoutError, waitForHealth } from './waitForHealth';

export interface RunnerSupervisorOptions {
  /** The interpreter with mlx_lm (from `findPython` + `checkMlxLm`). */
  readonly python: string;
  /** Base environment of the runner; the supervisor adds the cache and offline variables. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The Hugging Face hub cache the product manages (becomes `HF_HUB_CACHE`). */
  readonly cacheRoot: string;
  readonly logger: Logger;
  /** More `mlx_lm server` flags (`--max-tokens 2048`, `--chat-template-args …`); `--model/--host/--port` are ignored. */
  readonly extraArgs?: readonly string[];
  /** How long loading a model may take before `/health` answers. @default 120000 */
  readonly healthTimeoutMs?: number;
  /** Stop the runner after this long without `touch()` (frees the model's memory); 0 disables. @default 900000 */
  readonly idleUnloadMs?: number;
  /** Crashes tolerated within `restartWindowMs`; one more and the runner is `failed`. @default 3 */
  readonly maxRestarts?: number;
  /** @default 120000 */
  readonly restartWindowMs?: number;
  /** Pause before the first restart; doubles with each crash in the window, at most 30 s. @default 1000 */
  readonly backoffMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping (also when this process dies and the watchdog stops it). @default 5000 */
  readonly stopGraceMs?: number;
}

/** One model's run, from start() until stop, a switch, or failure; restarts after crashes stay inside it. */
interface RunnerSession {
  readonly model: RunnerModel;
  readonly abort: AbortController;
  process: RunnerProcess | undefined;
  /** Settles with the next ready runner; replaced after a crash so waiters get the restarted one. */
  ready: Deferred<ReadyRunner>;
  crashTimes: number[];
  ended: boolean;
  loop: Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Keeps at most one `mlx_lm server` running for the selected model: starts it on demand, waits for
 * `/health`, restarts it after a crash (with backoff, up to a limit), unloads it when idle, and stops
 * its whole process group when asked — so a model never keeps gigabytes of memory behind the user's back.
 */
export class RunnerSupervisor extends Disposable {
  private readonly options: Required<Omit<RunnerSupervisorOptions, 'env' | 'extraArgs'>> & Pick<RunnerSupervisorOptions, 'env' | 'extraArgs'>;
  private readonly logger: Logger;
  private readonly stateEmitter = this._register(new Emitter<RunnerState>());
  private _state: RunnerState = { kind: 'stopped' };
  private session: RunnerSession | undefined;
  /** start/stop/switch run one at a time, so two callers can never leave two runners behind. */
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private busy = 0;
  private disposing: Promise<void> | undefined;

  /** Fires on every state change (the status bar and the chat backend listen). */
  readonly onDidChangeState: Event<RunnerState> = this.stateEmitter.event;

  constructor(options: RunnerSupervisorOptions) {
    super();
    this.logger = options.logger;
    // `??` per field: an option passed as undefined (an unset setting) still gets its default.
    this.options = {
      ...options,
      healthTimeoutMs: options.healthTimeoutMs ?? 120_000,
      idleUnloadMs: options.idleUnloadMs ?? 900_000,
      maxRestarts: options.maxRestarts ?? 3,
      restartWindowMs: options.restartWindowMs ?? 120_000,
      backoffMs: options.backoffMs ?? 1000,
      stopGraceMs: options.stopGraceMs ?? 5000,
    };
  }

  get state(): RunnerState {
    return this._state;
  }

  /** Where to send requests while ready. */
  get baseUrl(): string | undefined {
    return this._state.kind === 'ready' ? this._state.baseUrl : undefined;
  }

  /**
   * Starts a runner for `model`, stopping any current one first (even for the same model). Resolves once
   * `/health` answers; rejects with RunnerStartTimeoutError, RunnerFailedError or RunnerStoppedError.
   */
  async start(model: RunnerModel): Promise<ReadyRunner> {
    const session = await this.serialize(async () => {
      this.throwIfDisposed();
      await this.teardown();
      return this.launch(model);
    });
    return session.ready.promise;
  }

  /**
   * The runner for `model`, started if needed: the current one when it serves that model (waiting out a
   * start or a restart), else the old one is stopped and a new one started. Counts as activity.
   */
  async ensureRunning(model: RunnerModel): Promise<ReadyRunner> {
    this.touch();
    const session = await this.serialize(async () => {
      this.throwIfDisposed();
      const current = this.session;
      if (current && !current.ended && sameModel(current.model, model)) {
        // Crashed but the loop has not noticed yet: wait for the restarted runner, not the dead one.
        if (current.ready.settled && current.process?.hasExited) current.ready = new Deferred<ReadyRunner>();
        return current;
      }
      if (current && !current.ended) this.logger.info(`[runner] switching model ${current.model.repoId} → ${model.repoId}`);
      await this.teardown();
      return this.launch(model);
    });
    return session.ready.promise;
  }

  /** Stops the runner (its whole process group) and waits until it is gone. */
  stop(): Promise<void> {
    return this.serialize(async () => {
      await this.teardown();
      this.setState({ kind: 'stopped' });
    });
  }

  /** Marks activity: the idle unload timer starts over. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Holds off idle unload until disposed (wrap a streamed answer that may outlast the idle timeout). */
  beginActivity(): IDisposable {
    this.busy++;
    this.touch();
    return toDisposable(() => {
      this.busy--;
      this.touch();
    });
  }

  /** Stops the runner; the returned promise settles once its process group is gone. */
  override dispose(): Promise<void> {
    if (this.disposing) return this.disposing;
    // Signal the process now, synchronously: when the extension host is shutting down there may be no later tick.
    const session = this.session;
    if (session) {
      session.abort.abort();
      void session.process?.stop(this.options.stopGraceMs);
    }
    this.disposing = this.stop().finally(() => super.dispose());
    return this.disposing;
  }

  private launch(model: RunnerModel): RunnerSession {
    const session: RunnerSession = {
      model,
      abort: new AbortController(),
      process: undefined,
      ready: new Deferred<ReadyRunner>(),
      crashTimes: [],
      ended: false,
      loop: Promise.resolve(),
    };
    this.session = session;
    session.loop = this.run(session).catch((error: unknown) => {
      this.logger.error(`[runner] supervisor error: ${(error as Error).message}`);
      this.fail(session, new RunnerFailedError({ model: model.repoId, reason: (error as Error).message, lastStderrLines: [] }));
    });
    return session;
  }

  /** Stops the current session's process and waits for its loop to end. Call inside serialize(). */
  private async teardown(): Promise<void> {
    const session = this.session;
    this.clearIdleTimer();
    if (!session) return;
    this.session = undefined;
    session.abort.abort();
    session.ready.reject(new RunnerStoppedError(session.model.repoId));
    if (session.process && !session.process.hasExited) {
      const exit = await session.process.stop(this.options.stopGraceMs);
      this.logger.info(`[runner] stopped pid ${session.process.pid} (${describeExit(exit)})`);
    }
    await session.loop;
  }

  /** Start, wait for health, watch; after a crash, back off and go around again. */
  private async run(session: RunnerSession): Promise<void> {
    const { model } = session;
    let attempt = 0;
    while (!session.abort.signal.aborted) {
      attempt++;
      this.setState({ kind: 'starting', model, attempt });
      const port = await freePort(RUNNER_HOST);
      if (session.abort.signal.aborted) return;
      const args = runnerArgs({ snapshotPath: model.snapshotPath, port, extraArgs: this.options.extraArgs, logger: this.logger });
      const proc = new RunnerProcess({
        command: this.options.python,
        args,
        env: runnerEnv(this.options.env ?? process.env, this.options.cacheRoot),
        logger: this.logger,
        orphanGraceMs: this.options.stopGraceMs,
      });
      session.process = proc;
      this.logger.info(`[runner] starting ${model.repoId} (pid ${proc.pid ?? '-'}, port ${port}): ${this.options.python} ${args.join(' ')}`);

      const baseUrl = `http://${RUNNER_HOST}:${port}`;
      const outcome = await this.waitUntilReady(session, proc, baseUrl);
      if (session.abort.signal.aborted) return;
      if (outcome === 'timeout') {
        await proc.stop(this.options.stopGraceMs);
        const error = new RunnerStartTimeoutError({ model: model.repoId, timeoutMs: this.options.healthTimeoutMs, lastStderrLines: proc.lastStderr });
        return this.fail(session, error);
      }
      if (outcome === 'ready') {
        const ready: ReadyRunner = { model, baseUrl, pid: proc.pid! };
        this.logger.info(`[runner] ready: ${model.repoId} at ${baseUrl} (pid ${proc.pid})`);
        this.setState({ kind: 'ready', ...ready });
        session.ready.resolve(ready);
        this.touch();
        this.armIdleTimer();
      }

      const exit = await proc.exited;
      if (session.abort.signal.aborted) return;
      this.clearIdleTimer();
      const lastStderr = proc.lastStderr;
      if (exit.spawnError) {
        return this.fail(session, new RunnerFailedError({ model: model.repoId, reason: `Python could not be started (${exit.spawnError.message})`, lastStderrLines: lastStderr }));
      }
      const now = Date.now();
      session.crashTimes = [...session.crashTimes.filter((t) => now - t < this.options.restartWindowMs), now];
      const crashes = session.crashTimes.length;
      this.logger.error(`[runner] ${model.repoId} exited unexpectedly (${describeExit(exit)}); crash ${crashes} within ${Math.round(this.options.restartWindowMs / 1000)} s`);
      if (crashes > this.options.maxRestarts) {
        const reason = `it stopped unexpectedly ${crashes} times within ${Math.round(this.options.restartWindowMs / 1000)} s (${describeExit(exit)})`;
        return this.fail(session, new RunnerFailedError({ model: model.repoId, reason, lastStderrLines: lastStderr }));
      }
      if (session.ready.settled) session.ready = new Deferred<ReadyRunner>();
      const delayMs = Math.min(this.options.backoffMs * 2 ** (crashes - 1), MAX_BACKOFF_MS);
      this.setState({ kind: 'restarting', model, attempt: crashes, exitCode: exit.code, signal: exit.signal, delayMs, lastStderr });
      try {
        await abortableDelay(delayMs, session.abort.signal);
      } catch {
        return;
      }
    }
  }

  private async waitUntilReady(session: RunnerSession, proc: RunnerProcess, baseUrl: string): Promise<'ready' | 'exited' | 'timeout' | 'cancelled'> {
    // A process that dies while loading must not be waited on until the timeout.
    const exitedEarly = new AbortController();
    void proc.exited.then(() => exitedEarly.abort(new Error('runner exited')));
    try {
      await waitForHealth(baseUrl, { timeoutMs: this.options.healthTimeoutMs, signal: AbortSignal.any([session.abort.signal, exitedEarly.signal]) });
      return proc.hasExited ? 'exited' : 'ready';
    } catch (error) {
      if (session.abort.signal.aborted) return 'cancelled';
      if (exitedEarly.signal.aborted || proc.hasExited) return 'exited';
      if (error instanceof HealthTimeoutError) return 'timeout';
      throw error;
    } finally {
      exitedEarly.abort();
    }
  }

  private fail(session: RunnerSession, error: RunnerError): void {
    if (session.abort.signal.aborted || session.ended) return;
    session.ended = true;
    this.clearIdleTimer();
    const lastStderrLines = error instanceof RunnerFailedError ? error.lastStderrLines : (session.process?.lastStderr ?? []);
    this.logger.error(`[runner] ${error.message}`);
    this.setState({ kind: 'failed', model: session.model, reason: error.userMessage, lastStderrLines, error });
    session.ready.reject(error);
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    const idleMs = this.options.idleUnloadMs;
    if (idleMs <= 0) return;
    const check = () => {
      const quietFor = Date.now() - this.lastActivity;
      if (this.busy > 0 || quietFor < idleMs) {
        this.idleTimer = setTimeout(check, this.busy > 0 ? idleMs : idleMs - quietFor);
        this.idleTimer.unref();
        return;
      }
      this.idleTimer = undefined;
      this.logger.info(`[runner] idle for ${Math.round(quietFor / 1000)} s: unloading the model to free memory`);
      void this.stop();
    };
    this.idleTimer = setTimeout(check, idleMs);
    // Idle unload must never be the reason a CLI or test process stays alive.
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private setState(state: RunnerState): void {
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private throwIfDisposed(): void {
    if (this.isDisposed || this.disposing) throw new RunnerError({ userMessage: 'The local runner has been shut down.' });
  }
}

function sameModel(a: RunnerModel, b: RunnerModel): boolean {
  return a.repoId === b.repoId && a.snapshotPath === b.snapshotPath;
}

function describeExit(exit: RunnerExit): string {
  if (exit.spawnError) return exit.spawnError.message;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
