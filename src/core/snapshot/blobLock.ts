import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { abortableDelay } from '../download/abortableDelay';

/**
 * A lock on one blob, so two processes (the extension and the CLI, two windows) never write the same
 * partial file at once. Python's huggingface_hub uses flock on `.locks/…/<etag>.lock`, which Node cannot
 * take without a native module; we use a file beside it (`<etag>.lock.mlxmm`) holding our pid and host.
 *
 * - Created whole: written to a temp file and hard-linked into place (fails if the lock exists), so no
 *   one ever reads a half-written lock and takes it for a dead one. (Where hard links are not supported,
 *   an exclusive create, and a lock read empty counts as live while it is young.)
 * - Kept fresh: the holder touches it every {@link HEARTBEAT_MS}. A lock untouched for {@link STALE_MS}
 *   is stale whoever wrote it: a killed process whose pid was reused, a container's pid 1, another
 *   machine sharing the cache. A lock whose process is gone (same host) is stale at once. So a SIGKILL
 *   never wedges a model for more than a minute.
 */
export interface BlobLock {
  release(): Promise<void>;
}

/** How often a holder refreshes its lock's mtime. */
const HEARTBEAT_MS = 10_000;
/** A lock not refreshed for this long is stale (several missed heartbeats: its holder is gone or frozen). */
const STALE_MS = 60_000;
/** A lock read empty (no hard links: being written) is given this long before it counts as abandoned. */
const EMPTY_GRACE_MS = 5_000;

/**
 * Names this process gives its short-lived files beside a lock (the temp a lock is written to, a stale lock
 * moved aside): they carry our pid and host, so a run after a SIGKILL can tell a leftover from a file another
 * live process is using this very moment.
 */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const CREATOR_TAG = `${process.pid}-${HOST_TAG}`;
const SCRATCH_NAME = /\.lock\.mlxmm\.(?:(\d+)-([0-9a-f]{8})\.)?[0-9a-f]{8}\.(?:tmp|stale)$/;

/** Locks this process holds, by path: a lock naming our own pid that is not here is a leftover. */
const heldHere = new Set<string>();

export interface AcquireBlobLockOptions {
  /** Python's lock path for the blob (`RepoCachePaths.lock(etag)`); ours sits beside it. */
  readonly pythonLockPath: string;
  readonly signal?: AbortSignal;
  /** Called once when another live process holds the lock and we start waiting (with our lock file, to name). */
  readonly onWait?: (holderPid: number, lockPath: string) => void;
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
      options.onWait?.(outcome, `${options.pythonLockPath}.mlxmm`);
    }
    await abortableDelay(options.pollMs ?? 250, options.signal ?? new AbortController().signal);
  }
}

/** Takes the lock only if no live process holds it (a stale one is taken over); undefined otherwise. */
export async function tryAcquireBlobLock(pythonLockPath: string): Promise<BlobLock | undefined> {
  const outcome = await attemptLock(pythonLockPath);
  return typeof outcome === 'number' ? undefined : outcome;
}

/** One go at the lock: ours, or the pid of the live process holding it (-1: another machine). */
async function attemptLock(pythonLockPath: string): Promise<BlobLock | number> {
  const lockPath = `${pythonLockPath}.mlxmm`;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (;;) {
    if (await createWhole(lockPath, me)) return holdLock(lockPath);
    const judged = await judgeLock(lockPath);
    if (judged.state === 'live') return judged.pid;
    if (judged.state === 'stale') await breakStaleLock(lockPath, judged.ino);
    // 'gone': released since we tried; try again.
  }
}

/**
 * Removes the stale lock we judged, and only that one: between judging and removing, its owner's successor
 * may have released it and a new holder created a fresh one. So it is moved aside first and checked by
 * inode; a fresh lock moved by mistake is put back.
 */
