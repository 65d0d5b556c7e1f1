// The input area: the text box (Enter sends, Shift+Enter adds a line, Escape stops), the context
// checkboxes, and Send / Stop / Regenerate. Its draft and checkboxes survive reloads through UI state.
import { type WebviewToHost } from '../../src/shared/protocol';
import { h } from './dom';
import { type UiState } from './vscodeApi';

type Field = HTMLElement & { value: string; disabled: boolean };
type Check = HTMLElement & { checked: boolean };
type Button = HTMLElement & { disabled: boolean; hidden: boolean };

export class Composer {
  readonly el: HTMLElement;
  private readonly input: Field;
  private readonly selection: Check;
  private readonly activeFile: Check;
  private readonly send: Button;
  private readonly stop: Button;
  private readonly regenerate: Button;
  private readonly ring: HTMLElement;
  private busy = false;
  private hasTurns = false;

  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly save: (change: Partial<UiState>) => void,
    initial: UiState,
  ) {
    this.input = h('vscode-textarea', {
      class: 'prompt',
      rows: '3',
      resize: 'vertical',
      placeholder: 'Ask a question (Enter to send, Shift+Enter for a new line, Escape to stop)',
      'aria-label': 'Message',
    }) as unknown as Field;
    this.input.value = initial.draft;
    this.selection = h('vscode-checkbox', { label: 'Include selection', checked: initial.includeSelection }) as unknown as Check;
    this.activeFile = h('vscode-checkbox', { label: 'Include active file', checked: initial.includeActiveFile }) as unknown as Check;
    this.ring = h('vscode-progress-ring', { class: 'busy', 'aria-label': 'Answering', hidden: true });
    this.regenerate = h('vscode-button', { secondary: true, title: 'Ask the last question again' }, 'Regenerate') as unknown as Button;
    this.stop = h('vscode-button', { title: 'Stop the answer (Escape)', hidden: true }, 'Stop') as unknown as Button;
    this.send = h('vscode-button', { title: 'Send (Enter)' }, 'Send') as unknown as Button;
    this.el = h(
      'footer',
      { class: 'composer' },
      this.input,
      h(
        'div',
        { class: 'composer-row' },
        h('div', { class: 'context-options' }, this.selection, this.activeFile),
        h('span', { class: 'spacer' }),
        h('div', { class: 'composer-actions' }, this.ring, this.regenerate, this.stop, this.send),
      ),
    );

    this.input.addEventListener('keydown', (e) => this.keydown(e));
    this.input.addEventListener('input', () => this.save({ draft: this.input.value }));
    this.selection.addEventListener('change', () => this.save({ includeSelection: this.selection.checked }));
    this.activeFile.addEventListener('change', () => this.save({ includeActiveFile: this.activeFile.checked }));
    this.send.addEventListener('click', () => this.submit());
    this.stop.addEventListener('click', () => this.post({ type: 'stop' }));
    this.regenerate.addEventListener('click', () => this.post({ type: 'regenerate' }));
    this.update();
  }

  focus(): void {
    this.input.focus();
  }

  setBusy(busy: boolean, hasTurns: boolean): void {
    this.busy = busy;
    this.hasTurns = hasTurns;
    this.update();
  }

  get isBusy(): boolean {
    return this.busy;
  }

  private keydown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape' && this.busy) {
      e.preventDefault();
      this.post({ type: 'stop' });
    }
  }

  private submit(): void {
    const text = this.input.value;
    // While an answer streams, Enter keeps the draft (Stop first); an empty box sends nothing.
    if (this.busy || !text.trim()) return;
    this.post({ type: 'send', text, ...(this.selection.checked ? { includeSelection: true } : {}), ...(this.activeFile.checked ? { includeActiveFile: true } : {}) });
    this.input.value = '';
    this.save({ draft: '' });
  }

  private update(): void {
    this.send.hidden = this.busy;
    this.stop.hidden = !this.busy;
    this.ring.hidden = !this.busy;
    this.regenerate.disabled = this.busy || !this.hasTurns;
  }
}
