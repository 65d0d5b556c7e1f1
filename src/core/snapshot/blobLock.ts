import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { abortableDelay } from '../download/abortableDelay';

/**
 * A lock on one blob, so two processes (the extension and the CLI, two windows) never write the same
 * partial file at once. Python's huggingface_hub uses flock on `.locks/…/<etag>.lock`, which Node cannot
 * take without a native module; we use an exclusive-create file beside it (`<etag>.lock.mlxmm`) holding
 * our pid. A lock whose process is gone (killed) is stale and taken over, so a SIGKILL never wedges a model.
 */
export interface BlobLock {
  release(): Promise<void>;
}

export interface AcquireBlobLockOptions {
  /** Python's lock path for the blob (`RepoCachePaths.lock(etag)`); ours sits beside it. */
  readonly pythonLockPath: string;
  readonly signal?: AbortSignal;
  /** Called once when another live process holds the lock and we start waiting. */
  readonly onWait?: (holderPid: number) => void;
  /** @default 250 */
  readonly pollMs?: number;
}

export async function acquireBlobLock(options: AcquireBlobLockOptions): Promise<BlobLock> {
  let waited = false;
  for (;;) {
    const outcome = await attemptLock(options.pythonLockPath);
    if (typeof outcome !== 'number') return outcome;
    if (!waited) {
      waited = true;
      options.onWait?.(outcome);
    }
    await abortableDelay(options.pollMs ?? 250, options.signal ?? new AbortController().signal);
  }
}

/** Takes the lock only if no live process holds it (a stale one is taken over); undefined otherwise. */
export async function tryAcquireBlobLock(pythonLockPath: string): Promise<BlobLock | undefined> {
  const outcome = await attemptLock(pythonLockPath);
  return typeof outcome === 'number' ? undefined : outcome;
}

/** One go at the lock: ours, or the pid of the live process holding it. */
async function attemptLock(pythonLockPath: string): Promise<BlobLock | number> {
  const lockPath = `${pythonLockPath}.mlxmm`;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (;;) {
    try {
      await fs.writeFile(lockPath, me, { flag: 'wx' });
      return { release: () => fs.rm(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(lockPath);
    if (holder !== undefined && isAlive(holder)) return holder;
    // Stale (its process died) or unreadable (died mid-write): remove it and try again.
    await fs.rm(lockPath, { force: true });
  }
}

async function readHolder(lockPath: string): Promise<number | undefined> {
  try {
    const { pid, host } = JSON.parse(await fs.readFile(lockPath, 'utf8')) as { pid?: unknown; host?: unknown };
    // A lock from another machine (a cache on a network share) can't be checked: treat it as live.
    if (typeof host === 'string' && host !== hostname()) return typeof pid === 'number' ? -1 : undefined;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === -1) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes our lock files in `lockDir` whose process is gone (left by a killed download). */
export async function removeStaleLocks(lockDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(lockDir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.endsWith('.lock.mlxmm'))) {
    const file = path.join(lockDir, name);
    const holder = await readHolder(file);
    if (holder === undefined || !isAlive(holder)) await fs.rm(file, { force: true });
  }
}

/** Pids of live processes holding one of our blob locks in `lockDir` (this process included). */
export async function liveLockHolders(lockDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(lockDir);
  } catch {
    return [];
  }
  const holders = new Set<number>();
  for (const name of names.filter((n) => n.endsWith('.lock.mlxmm'))) {
    const holder = await readHolder(path.join(lockDir, name));
    if (holder !== undefined && isAlive(holder)) holders.add(holder);
  }
  return [...holders].sort((a, b) => a - b);
}

/** A model cannot be deleted while a download of it runs: the download would leave a half-made repo behind. */
export class ModelBeingDownloadedError extends Error {
  constructor(
    readonly repoId: string,
    readonly pids: readonly number[],
  ) {
    const who = pids.includes(-1) ? 'another machine' : pids.includes(process.pid) ? 'this process' : `process ${pids.join(', ')}`;
    super(`${repoId} is being downloaded (by ${who}): cancel that download first, then delete it.`);
    this.name = 'ModelBeingDownloadedError';
  }
}

/** Throws ModelBeingDownloadedError when a live download holds a lock of this repo. */
export async function assertNoDownloadRunning(repoId: string, lockDir: string): Promise<void> {
  const holders = await liveLockHolders(lockDir);
  if (holders.length) throw new ModelBeingDownloadedError(repoId, holders);
}
