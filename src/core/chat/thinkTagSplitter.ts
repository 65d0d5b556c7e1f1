/** A run of answer text or of reasoning ("thinking") text, in stream order. */
export interface SplitPiece {
  readonly kind: 'text' | 'reasoning';
  readonly text: string;
}

/** Options of {@link ThinkTagSplitter}. */
export interface ThinkTagSplitterOptions {
  /**
   * Start inside a think block that has no opening tag. DeepSeek R1 chat templates end the prompt
   * with `<think>\n`, so the model's output begins with reasoning and only the closing tag appears.
   * An explicit `<think>` at the very start (ignoring whitespace) is still accepted and dropped.
   * @default false
   */
  readonly startInReasoning?: boolean;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Splits streamed content into answer text and `<think>…</think>` reasoning, for servers that put
 * the reasoning inside `content` (mlx_lm before 0.30.1). Tags may straddle chunk boundaries, so a
 * trailing fragment that could still become a tag is held back until the next chunk decides it.
 * Whitespace right after a tag (models write `<think>\n` and `</think>\n\n`) is dropped so the UI
 * does not render blank lines at the start of either part.
 *
 * A `</think>` seen while not in a think block is dropped: the text before it has already been
 * streamed as answer text and cannot be taken back (see `startInReasoning` for R1's implicit start).
 * A `<think>` inside a think block is kept as reasoning text: models sometimes quote the tag.
 */
export class ThinkTagSplitter {
  private state: 'text' | 'reasoning';
  /** Characters held back because they may be the start of a tag. */
  private pending = '';
  /** Drop whitespace until the first visible character of the current part. */
  private trimLeading = true;
  /** In implicit-reasoning mode, an explicit opening tag may still come first. */
  private acceptLeadingOpen: boolean;

  constructor(options: ThinkTagSplitterOptions = {}) {
    this.state = options.startInReasoning ? 'reasoning' : 'text';
    this.acceptLeadingOpen = !!options.startInReasoning;
  }

  /** Feeds one content delta; returns what can already be told apart. */
  push(chunk: string): SplitPiece[] {
    const out: SplitPiece[] = [];
    let buffer = this.pending + chunk;
    this.pending = '';
    for (;;) {
      const found = this.findTag(buffer);
      if (!found) break;
      this.emit(out, buffer.slice(0, found.index));
      buffer = buffer.slice(found.index + found.tag.length);
      this.switchOn(found.tag);
    }
    const keep = this.partialTagSuffixLength(buffer);
    this.emit(out, buffer.slice(0, buffer.length - keep));
    this.pending = buffer.slice(buffer.length - keep);
    return out;
  }

  /** End of stream: whatever was held back was not a tag after all. */
  flush(): SplitPiece[] {
    const out: SplitPiece[] = [];
    this.emit(out, this.pending);
    this.pending = '';
    return out;
  }

  /** The earliest tag in `buffer` that means something in the current state. */
  private findTag(buffer: string): { index: number; tag: string } | undefined {
    const close = buffer.indexOf(CLOSE);
    if (this.state === 'reasoning') {
      if (this.acceptLeadingOpen) {
        const open = buffer.indexOf(OPEN);
        if (open >= 0 && buffer.slice(0, open).trim() === '' && (close < 0 || open < close)) return { index: open, tag: OPEN };
      }
      return close >= 0 ? { index: close, tag: CLOSE } : undefined;
    }
    const open = buffer.indexOf(OPEN);
    const candidates = [open >= 0 ? { index: open, tag: OPEN } : undefined, close >= 0 ? { index: close, tag: CLOSE } : undefined].filter((c) => c !== undefined);
    return candidates.sort((a, b) => a.index - b.index)[0];
  }

  private switchOn(tag: string): void {
    this.acceptLeadingOpen = false;
    if (tag === OPEN) this.state = 'reasoning';
    else this.state = 'text'; // a stray close tag in text state also lands here: it is just dropped
    this.trimLeading = true;
  }

  /** How many trailing characters could be the beginning of a tag that matters now. */
  private partialTagSuffixLength(buffer: string): number {
    const tags = this.state === 'reasoning' ? (this.acceptLeadingOpen ? [CLOSE, OPEN] : [CLOSE]) : [OPEN, CLOSE];
    let longest = 0;
    for (const tag of tags) {
      for (let length = Math.min(tag.length - 1, buffer.length); length > longest; length--) {
        if (buffer.endsWith(tag.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }

  private emit(out: SplitPiece[], raw: string): void {
    let text = raw;
    if (this.trimLeading) {
      text = text.replace(/^\s+/, '');
      if (!text) return;
      this.trimLeading = false;
    }
    if (!text) return;
    // Once visible reasoning has started, a later `<think>` is just text the model wrote.
    if (this.state === 'reasoning') this.acceptLeadingOpen = false;
    const last = out[out.length - 1];
    if (last && last.kind === this.state) out[out.length - 1] = { kind: last.kind, text: last.text + text };
    else out.push({ kind: this.state, text });
  }
}
