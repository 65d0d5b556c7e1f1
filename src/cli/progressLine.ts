import { type DownloadEvent } from '../core/snapshot/downloadEvents';
import { fitProgressLine } from './fitProgressLine';

/** Options of {@link ProgressLine}. */
export interface ProgressLineOptions {
  /** Writes to the terminal. */
  readonly write: (text: string) => void;
  /** What is downloading (the repo id), shown first on the line while it fits. */
  readonly name?: string;
  /**
   * The terminal's width now. Read at every redraw, so after a resize the next line (within a second:
   * the download's heartbeat) fits the new width.
   */
  readonly columns: () => number;
}

/**
 * A one-line live progress bar for a terminal: redrawn in place with `\r`, cleared when done. Each line
 * fits in the terminal's width less one column, so it never wraps and `\x1b[2K` clears all of it.
 */
export class ProgressLine {
  private shown = false;

  constructor(private readonly options: ProgressLineOptions) {}

  update(event: Extract<DownloadEvent, { type: 'progress' }>): void {
    const { write, name, columns } = this.options;
    write(`\r\x1b[2K${fitProgressLine({ progress: event, name, columns: columns() })}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.options.write('\r\x1b[2K');
    this.shown = false;
  }
}
