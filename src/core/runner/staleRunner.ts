import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type Logger } from '../logging/logger';
import { signalProcessGroup } from './signalProcessGroup';

/**
 * The runner lives in its own process group (so stopping it reaches everything it spawned); if the
 * editor is killed outright, nothing stops it. We record its pid while it runs and, on the next
 * start, stop a runner left behind — only if that pid still is an `mlx_lm server` (pids get reused).
 */
export async function recordRunner(file: string, pid: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ pid, since: new Date().toISOString() }));
}

export async function clearRunnerRecord(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/** Stops a runner a previous session left running. Returns its pid, or undefined when there was none. */
export async function reapStaleRunner(file: string, logger: Logger, graceMs = 3000): Promise<number | undefined> {
  let pid: number;
  try {
    pid = (JSON.parse(await fs.readFile(file, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
  await clearRunnerRecord(file);
  if (!Number.isInteger(pid) || pid <= 1 || !(await isMlxLmServer(pid))) return undefined;
  logger.info(`[runner] stopping a runner left by a previous session (pid ${pid})`);
  signalProcessGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) signalProcessGroup(pid, 'SIGKILL');
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `ps` works on macOS and Linux alike (there is no /proc on macOS). */
function isMlxLmServer(pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (error, stdout) => resolve(!error && /mlx_lm/.test(stdout) && /\bserver\b/.test(stdout)));
  });
}
