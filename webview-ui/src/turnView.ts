// One question and its answer in the transcript. Streamed text only marks the view dirty; the
// transcript re-renders dirty views once per animation frame, so a fast model costs one markdown
// render per frame, not one per token.
import { type ChatTurn, type TurnError, type TurnMetrics, type TurnRoute } from '../../src/shared/protocol';
import { decorateCodeBlocks } from './codeBlocks';
import { h } from './dom';
import { ACTION_LABELS, fallbackNotice, footerText } from './format';

export type Render = (markdown: string) => string;

export class TurnView {
  readonly el: HTMLElement;
  private turn: ChatTurn;
  private readonly answer: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly thinking: HTMLElement & { open: boolean; description: string };
  private readonly thinkingBody: HTMLElement;
  private readonly reply: HTMLElement;
  private readonly errorCard: HTMLElement;
  private readonly footer: HTMLElement;
  private replyDirty = true;
  private reasoningDirty = true;
  private outcomeDirty = true;

  constructor(
    turn: ChatTurn,
    private readonly render: Render,
  ) {
    this.turn = turn;
    const user = h('div', { class: 'user-message' }, h('div', { class: 'user-text' }, turn.text), turn.contextLabel ? h('div', { class: 'context-chip', title: 'Sent with this question' }, `+ ${turn.contextLabel}`) : undefined);
    this.notice = h('div', { class: 'notice', role: 'status', hidden: true });
    this.thinking = h('vscode-collapsible', { class: 'thinking', heading: 'Thinking', hidden: true }) as unknown as HTMLElement & { open: boolean; description: string };
    this.thinkingBody = h('div', { class: 'reasoning markdown' });
    this.thinking.append(this.thinkingBody);
    this.reply = h('div', { class: 'reply markdown' });
    this.errorCard = h('div', { class: 'error-card', role: 'alert', hidden: true });
    this.footer = h('div', { class: 'reply-footer' });
    this.answer = h('div', { class: 'answer' }, this.notice, this.thinking, this.reply, this.errorCard, this.footer);
    this.el = h('article', { class: 'turn', 'data-turn-id': turn.id }, user, this.answer);
    this.showRoute();
    this.flush();
  }

  get id(): string {
    return this.turn.id;
  }

  get status(): ChatTurn['status'] {
    return this.turn.status;
  }

  /** Adds streamed text; the next render shows it. */
  append(kind: 'text' | 'reasoning', text: string): void {
    if (kind === 'text') {
      this.turn = { ...this.turn, reply: this.turn.reply + text };
      this.replyDirty = true;
    } else {
      this.turn = { ...this.turn, reasoning: this.turn.reasoning + text };
      this.reasoningDirty = true;
    }
  }

  setRoute(route: TurnRoute): void {
    this.turn = { ...this.turn, route };
    this.showRoute();
  }

  /** The outcome (status, footer) is shown with the next render, so it never runs ahead of the text. */
  finish(status: 'done' | 'cancelled', metrics: TurnMetrics): void {
    this.turn = { ...this.turn, status, metrics };
    this.outcomeDirty = true;
  }

  fail(error: TurnError): void {
    this.turn = { ...this.turn, status: 'error', error };
    this.outcomeDirty = true;
  }

  get dirty(): boolean {
    return this.replyDirty || this.reasoningDirty || this.outcomeDirty;
  }

  /** Renders what changed since the last frame. */
  flush(): void {
    if (this.reasoningDirty) {
      this.reasoningDirty = false;
      const { reasoning } = this.turn;
      this.thinking.hidden = reasoning.length === 0;
      if (reasoning) this.thinkingBody.innerHTML = this.render(reasoning);
    }
    if (this.replyDirty) {
      this.replyDirty = false;
      this.reply.innerHTML = this.render(this.turn.reply);
      decorateCodeBlocks(this.reply);
    }
    if (this.outcomeDirty) {
      this.outcomeDirty = false;
      this.showOutcome();
    }
    this.el.classList.toggle('streaming', this.turn.status === 'streaming');
    this.thinking.description = this.turn.status === 'streaming' && !this.turn.reply ? 'thinking…' : '';
  }

  private showRoute(): void {
    const route = this.turn.route;
    const fallback = route?.fallbackReason;
    this.notice.hidden = !fallback;
    if (!route || !fallback) return;
    this.notice.replaceChildren(h('span', { class: 'notice-text' }, fallbackNotice(route)));
    if (route.downloadRepoId) {
      this.notice.append(h('vscode-button', { secondary: true, 'data-download': route.downloadRepoId }, 'Download'));
    }
  }

  private showOutcome(): void {
    const { status, error, route, metrics } = this.turn;
    this.errorCard.hidden = status !== 'error' || !error;
    if (status === 'error' && error) {
      this.errorCard.replaceChildren(
        h('div', { class: 'error-message' }, error.message),
        h('div', { class: 'error-actions' }, ...error.actions.map((id) => h('vscode-button', { secondary: true, 'data-action': id }, ACTION_LABELS[id]))),
      );
    }
    this.footer.textContent = status === 'streaming' || status === 'error' ? '' : footerText(route, metrics, status);
    this.footer.hidden = this.footer.textContent === '';
    this.el.dataset.status = status;
  }
}
