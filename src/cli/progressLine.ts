import { formatProgress } from '../core/format/formatProgress';
import { type DownloadEvent } from '../core/snapshot/downloadEvents';

const BAR_WIDTH = 24;

/** A one-line live progress bar for a terminal: redrawn in place with `\r`, cleared when done. */
export class ProgressLine {
  private shown = false;

  constructor(private readonly write: (text: string) => void) {}

  update(event: Extract<DownloadEvent, { type: 'progress' }>): void {
    const ratio = event.totalBytes > 0 ? event.doneBytes / event.totalBytes : 0;
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    this.write(`\r\x1b[2K${bar} ${formatProgress(event)} · ${event.filesDone}/${event.filesTotal} files`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.write('\r\x1b[2K');
    this.shown = false;
  }
}
