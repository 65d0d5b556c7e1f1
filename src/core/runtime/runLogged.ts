import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { LineRing } from '../runner/lineRing';
import { signalProcessGroup } from '../runner/signalProcessGroup';

export interface RunLoggedOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Every line of stdout and stderr, as it arrives (pip's output goes to the log line by line). */
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting stops the whole process group and rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Lines kept for the error report. @default 20 */
  readonly tailLines?: number;
  /** SIGTERM first; SIGKILL after this long. @default 2000 */
  readonly killGraceMs?: number;
}

export interface RunLoggedResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines of output (both streams, in arrival order). */
  readonly lastLines: string[];
  /** Set when the process could not start (ENOENT, EACCES). */
  readonly spawnError?: Error;
}

/**
 * Runs a command to completion, streaming its output by line. It leads its own process group, so a
 * cancel (or its end) also takes along whatever it started: pip runs build backends in subprocesses.
 */
export async function runLogged(options: RunLoggedOptions): Promise<RunLoggedResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const ring = new LineRing(options.tailLines ?? 20);
  const child = spawn(options.command, [...options.args], {
    env: options.env ?? process.env,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const pid = child.pid;
  // 'exit', not 'close': a helper left in the group could hold the pipes open; it is killed below.
  const exited = new Promise<Omit<RunLoggedResult, 'lastLines'>>((resolve) => {
    child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    child.once('error', (error) => pid === undefined && resolve({ code: null, signal: null, spawnError: error }));
  });
  const closed = once(child, 'close').catch(() => undefined);

  for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      ring.push(line);
      options.onLine(line, name);
    });
  }

  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (pid === undefined) return;
    signalProcessGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalProcessGroup(pid, 'SIGKILL'), options.killGraceMs ?? 2000);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await exited;
    // The leader is gone; anything still in its group would be an orphan.
    if (pid !== undefined) signalProcessGroup(pid, 'SIGKILL');
    if (pid !== undefined) await closed; // the last lines
    signal?.throwIfAborted();
    return { ...exit, lastLines: ring.snapshot() };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
  }
}
