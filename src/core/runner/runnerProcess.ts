import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { type IDisposable } from '../lifecycle/disposable';
import { type Logger } from '../logging/logger';
import { LineRing } from './lineRing';
import { type ParentDeathWatchdog, startParentDeathWatchdog } from './parentDeathWatchdog';
import { signalProcessGroup } from './signalProcessGroup';

export interface RunnerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process never started (ENOENT, EACCES). */
  readonly spawnError?: Error;
}

export interface RunnerProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** How many stderr lines to keep for error reports. @default 50 */
  readonly stderrLines?: number;
  /** SIGTERM-to-SIGKILL grace for the runner when this process dies without stopping it. @default 5000 */
  readonly orphanGraceMs?: number;
}

/** Python's access log (`127.0.0.1 - - [date] "GET /health HTTP/1.1" 200 -`): health polls would drown the log. */
const ACCESS_LOG = /^\S+ - - \[[^\]]+\] "[A-Z]+ /;

/**
 * One runner process: spawned as the leader of its own process group, its output in the log and its
 * last stderr lines kept. Stopping it (or its dying) takes its whole group along, so nothing it forked
 * outlives it; and if this process dies first, a watchdog stops the group (see parentDeathWatchdog).
 */
export class RunnerProcess implements IDisposable {
  readonly pid: number | undefined;
  /** Resolves once the process is gone and its stderr is read (as far as it will be). */
  readonly exited: Promise<RunnerExit>;
  private readonly child: ChildProcess;
  private readonly stderrRing: LineRing;
  private readonly watchdog: ParentDeathWatchdog | undefined;
  private exit: RunnerExit | undefined;

  constructor(options: RunnerProcessOptions) {
    const { logger } = options;
    this.stderrRing = new LineRing(options.stderrLines ?? 50);
    this.child = spawn(options.command, [...options.args], {
      env: options.env,
      // Own process group: stop() signals the group, so helpers Python forks die with it.
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.pid = this.child.pid;
    // Its own group also means no one stops the runner if this process is killed outright: the model's
    // gigabytes would stay in memory until the next start reaps it (staleRunner). The watchdog stops it
    // then. Started right away, not on 'spawn', so there is no moment the runner runs unwatched.
    if (this.pid !== undefined) this.watchdog = startParentDeathWatchdog(this.pid, { graceMs: options.orphanGraceMs ?? 5000, logger });

    const stderrDone = this.child.stderr ? once(this.child.stderr, 'close').then(() => undefined, () => undefined) : Promise.resolve();
    if (this.child.stderr) {
      createInterface({ input: this.child.stderr, crlfDelay: Infinity }).on('line', (line) => {
        this.stderrRing.push(line);
        if (ACCESS_LOG.test(line)) logger.trace(`[runner] ${line}`);
        else logger.info(`[runner] ${line}`);
      });
    }
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => logger.info(`[runner] ${line}`));
    }

    this.exited = new Promise<RunnerExit>((resolve) => {
      this.child.once('error', (error) => {
        if (this.pid === undefined) {
          this.exit = { code: null, signal: null, spawnError: error };
          resolve(this.exit);
        }
      });
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        // The leader is gone; anything left in its group would be an orphan holding memory.
        if (this.pid !== undefined) signalProcessGroup(this.pid, 'SIGKILL');
        // Nothing left to guard: the watchdog must not outlive the group and signal a reused group id.
        this.watchdog?.dispose();
        // A helper may hold stderr open after the leader died: wait briefly for the last lines, not for it.
        void Promise.race([stderrDone, delay(250)]).then(() => resolve(this.exit!));
      });
    });
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The last stderr lines, oldest first. */
  get lastStderr(): string[] {
    return this.stderrRing.snapshot();
  }

  /** SIGTERM to the group; SIGKILL after `graceMs` if the runner is still there. */
  async stop(graceMs: number): Promise<RunnerExit> {
    if (this.pid === undefined || this.exit) return this.exited;
    signalProcessGroup(this.pid, 'SIGTERM');
    const timer = new AbortController();
    const graceOver = delay(graceMs, 'grace', { signal: timer.signal }).catch(() => undefined);
    const first = await Promise.race([this.exited.then(() => 'exited' as const), graceOver]);
    timer.abort();
    if (first !== 'exited' && !this.exit) signalProcessGroup(this.pid, 'SIGKILL');
    return this.exited;
  }

  dispose(): void {
    void this.stop(0);
  }
}
