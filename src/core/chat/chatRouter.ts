import { type BackendKind } from '../router/backendKind';
import { Emitter } from '../lifecycle/emitter';
import { type Logger, silentLogger } from '../logging/logger';
import { type ChatBackend, ChatError, type ChatEvent, type ChatMessage, type ChatOptions } from './chatBackend';

/** Whether MLX can answer now, and with what; checked before every request. */
export type MlxReadiness = { readonly ok: true; readonly backend: ChatBackend; readonly model: string } | { readonly ok: false; readonly reason: string };

export interface ChatRouterOptions {
  /** The user's choice (setting / status-bar toggle). */
  readonly choice: () => BackendKind;
  /** Answer with Gemini when MLX can't serve. */
  readonly fallbackEnabled: () => boolean;
  /** Checks mlx_lm, the model (the selected one unless `model` names another) and the runner, starting it if needed. */
  readonly mlx: (signal?: AbortSignal, model?: string) => Promise<MlxReadiness>;
  /** The Gemini backend, or undefined when no API key is set. */
  readonly gemini: () => Promise<ChatBackend | undefined>;
  readonly geminiModel: () => string;
  readonly logger?: Logger;
}

/** A request that names its backend or local model (VS Code's model picker chose one) instead of the user's settings. */
export interface RouteOverride {
  readonly backend?: BackendKind;
  /** The local model to use for this request. */
  readonly mlxModel?: string;
}

/** Where the last request went and why: drives the status bar and the "answered by Gemini" notices. */
export type RouteDecision =
  | { readonly backend: 'mlx'; readonly model: string }
  | { readonly backend: 'gemini'; readonly model: string; readonly fallbackReason?: string };

/** Router events around the backend's own: the route first, metrics last. */
export type RoutedEvent =
  | ChatEvent
  | { readonly type: 'route'; readonly route: RouteDecision }
  | { readonly type: 'metrics'; readonly timeToFirstTokenMs?: number; readonly tokensPerSecond?: number; readonly durationMs: number };

/**
 * Sends each request to the user's choice — Gemini, or MLX with the selected model — checking first that
 * MLX can serve (mlx_lm present, model downloaded, runner healthy). If it can't and fallback is on, Gemini
 * answers and a fallback is announced with the reason; the next request tries MLX again, so it returns
 * to MLX as soon as MLX can serve.
 */
export class ChatRouter {
  private readonly routed = new Emitter<RouteDecision>();
  /** Fires with every request's route (fallbacks included). */
  readonly onDidRoute = this.routed.event;
  private readonly log: Logger;

  constructor(private readonly options: ChatRouterOptions) {
    this.log = options.logger ?? silentLogger;
  }

  /** Decides where a request goes, without sending it. */
  async route(signal?: AbortSignal, override: RouteOverride = {}): Promise<{ decision: RouteDecision; backend: ChatBackend }> {
    if ((override.backend ?? this.options.choice()) === 'gemini') {
      const gemini = await this.options.gemini();
      if (!gemini) throw new ChatError('auth', 'Gemini needs an API key: run "MLX: Set Gemini API Key" (or set GEMINI_API_KEY), or switch to MLX.', { backend: 'gemini' });
      return { decision: { backend: 'gemini', model: this.options.geminiModel() }, backend: gemini };
    }
    const mlx = await this.options.mlx(signal, override.mlxModel);
    if (mlx.ok) return { decision: { backend: 'mlx', model: mlx.model }, backend: mlx.backend };
    if (!this.options.fallbackEnabled()) throw new ChatError('unavailable', mlx.reason, { backend: 'mlx' });
    const gemini = await this.options.gemini();
    if (!gemini) {
      throw new ChatError('unavailable', `${mlx.reason} Gemini could answer instead, but it has no API key: run "MLX: Set Gemini API Key".`, { backend: 'mlx' });
    }
    this.log.warn(`[router] MLX can't serve (${mlx.reason}); answering with Gemini`);
    return { decision: { backend: 'gemini', model: this.options.geminiModel(), fallbackReason: mlx.reason }, backend: gemini };
  }

  /** Routes and streams one answer: a `route` event, the backend's events, then `metrics`. */
  async *stream(messages: readonly ChatMessage[], options: ChatOptions, signal?: AbortSignal, override?: RouteOverride): AsyncIterable<RoutedEvent> {
    const started = performance.now();
    const { decision, backend } = await this.route(signal, override);
    this.routed.fire(decision);
    yield { type: 'route', route: decision };
    let firstTokenAt: number | undefined;
    let completionTokens: number | undefined;
    let chunks = 0;
    // The local runner serves the model it was started with (no `model` field); Gemini and remote
    // OpenAI-compatible servers need the name.
    const model = options.model ?? (backend.id === 'mlx' ? undefined : decision.model);
    for await (const event of backend.stream(messages, { ...options, model }, signal)) {
      if ((event.type === 'text' || event.type === 'reasoning') && event.text) {
        firstTokenAt ??= performance.now();
        chunks++;
      }
      if (event.type === 'usage') completionTokens = event.completionTokens;
      yield event;
    }
    const end = performance.now();
    const generating = firstTokenAt !== undefined ? (end - firstTokenAt) / 1000 : 0;
    // Usage counts tokens exactly; without it, one streamed chunk is about one token.
    const tokens = completionTokens ?? chunks;
    yield {
      type: 'metrics',
      durationMs: end - started,
      ...(firstTokenAt !== undefined ? { timeToFirstTokenMs: firstTokenAt - started } : {}),
      ...(generating > 0 && tokens > 1 ? { tokensPerSecond: (tokens - 1) / generating } : {}),
    };
  }

  dispose(): void {
    this.routed.dispose();
  }
}
