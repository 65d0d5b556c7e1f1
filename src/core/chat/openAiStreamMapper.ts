import { ChatError, type ChatEvent, type FinishReason } from './chatBackend';
import { ThinkTagSplitter } from './thinkTagSplitter';

/** Options of {@link OpenAiStreamMapper}. */
export interface OpenAiStreamMapperOptions {
  /** Backend id put into errors. */
  readonly backend: string;
  /** See {@link ThinkTagSplitterOptions.startInReasoning}. @default false */
  readonly startInReasoning?: boolean;
}

/** The parts of a `chat.completion.chunk` we read; everything is optional because servers differ. */
interface CompletionChunk {
  readonly choices?: ReadonlyArray<{
    readonly delta?: { readonly content?: string | null; readonly reasoning?: string | null; readonly reasoning_content?: string | null };
    readonly finish_reason?: string | null;
  }>;
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number; readonly total_tokens?: number } | null;
  readonly error?: unknown;
}

/**
 * Turns the `data:` payloads of an OpenAI-style chat stream into {@link ChatEvent}s. Pure: the HTTP
 * client feeds it event data and asks it how the stream ended.
 *
 * `done` is held until the stream ends, because the usage chunk comes after the chunk that carries
 * `finish_reason`, and the contract promises usage before done.
 */
export class OpenAiStreamMapper {
  private readonly splitter: ThinkTagSplitter;
  /** Once the server sends `delta.reasoning`, it splits reasoning itself: content is all answer. */
  private serverSplitsReasoning = false;
  private finishReason: FinishReason | undefined;
  private usage: Extract<ChatEvent, { type: 'usage' }> | undefined;
  private sawDoneMarker = false;

  constructor(private readonly options: OpenAiStreamMapperOptions) {
    this.splitter = new ThinkTagSplitter({ startInReasoning: options.startInReasoning ?? false });
  }

  /** True after `data: [DONE]`. */
  get isDone(): boolean {
    return this.sawDoneMarker;
  }

  /** True once the server said the answer is over (`[DONE]` or a `finish_reason`). */
  get isComplete(): boolean {
    return this.sawDoneMarker || this.finishReason !== undefined;
  }

  /** Maps one event's data. Throws ChatError (`server`) for unreadable JSON or an error event. */
  map(data: string): ChatEvent[] {
    if (data.trim() === '[DONE]') {
      this.sawDoneMarker = true;
      return [];
    }
    const chunk = this.parse(data);
    if (chunk.error !== undefined) {
      throw new ChatError('server', `The server reported an error mid-answer: ${describeStreamError(chunk.error)}`, { backend: this.options.backend });
    }
    const events: ChatEvent[] = [];
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const reasoning = delta?.reasoning ?? delta?.reasoning_content;
    if (typeof reasoning === 'string' && reasoning) {
      this.serverSplitsReasoning = true;
      events.push({ type: 'reasoning', text: reasoning });
    }
    if (typeof delta?.content === 'string' && delta.content) {
      if (this.serverSplitsReasoning) events.push({ type: 'text', text: delta.content });
      else for (const piece of this.splitter.push(delta.content)) events.push({ type: piece.kind, text: piece.text });
    }
    if (choice?.finish_reason) this.finishReason = toFinishReason(choice.finish_reason);
    if (chunk.usage) {
      const promptTokens = chunk.usage.prompt_tokens ?? 0;
      const completionTokens = chunk.usage.completion_tokens ?? 0;
      this.usage = { type: 'usage', promptTokens, completionTokens, totalTokens: chunk.usage.total_tokens ?? promptTokens + completionTokens };
    }
    return events;
  }

  /**
   * Call when the body has ended. A stream is complete with `[DONE]` or a `finish_reason`;
   * anything else means the server went away mid-answer, which throws ChatError `crashed`.
   */
  finish(): ChatEvent[] {
    if (!this.sawDoneMarker && this.finishReason === undefined) {
      throw new ChatError('crashed', 'The answer broke off: the server closed the connection before finishing.', { backend: this.options.backend });
    }
    const events: ChatEvent[] = this.splitter.flush().map((piece) => ({ type: piece.kind, text: piece.text }));
    if (this.usage) events.push(this.usage);
    // `[DONE]` without a finish_reason is still a clean end: the server said the answer is complete.
    events.push({ type: 'done', finishReason: this.finishReason ?? 'stop' });
    return events;
  }

  private parse(data: string): CompletionChunk {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new ChatError('server', `The server sent an unreadable stream event (not JSON): ${data.slice(0, 120)}`, { backend: this.options.backend });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ChatError('server', `The server sent an unexpected stream event: ${data.slice(0, 120)}`, { backend: this.options.backend });
    }
    return parsed as CompletionChunk;
  }
}

function toFinishReason(reason: string): FinishReason {
  return reason === 'stop' || reason === 'length' || reason === 'tool_calls' ? reason : 'other';
}

/** `{"error":"text"}` (mlx_lm style) or `{"error":{"message":...}}` (OpenAI style). */
function describeStreamError(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return JSON.stringify(error).slice(0, 300);
}
