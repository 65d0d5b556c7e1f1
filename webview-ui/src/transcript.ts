// The list of turns: builds views from the host's history, routes streamed events to the right view,
// renders dirty views once per animation frame, keeps the newest text in view while the user has not
// scrolled up, and handles every click inside it with one delegated listener.
import { type ChatTurn, type WebviewToHost } from '../../src/shared/protocol';
import { type CodeAction, codeOfButton } from './codeBlocks';
import { h } from './dom';
import { type Render, TurnView } from './turnView';

/** Within this many pixels of the bottom counts as "following the stream". */
const STICK_PX = 40;

export class Transcript {
  readonly el: HTMLElement;
  private readonly empty: HTMLElement;
  private views = new Map<string, TurnView>();
  private frame: number | undefined;
  private stick = true;

  constructor(
    private readonly render: Render,
    private readonly post: (message: WebviewToHost) => void,
    private readonly onScroll: (scrollTop: number) => void,
  ) {
    this.empty = h('div', { class: 'empty' }, h('h2', {}, 'Chat with your local model'), h('p', {}, 'Ask a question below. Answers come from the selected MLX model, or from Gemini.'));
    this.el = h('main', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' }, this.empty);
    this.el.addEventListener('scroll', () => {
      this.stick = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < STICK_PX;
      this.onScroll(this.el.scrollTop);
    });
    this.el.addEventListener('click', (event) => this.click(event));
    // A narrower panel (an editor opened beside it) re-wraps the text: keep following the newest line.
    new ResizeObserver(() => {
      if (this.stick) this.scrollToEnd();
    }).observe(this.el);
  }

  /** Replaces everything with the host's history. */
  reset(history: readonly ChatTurn[], scrollTop?: number): void {
    for (const view of this.views.values()) view.el.remove();
    this.views.clear();
    for (const turn of history) this.add(turn, false);
    this.empty.hidden = history.length > 0;
    if (scrollTop !== undefined && scrollTop > 0) {
      this.el.scrollTop = scrollTop;
      this.stick = this.el.scrollHeight - scrollTop - this.el.clientHeight < STICK_PX;
    } else {
      this.scrollToEnd();
    }
  }

  add(turn: ChatTurn, follow = true): TurnView {
    const view = new TurnView(turn, this.render);
    this.views.set(turn.id, view);
    this.el.append(view.el);
    this.empty.hidden = true;
    if (follow) {
      this.stick = true;
      this.scrollToEnd();
    }
    return view;
  }

  get(turnId: string): TurnView | undefined {
    return this.views.get(turnId);
  }

  get last(): TurnView | undefined {
    return [...this.views.values()].at(-1);
  }

  /** Asks for a render of dirty views on the next animation frame (once, however many deltas arrive). */
  schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      for (const view of this.views.values()) if (view.dirty) view.flush();
      if (this.stick) this.scrollToEnd();
    });
  }

  private scrollToEnd(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }

  private click(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target : undefined;
    if (!target) return;
    const link = target.closest('a[href]');
    if (link) {
      // The host opens http(s) links itself; nothing navigates inside the webview.
      event.preventDefault();
      const url = link.getAttribute('href') ?? '';
      if (/^https?:\/\//i.test(url)) this.post({ type: 'openLink', url });
      return;
    }
    const codeButton = target.closest<HTMLElement>('[data-code-action]');
    if (codeButton) {
      const block = codeOfButton(codeButton);
      if (!block) return;
      const action = codeButton.dataset.codeAction as CodeAction;
      if (action === 'copy') {
        this.post({ type: 'copyCode', code: block.code });
        flash(codeButton, 'Copied');
      } else if (action === 'insert') {
        this.post({ type: 'insertCode', code: block.code });
      } else {
        this.post({ type: 'newFile', code: block.code, language: block.language });
      }
      return;
    }
    const download = target.closest<HTMLElement>('[data-download]');
    if (download?.dataset.download) {
      this.post({ type: 'download', repoId: download.dataset.download });
      return;
    }
    const action = target.closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'setGeminiKey' || action === 'showLogs' || action === 'downloadModel' || action === 'openSettings') this.post({ type: 'action', id: action });
  }
}

/** Shows a short confirmation on a button, then its own label again. */
function flash(button: HTMLElement, text: string): void {
  const label = button.dataset.label ?? button.textContent ?? '';
  button.dataset.label = label;
  button.textContent = text;
  setTimeout(() => (button.textContent = label), 1500);
}
