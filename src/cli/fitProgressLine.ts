import { type ProgressSnapshot } from '../core/download/progressMeter';
import { progressParts } from '../core/format/progressParts';
import { visibleWidth } from '../core/format/visibleWidth';

/** Widest bar, in cells. */
const BAR_MAX = 24;
/** Narrowest bar worth drawing; narrower, it is left out (the percent says the same). */
const BAR_MIN = 8;
/** Fewest cells of a shortened name worth showing; fewer, it is left out (the plan line above names the repo). */
const NAME_MIN = 16;
const SEPARATOR = ' · ';

/** Options of {@link fitProgressLine}. */
export interface FitProgressLineOptions {
  readonly progress: Pick<ProgressSnapshot, 'doneBytes' | 'totalBytes' | 'bytesPerSecond' | 'etaSeconds'> & {
    readonly filesDone: number;
    readonly filesTotal: number;
  };
  /** What is downloading (the repo id), shown first while it fits. */
  readonly name?: string;
  /**
   * The terminal's width. The line takes at most `columns - 1` cells: one that fills the last column
   * makes many terminals wrap (or hold the cursor past the edge), and `\r\x1b[2K` then clears only the
   * wrapped part, leaving a stale row per redraw.
   */
  readonly columns: number;
}

/** What one layout shows; elastic parts (the bar, the name) take the room the texts leave. */
interface Layout {
  readonly name: boolean;
  readonly bar: boolean;
  readonly texts: readonly (string | undefined)[];
}

/**
 * The text of the live progress line (no escape sequences), fitted to the terminal width. The full line is
 * `name ████░░░░ 42% · 760 MB / 1.8 GB · 35 MB/s · 31 s left · 5/6 files`; when narrower, the least useful
 * parts give way first: the bar narrows (down to {@link BAR_MIN}), the name shortens (to its model part, then
 * with an ellipsis in the middle) and then goes, then the speed, the ETA, the bar, the file count and the
 * sizes, keeping the percent.
 */
export function fitProgressLine({ progress, name, columns }: FitProgressLineOptions): string {
  const room = Math.max(0, Math.floor(columns) - 1);
  const { percent, bytes, speed, eta } = progressParts(progress);
  const files = `${progress.filesDone}/${progress.filesTotal} files`;
  const layouts: Layout[] = [
    { name: true, bar: true, texts: [percent, bytes, speed, eta, files] },
    { name: false, bar: true, texts: [percent, bytes, speed, eta, files] },
    { name: false, bar: true, texts: [percent, bytes, eta, files] },
    { name: false, bar: true, texts: [percent, bytes, files] },
    { name: false, bar: false, texts: [percent, bytes, files] },
    { name: false, bar: false, texts: [percent, bytes] },
    { name: false, bar: false, texts: [percent] },
  ];
  for (const layout of layouts) {
    const texts = layout.texts.filter((text) => text !== undefined).join(SEPARATOR);
    let left = room - visibleWidth(texts);
    if (left < 0) continue;
    if (!layout.bar) return texts;
    left -= BAR_MIN + 1;
    if (left < 0) continue;
    let label: string | undefined;
    if (layout.name) {
      label = name === undefined ? undefined : shortenName(name, left - 1);
      if (label === undefined) continue;
      left -= visibleWidth(label) + 1;
    }
    const ratio = progress.totalBytes > 0 ? Math.min(1, Math.max(0, progress.doneBytes / progress.totalBytes)) : 0;
    const bar = drawBar(ratio, BAR_MIN + Math.min(left, BAR_MAX - BAR_MIN));
    return label === undefined ? `${bar} ${texts}` : `${label} ${bar} ${texts}`;
  }
  return '';
}

function drawBar(ratio: number, width: number): string {
  const filled = Math.round(ratio * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/**
 * `name` in at most `width` cells: whole, else its part after the owner (`owner/model` → `model`), else
 * that part with its middle replaced by `…`; undefined when that would leave fewer than {@link NAME_MIN}.
 */
function shortenName(name: string, width: number): string | undefined {
  if (visibleWidth(name) <= width) return name;
  const model = name.slice(name.lastIndexOf('/') + 1);
  if (visibleWidth(model) <= width) return model;
  if (width < NAME_MIN) return undefined;
  const chars = [...model];
  const keep = width - 1;
  const head = takeCells(chars, Math.ceil(keep / 2));
  const tail = takeCells([...chars].reverse(), keep - visibleWidth(head.join(''))).reverse();
  return `${head.join('')}…${tail.join('')}`;
}

/** The leading characters of `chars` that fit in `cells`. */
function takeCells(chars: readonly string[], cells: number): string[] {
  const taken: string[] = [];
  let used = 0;
  for (const char of chars) {
    const width = visibleWidth(char);
    if (used + width > cells) break;
    taken.push(char);
    used += width;
  }
  return taken;
}