async function breakStaleLock(lockPath: string, judgedIno: number): Promise<void> {
  const aside = `${lockPath}.${CREATOR_TAG}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return; // gone already
  }
  const moved = await fs.stat(aside).catch(() => undefined);
  if (moved && moved.ino !== judgedIno) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

/** Creates `lockPath` with `content`, all at once; false when it exists. */
async function createWhole(lockPath: string, content: string, attempt = 1): Promise<boolean> {
  const temp = `${lockPath}.${CREATOR_TAG}.${randomBytes(4).toString('hex')}.tmp`;
  let written = false;
  try {
    await fs.writeFile(temp, content, { flag: 'wx' });
    written = true;
    await fs.link(temp, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Our temp vanished between writing and linking: taken for a leftover (by a machine sharing the cache
    // under our host name). Once more; a folder that vanished fails as it is.
    if (code === 'ENOENT' && written && attempt < 3 && (await fs.stat(path.dirname(lockPath)).catch(() => undefined))) {
      return createWhole(lockPath, content, attempt + 1);
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // No hard links here (FAT, some network shares): an exclusive create, written right after.
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
}

function holdLock(lockPath: string): BlobLock {
  heldHere.add(lockPath);
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    release: async () => {
      clearInterval(heartbeat);
      heldHere.delete(lockPath);
      await fs.rm(lockPath, { force: true });
    },
  };
}

type LockJudgement = { state: 'live'; pid: number } | { state: 'stale'; ino: number } | { state: 'gone' };

/** Whether the lock file is held by a live process (its pid; -1: another machine), stale, or gone. */
async function judgeLock(lockPath: string): Promise<LockJudgement> {
  const stat = await fs.stat(lockPath).catch(() => undefined);
  if (!stat) return { state: 'gone' };
  const stale = { state: 'stale', ino: stat.ino } as const;
  const age = Date.now() - stat.mtimeMs;
  if (age > STALE_MS) return stale;
  let text: string;
  try {
    text = await fs.readFile(lockPath, 'utf8');
  } catch {
    return { state: 'gone' };
  }
  if (text === '') return age < EMPTY_GRACE_MS ? { state: 'live', pid: 0 } : stale; // being written (no-hard-link fallback)
  let parsed: { pid?: unknown; host?: unknown };
  try {
    parsed = JSON.parse(text) as { pid?: unknown; host?: unknown };
  } catch {
    return stale;
  }
  const { pid, host } = parsed;
  if (typeof pid !== 'number') return stale;
  // Another machine's process can't be asked; its heartbeat (the mtime) says it is alive.
  if (typeof host === 'string' && host !== hostname()) return { state: 'live', pid: -1 };
  if (pid === process.pid) return heldHere.has(lockPath) ? { state: 'live', pid } : stale;
  return isAlive(pid) ? { state: 'live', pid } : stale;
}

/** The pid holding the lock when it is live (-1: another machine); undefined when it is stale or gone. */
async function liveHolder(lockPath: string): Promise<number | undefined> {
  const judged = await judgeLock(lockPath);
  return judged.state === 'live' ? judged.pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes our lock files in `lockDir` that are stale (left by a killed download), and the temp files and
 * moved-aside locks a process killed while taking or breaking a lock left beside them.
 */
export async function removeStaleLocks(lockDir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(lockDir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.endsWith('.lock.mlxmm'))) {
    const file = path.join(lockDir, name);
    const judged = await judgeLock(file);
    if (judged.state === 'stale') await breakStaleLock(file, judged.ino);
  }
  for (const name of names) {
    const match = SCRATCH_NAME.exec(name);
    if (match && (await isLeftoverScratch(path.join(lockDir, name), match[1], match[2]))) {
      await fs.rm(path.join(lockDir, name), { force: true });
    }
  }
}

/**
 * A temp or moved-aside lock lives for a few milliseconds: one whose creator (on this host) is gone, or that
 * is as old as a stale lock, is a leftover. (A moved-aside lock keeps the mtime of the lock it was: when old,
 * it was stale, and removing it is what its creator was about to do.)
 */
async function isLeftoverScratch(file: string, pid: string | undefined, hostTag: string | undefined): Promise<boolean> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return false;
  if (Date.now() - stat.mtimeMs > STALE_MS) return true;
  return pid !== undefined && hostTag === HOST_TAG && !isAlive(Number(pid));
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
    const holder = await liveHolder(path.join(lockDir, name));
    if (holder !== undefined) holders.add(holder);
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
