import { type ProgressSnapshot } from '../download/progressMeter';
import { formatBytes } from './formatBytes';
import { formatDuration } from './formatDuration';

/** `42% · 760 MB / 1.8 GB · 35 MB/s · 31 s left`: one line, shared by the CLI, the tree and notifications. */
export function formatProgress(p: Pick<ProgressSnapshot, 'doneBytes' | 'totalBytes' | 'bytesPerSecond' | 'etaSeconds'>): string {
  const percent = p.totalBytes > 0 ? Math.floor((p.doneBytes / p.totalBytes) * 100) : 0;
  const parts = [`${percent}%`, `${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}`];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== undefined) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(' · ');
}
