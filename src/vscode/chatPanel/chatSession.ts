import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { ChatError, type ChatMessage } from '../../core/chat/chatBackend';
import { type RoutedEvent } from '../../core/chat/chatRouter';
import { Disposable } from '../../core/lifecycle/disposable';
import { Emitter } from '../../core/lifecycle/emitter';
import { type ChatTurn, type DeltaKind, type HostToWebview, type TurnMetrics, type TurnRoute } from '../../shared/protocol';
import { type InferenceServices } from '../inference/inferenceServices';
import { errorCardFor } from './chatErrorActions';
import { type ChatHistoryStore } from './chatHistoryStore';
import { type PromptWithContext } from './editorContext';

export interface ChatSessionDeps {
  readonly store: ChatHistoryStore;
  readonly inference: Promise<InferenceServices>;
  readonly maxTokens: () => number;
  readonly systemPrompt: () => string | undefined;
  /** The selected local model, and whether it is downloaded (for the fallback notice's Download button). */
  readonly selectedModel: () => { readonly repoId: string; readonly downloaded: boolean };
  readonly log: vscode.LogOutputChannel;
}

export interface AskOptions {
  /** Overrides the `mlx.chat.maxTokens` setting for this turn (tests ask for long answers). */
  readonly maxTokens?: number;
}

/** Streamed text is sent to the webview in batches at most this often (the first delta goes at once). */
const DELTA_BATCH_MS = 16;

interface Running {
  readonly id: string;
  readonly controller: AbortController;
  readonly finished: Promise<ChatTurn>;
}

/**
 * One conversation on the host: the history (persisted per workspace), the turn being streamed through
 * the router, and Stop / Regenerate / New Chat. It speaks to its view only through `onDidPost`
 * (messages of the shared protocol), so tests drive it without a webview.
 */
export class ChatSession extends Disposable {
  private turns: ChatTurn[];
  private running: Running | undefined;
  private readonly posted = this._register(new Emitter<HostToWebview>());
  /** Every message for the webview, in order. */
  readonly onDidPost = this.posted.event;
  private readonly turnEnded = this._register(new Emitter<ChatTurn>());
  /** Fires when a turn ends (done, cancelled or error), after the history was saved. */
  readonly onDidEndTurn = this.turnEnded.event;

  constructor(private readonly deps: ChatSessionDeps) {
    super();
    this.turns = deps.store.load();
    this._register({ dispose: () => this.running?.controller.abort() });
  }

  get history(): readonly ChatTurn[] {
    return this.turns;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Starts a turn and resolves when it ends. A turn already running is stopped first. */
  async ask(input: PromptWithContext & { readonly text: string }, options: AskOptions = {}): Promise<ChatTurn> {
    if (this.running) await this.stop();
    const turn: ChatTurn = {
      id: randomUUID(),
      text: input.text,
      prompt: input.prompt,
      ...(input.contextLabel ? { contextLabel: input.contextLabel } : {}),
      reply: '',
      reasoning: '',
      status: 'streaming',
    };
    // The model sees the finished turns before this one; failed turns have no answer to show it.
    const messages: ChatMessage[] = this.turns.flatMap((t): ChatMessage[] =>
      t.status === 'error' || !t.reply ? [] : [{ role: 'user', content: t.prompt }, { role: 'assistant', content: t.reply }],
    );
    messages.push({ role: 'user', content: turn.prompt });
    this.turns.push(turn);
    this.post({ type: 'turnStart', turn });
    void this.save();
    const controller = new AbortController();
    const finished = this.stream(turn.id, messages, options, controller);
    this.running = { id: turn.id, controller, finished };
    return finished;
  }

  /** Cancels the running turn; resolves once it has ended (within milliseconds: it does not wait for the backend). */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.controller.abort();
    await running.finished;
  }

  /** Asks the last question again, replacing its answer. */
  async regenerate(options: AskOptions = {}): Promise<ChatTurn | undefined> {
    await this.stop();
    const last = this.turns.at(-1);
    if (!last) return undefined;
    this.turns.pop();
    this.post({ type: 'reset', history: this.turns });
    return this.ask({ text: last.text, prompt: last.prompt, ...(last.contextLabel ? { contextLabel: last.contextLabel } : {}) }, options);
  }

  async newChat(): Promise<void> {
    await this.stop();
    this.turns = [];
    this.post({ type: 'reset', history: [] });
    await this.save();
  }

