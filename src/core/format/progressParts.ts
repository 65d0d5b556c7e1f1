import { type ProgressSnapshot } from '../download/progressMeter';
import { formatBytes } from './formatBytes';
import { formatDuration } from './formatDuration';

/** The pieces of a progress line, each absent when unknown, so a narrow display can drop some. */
export interface ProgressParts {
  /** `42%` (floored: 100% only when done). */
  readonly percent: string;
  /** `760 MB / 1.8 GB`. */
  readonly bytes: string;
  /** `35 MB/s`; absent until bytes flow. */
  readonly speed?: string;
  /** `31 s left`; absent while the speed is unknown. */
  readonly eta?: string;
}

/** Splits a progress snapshot into the texts {@link formatProgress} joins and the CLI's bar fits to the terminal. */
export function progressParts(p: Pick<ProgressSnapshot, 'doneBytes' | 'totalBytes' | 'bytesPerSecond' | 'etaSeconds'>): ProgressParts {
  const percent = p.totalBytes > 0 ? Math.floor((p.doneBytes / p.totalBytes) * 100) : 0;
  return {
    percent: `${percent}%`,
    bytes: `${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}`,
    speed: p.bytesPerSecond > 0 ? `${formatBytes(p.bytesPerSecond)}/s` : undefined,
    eta: p.etaSeconds !== undefined ? `${formatDuration(p.etaSeconds)} left` : undefined,
  };
}
