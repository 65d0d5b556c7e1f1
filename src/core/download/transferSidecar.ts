import { promises as fs } from 'node:fs';
import { type ExpectedHash } from '../cache/contentHash';
import { type PartState } from './partPlan';

/**
 * What `<partial>.json`-style sidecars hold. Small (one line per part), rewritten whole via temp
 * file + rename so that a kill at any moment leaves either the old or the new version, never a torn
 * one. `done` counts only bytes whose write had completed before the sidecar was written, so it can
 * understate what is on disk (those bytes are fetched again) but never overstate it.
 */
export interface TransferSidecar {
  readonly version: 1;
  /** Redacted (no query string): presigned URLs are secrets and expire anyway. For diagnosis only. */
  readonly url: string;
  readonly size: number;
  readonly hash: ExpectedHash;
  readonly parts: readonly PartState[];
  readonly updatedAt: string;
}

/** The sidecar on disk, `undefined` when absent, `'invalid'` when unreadable or inconsistent. */
export async function readSidecar(path: string): Promise<TransferSidecar | undefined | 'invalid'> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'invalid';
  }
  try {
    const value = JSON.parse(text) as TransferSidecar;
    return isWellFormed(value) ? value : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** Whether a sidecar describes the download we are about to do (same blob, same size). */
export function sidecarMatches(sidecar: TransferSidecar, size: number, hash: ExpectedHash): boolean {
  return sidecar.size === size && sidecar.hash.algorithm === hash.algorithm && sidecar.hash.hex === hash.hex;
}

/** Atomic replace: write a temp file next to it, then rename over. */
export async function writeSidecar(path: string, sidecar: TransferSidecar): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(sidecar));
  await fs.rename(temp, path);
}

export async function removeSidecar(path: string): Promise<void> {
  await fs.rm(path, { force: true });
}

function isWellFormed(value: TransferSidecar): boolean {
  if (!value || value.version !== 1 || !Number.isSafeInteger(value.size) || value.size < 0) return false;
  if (!value.hash || typeof value.hash.hex !== 'string' || !Array.isArray(value.parts)) return false;
  let previousEnd = 0;
  for (const part of value.parts) {
    const ok =
      Number.isSafeInteger(part.start) &&
      Number.isSafeInteger(part.end) &&
      Number.isSafeInteger(part.done) &&
      part.start === previousEnd &&
      part.end > part.start &&
      part.done >= 0 &&
      part.done <= part.end - part.start;
    if (!ok) return false;
    previousEnd = part.end;
  }
  // Parts must tile the whole file, or bytes would be left unfetched.
  return previousEnd === value.size || (value.size === 0 && value.parts.length === 0);
}

/**
 * How much of a partial download is really on disk. With several Range parts the partial file is
 * full-length (sparse) from early on, so its size says nothing: the sidecar's done ranges do. Without
 * a sidecar (single stream, or Python's `.incomplete`) the file's length is the count.
 */
export async function partialBytesOnDisk(partialPath: string, sidecarPath: string): Promise<number> {
  const length = await fs.stat(partialPath).then((s) => s.size, () => undefined);
  // A sidecar whose partial is gone (pruned, or discarded) vouches for nothing.
  if (length === undefined) return 0;
  const sidecar = await readSidecar(sidecarPath);
  if (sidecar && sidecar !== 'invalid') return Math.min(length, sidecar.parts.reduce((sum, part) => sum + part.done, 0));
  return length;
}
