import { type ProgressSnapshot } from '../download/progressMeter';
import { progressParts } from './progressParts';

/** `42% · 760 MB / 1.8 GB · 35 MB/s · 31 s left`: one line, shared by the CLI, the tree and notifications. */
export function formatProgress(p: Pick<ProgressSnapshot, 'doneBytes' | 'totalBytes' | 'bytesPerSecond' | 'etaSeconds'>): string {
  const { percent, bytes, speed, eta } = progressParts(p);
  return [percent, bytes, speed, eta].filter((part) => part !== undefined).join(' · ');
}
