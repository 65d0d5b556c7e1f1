/**
 * The one interface every chat backend implements (local mlx_lm server, any OpenAI-compatible
 * endpoint, Gemini), so the router, the chat panel, the @mlx participant and the CLI treat them alike.
 */

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatOptions {
  /** Backend-specific model id (repo id for MLX, e.g. `gemini-2.5-flash` for Gemini). */
  readonly model?: string;
  readonly systemPrompt?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'cancelled' | 'other';

/** What a streamed answer yields, in order: text and reasoning deltas, usage when known, then done. */
export type ChatEvent =
  | { readonly type: 'text'; readonly text: string }
  /** "Thinking" of reasoning models (R1 distills), from `delta.reasoning` or `<think>…</think>`. */
  | { readonly type: 'reasoning'; readonly text: string }
  | { readonly type: 'usage'; readonly promptTokens: number; readonly completionTokens: number; readonly totalTokens: number }
  | { readonly type: 'done'; readonly finishReason: FinishReason };

export interface ChatBackend {
  /** Stable id for logs and UI, e.g. `mlx`, `openai-compatible`, `gemini`. */
  readonly id: string;
  /**
   * Streams one answer. Errors are thrown as `ChatError` (also mid-stream, e.g. a dropped
   * connection); aborting `signal` stops the request and ends with `ChatError` kind `cancelled`.
   */
  stream(messages: readonly ChatMessage[], options: ChatOptions, signal?: AbortSignal): AsyncIterable<ChatEvent>;
}

export type ChatErrorKind = 'unavailable' | 'auth' | 'quota' | 'bad-request' | 'crashed' | 'cancelled' | 'server';

/** A chat failure with a kind the UI maps to actions (Set key, Retry, Download model, Show logs). */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly kind: ChatErrorKind,
    /** One sentence a user can act on. */
    readonly userMessage: string,
    readonly details: { readonly status?: number; readonly backend?: string; readonly cause?: unknown } = {},
  ) {
    super(userMessage, details.cause !== undefined ? { cause: details.cause } : undefined);
  }
}
