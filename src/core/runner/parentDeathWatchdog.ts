import { spawn } from 'node:child_process';
import { type Socket } from 'node:net';
import { type IDisposable } from '../lifecycle/disposable';
import { type Logger } from '../logging/logger';

/** `$0` of the watchdog shell: what `ps` shows, so a user (or a test) can tell what the `sh` process is for. */
export const WATCHDOG_NAME = 'mlx-runner-watchdog';

/** How often the watchdog checks, during the grace, whether the runner's group has gone. */
const POLL_MS = 200;

/**
 * Arguments: $1 = the runner's process group, $2 = grace in POLL_MS ticks.
 * `read` blocks until stdin — a pipe only our process holds — reaches EOF, which the kernel causes when our
 * process dies, however it dies. Then: nothing to do if the group is gone; else SIGTERM, wait out the
 * grace (leaving early once the group is gone), SIGKILL. Only POSIX `sh`, `kill -s` and `sleep`, so it
 * runs with macOS's /bin/sh as with dash.
 */
const SCRIPT = `
while read -r _; do :; done
kill -s 0 -- "-$1" 2>/dev/null || exit 0
kill -s TERM -- "-$1" 2>/dev/null
n=$2
while [ "$n" -gt 0 ]; do
  sleep ${POLL_MS / 1000}
  kill -s 0 -- "-$1" 2>/dev/null || exit 0
  n=$((n - 1))
done
kill -s KILL -- "-$1" 2>/dev/null
exit 0
`;

export interface ParentDeathWatchdog extends IDisposable {
  readonly pid: number | undefined;
}

/**
 * Stops the process group `pgid` if this process dies without stopping it (SIGKILL, a crash) — which
 * no exit handler of ours can do, and macOS has no PR_SET_PDEATHSIG. A tiny `sh` in a group of its own
 * (so whatever kills ours does not take it down) waits for EOF on a pipe from us. Dispose it once the
 * group has ended normally: that SIGKILLs the watchdog instead of closing its pipe, so it can never
 * signal a group id the system has handed to someone else. Returns undefined on Windows (no groups).
 */
export function startParentDeathWatchdog(pgid: number, options: { graceMs: number; logger: Logger }): ParentDeathWatchdog | undefined {
  if (process.platform === 'win32') return undefined;
  const ticks = Math.max(1, Math.ceil(options.graceMs / POLL_MS));
  const child = spawn('/bin/sh', ['-c', SCRIPT, WATCHDOG_NAME, String(pgid), String(ticks)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', (error) => options.logger.warn(`[runner] could not start the watchdog that stops the runner if this process dies: ${error.message}`));
  // We never write; an error on our end of the pipe (the watchdog killed) is no news.
  child.stdin?.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep a CLI process alive: the process ending is what it waits for.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return {
    pid: child.pid,
    dispose: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
