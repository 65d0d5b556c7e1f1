import { createParser } from 'eventsource-parser';
import { Agent, type Dispatcher, request } from 'undici';
import { type Logger, silentLogger } from '../logging/logger';
import { type ChatBackend, ChatError, type ChatEvent, type ChatMessage, type ChatOptions } from './chatBackend';
import { chatErrorFromNetwork, chatErrorFromStatus, type ErrorSource } from './openAiErrors';
import { OpenAiStreamMapper } from './openAiStreamMapper';

/** Options of {@link OpenAiCompatibleBackend}. */
export interface OpenAiCompatibleBackendOptions {
  /**
   * Server root WITHOUT `/v1`, e.g. `http://127.0.0.1:8080` for mlx_lm.server; the client appends
   * `/v1/chat/completions`. A trailing `/v1` (as OpenAI's docs write it) is tolerated and dropped.
   */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer` only when given; never logged. */
  readonly apiKey?: string;
  /**
   * How requests go out. Pass the shared dispatcher for remote endpoints (it knows the proxy);
   * by default the backend owns a direct Agent, right for the loopback runner, which a proxy must
   * never see. Call {@link OpenAiCompatibleBackend.dispose} to close an owned one.
   */
  readonly dispatcher?: Dispatcher;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Backend id for logs, errors and UI. @default 'openai-compatible' */
  readonly id?: 'mlx' | 'openai-compatible' | (string & {});
  /** Model when `ChatOptions.model` is absent; when both are absent the field is omitted (mlx_lm uses its `--model`). */
  readonly defaultModel?: string;
  /** Connect timeout of the owned Agent (ignored when `dispatcher` is given). @default 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * The model's chat template opens `<think>` in the prompt (DeepSeek R1), so content streamed by
   * servers without `delta.reasoning` starts as reasoning with no opening tag.
   * See {@link chatTemplateOpensThinkBlock}. @default false
   */
  readonly startInReasoning?: boolean;
}

/**
 * Chat against mlx_lm.server or any OpenAI-compatible endpoint, streamed over SSE:
 * `POST {baseUrl}/v1/chat/completions` with `stream: true` and usage requested.
 *
 * No headers or body timeout: a model may load (or download) inside the request and generation may
 * pause for long prompts; the caller's AbortSignal is the way to give up.
 */
export class OpenAiCompatibleBackend implements ChatBackend {
  readonly id: string;
  private readonly root: string;
  private readonly logger: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: OpenAiCompatibleBackendOptions) {
    this.id = options.id ?? 'openai-compatible';
    this.root = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.logger = options.logger ?? silentLogger;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: options.connectTimeoutMs ?? 10_000 }, keepAliveTimeout: 10_000 });
  }

  /** The URL requests go to. */
  get endpoint(): string {
    return `${this.root}/v1/chat/completions`;
  }

  async *stream(messages: readonly ChatMessage[], options: ChatOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    const source = this.errorSource();
    if (signal?.aborted) throw this.cancelled();
    // Our own controller, so that a consumer who stops iterating early also closes the connection.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const body = this.requestBody(messages, options);
    this.logger.debug(`[chat:${this.id}] POST ${this.endpoint} (model ${body.model ?? '(server default)'}, ${body.messages.length} messages)`);

    let response: Dispatcher.ResponseData | undefined;
    let finished = false;
    try {
      try {
        response = await request(this.endpoint, {
          method: 'POST',
          dispatcher: this.dispatcher,
          headers: this.headers(),
          body: JSON.stringify(body),
          signal: controller.signal,
          headersTimeout: 0,
          bodyTimeout: 0,
        });
      } catch (error) {
        if (signal?.aborted) throw this.cancelled();
        throw chatErrorFromNetwork(error, source);
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text().catch(() => '');
        throw chatErrorFromStatus(response.statusCode, text, source);
      }
      yield* this.readEvents(response.body, signal);
      finished = true;
    } catch (error) {
      const failure = signal?.aborted ? this.cancelled() : error;
      if (failure instanceof ChatError) this.logger.warn(`[chat:${this.id}] ${failure.kind}: ${failure.userMessage}`);
      throw failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) {
        // Usually already done (undici closes on abort; leaving the body loop destroys it); this
        // makes sure no early exit path leaves a socket streaming into nowhere.
        controller.abort();
        response?.body.destroy();
      }
    }
  }

  /** Closes the Agent the backend created for itself (not a dispatcher that was passed in). */
  async dispose(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async *readEvents(stream: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<ChatEvent> {
    const mapper = new OpenAiStreamMapper({ backend: this.id, startInReasoning: this.options.startInReasoning ?? false });
    const ready: ChatEvent[] = [];
    let failure: unknown;
    // Comments (`: keepalive 128/2048` while the prompt is processed) are ignored by the parser.
    const parser = createParser({
      onEvent: (event) => {
        if (failure !== undefined || mapper.isDone) return;
        try {
          ready.push(...mapper.map(event.data));
        } catch (error) {
          failure = error;
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        yield* ready.splice(0);
        if (failure !== undefined) throw failure;
        if (mapper.isDone) break;
      }
    } catch (error) {
      if (error instanceof ChatError || signal?.aborted) throw error;
      // A connection lost after the server finished the answer loses nothing worth reporting.
      if (!mapper.isComplete) throw new ChatError('crashed', 'The answer broke off: the connection to the server was lost.', { backend: this.id, cause: error });
      this.logger.debug(`[chat:${this.id}] connection lost after the answer finished`);
    }
    // A last event without its blank line still counts; `consume` parses it.
    parser.feed(decoder.decode());
    parser.reset({ consume: true });
    yield* ready.splice(0);
    if (failure !== undefined) throw failure;
    yield* mapper.finish();
  }

  private requestBody(messages: readonly ChatMessage[], options: ChatOptions) {
    const model = options.model || this.options.defaultModel || undefined;
    const all: ChatMessage[] = options.systemPrompt ? [{ role: 'system', content: options.systemPrompt }, ...messages] : [...messages];
    return {
      ...(model ? { model } : {}),
      messages: all.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    };
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
    };
  }

  private errorSource(): ErrorSource {
    return { backend: this.id, origin: originOf(this.root), sentApiKey: !!this.options.apiKey };
  }

  private cancelled(): ChatError {
    return new ChatError('cancelled', 'The answer was cancelled.', { backend: this.id });
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