  private async stream(turnId: string, messages: ChatMessage[], options: AskOptions, controller: AbortController): Promise<ChatTurn> {
    const { signal } = controller;
    const batch = new DeltaBatcher((kind, text) => this.post({ type: 'delta', turnId, kind, text }));
    const started = performance.now();
    let metrics: TurnMetrics = {};
    try {
      const inference = await this.deps.inference;
      const events = inference.router.stream(messages, { maxTokens: options.maxTokens ?? this.deps.maxTokens(), systemPrompt: this.deps.systemPrompt() }, signal);
      const iterator = events[Symbol.asyncIterator]();
      // Stop must end the turn at once, even while the backend is still connecting or loading a model:
      // race each step against the abort instead of waiting for the backend to notice.
      const aborted = new Promise<'aborted'>((resolve) => (signal.aborted ? resolve('aborted') : signal.addEventListener('abort', () => resolve('aborted'), { once: true })));
      for (;;) {
        const step = await Promise.race([iterator.next(), aborted]);
        if (step === 'aborted') {
          void iterator.return?.(undefined)?.catch(() => undefined);
          break;
        }
        if (step.done) break;
        metrics = this.apply(turnId, step.value, batch, metrics, inference, started);
      }
      batch.flush();
      return await this.end(turnId, signal.aborted ? 'cancelled' : 'done', metrics);
    } catch (error) {
      batch.flush();
      if (signal.aborted || (error instanceof ChatError && error.kind === 'cancelled')) return this.end(turnId, 'cancelled', metrics);
      this.deps.log.error(`[chat] turn failed: ${error instanceof ChatError ? `${error.kind}: ${error.userMessage}` : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const card = errorCardFor(error);
      this.update(turnId, { status: 'error', error: card });
      this.post({ type: 'error', turnId, error: card });
      return this.finish(turnId);
    } finally {
      batch.dispose();
    }
  }

  /** Folds one router event into the turn and tells the webview; returns the metrics so far. */
  private apply(turnId: string, event: RoutedEvent, batch: DeltaBatcher, metrics: TurnMetrics, inference: InferenceServices, started: number): TurnMetrics {
    switch (event.type) {
      case 'route': {
        const { route } = event;
        const selected = this.deps.selectedModel();
        const fallback = route.backend === 'gemini' ? route.fallbackReason : undefined;
        const turnRoute: TurnRoute = {
          backend: route.backend,
          model: route.model,
          ...(fallback ? { fallbackReason: fallback } : {}),
          // A fallback because the selected model is missing can be fixed with one click.
          ...(fallback && !selected.downloaded ? { downloadRepoId: selected.repoId } : {}),
        };
        this.update(turnId, { route: turnRoute });
        this.post({ type: 'route', turnId, route: turnRoute });
        return metrics;
      }
      case 'text':
      case 'reasoning': {
        if (!event.text) return metrics;
        const turn = this.find(turnId);
        if (turn) this.update(turnId, event.type === 'text' ? { reply: turn.reply + event.text } : { reasoning: turn.reasoning + event.text });
        batch.add(event.type, event.text);
        // Measured here too, so a stopped reply (no router metrics) still shows it; the router's wins later.
        return metrics.timeToFirstTokenMs === undefined ? { ...metrics, timeToFirstTokenMs: performance.now() - started } : metrics;
      }
      case 'usage':
        return { ...metrics, promptTokens: event.promptTokens, completionTokens: event.completionTokens };
      case 'metrics':
        if (event.tokensPerSecond !== undefined) inference.reportSpeed(event.tokensPerSecond);
        return {
          ...metrics,
          durationMs: event.durationMs,
          ...(event.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: event.timeToFirstTokenMs } : {}),
          ...(event.tokensPerSecond !== undefined ? { tokensPerSecond: event.tokensPerSecond } : {}),
        };
      case 'done':
        return metrics;
    }
  }

  private async end(turnId: string, status: 'done' | 'cancelled', metrics: TurnMetrics): Promise<ChatTurn> {
    this.update(turnId, { status, metrics });
    this.post({ type: 'done', turnId, status, metrics });
    return this.finish(turnId);
  }

  private async finish(turnId: string): Promise<ChatTurn> {
    if (this.running?.id === turnId) this.running = undefined;
    await this.save();
    const turn = this.find(turnId);
    if (!turn) throw new Error(`turn ${turnId} vanished`);
    this.turnEnded.fire(turn);
    return turn;
  }

  private find(turnId: string): ChatTurn | undefined {
    return this.turns.find((t) => t.id === turnId);
  }

  private update(turnId: string, change: Partial<ChatTurn>): void {
    const index = this.turns.findIndex((t) => t.id === turnId);
    // A turn removed meanwhile (New Chat during a stream) stays removed.
    if (index >= 0) this.turns[index] = { ...this.turns[index]!, ...change };
  }

  private post(message: HostToWebview): void {
    this.posted.fire(message);
  }

  private async save(): Promise<void> {
    try {
      await this.deps.store.save(this.turns);
    } catch (error) {
      this.deps.log.warn(`[chat] could not save the history: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Coalesces streamed deltas so a fast model does not send one message per token: the first delta goes
 * at once (time to first token stays honest), later ones at most every DELTA_BATCH_MS, by kind in order.
 */
class DeltaBatcher {
  private pending: { kind: DeltaKind; text: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sentAny = false;

  constructor(private readonly send: (kind: DeltaKind, text: string) => void) {}

  add(kind: DeltaKind, text: string): void {
    const last = this.pending.at(-1);
    if (last?.kind === kind) last.text += text;
    else this.pending.push({ kind, text });
    if (!this.sentAny) {
      this.sentAny = true;
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), DELTA_BATCH_MS);
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = [];
    for (const { kind, text } of pending) this.send(kind, text);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
