import type { GoogleGenAI } from '@google/genai';
import { type Logger, silentLogger } from '../logging/logger';
import { type ChatBackend, ChatError, type ChatEvent, type ChatMessage, type ChatOptions } from './chatBackend';
import { createGeminiClient } from './createGeminiClient';
import { chatErrorFromGemini } from './geminiErrors';
import { toGeminiRequest } from './geminiRequest';
import { GeminiStreamMapper } from './geminiStreamMapper';

export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash';

/** Options of {@link GeminiBackend}. */
export interface GeminiBackendOptions {
  /** The user's Gemini API key (from SecretStorage); sent as `x-goog-api-key`, never logged. */
  readonly apiKey: string;
  /** API root, e.g. a local stand-in. @default GOOGLE_GEMINI_BASE_URL, else the SDK's default */
  readonly baseUrl?: string;
  /** Model when `ChatOptions.model` is absent. @default 'gemini-2.5-flash' */
  readonly model?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/**
 * Chat against the Gemini API through `@google/genai`'s streaming call. The SDK uses the global
 * `fetch`, so VS Code's proxy support applies to it as to other extensions.
 */
export class GeminiBackend implements ChatBackend {
  readonly id = 'gemini';
  /** Made on first use: the SDK complains on the console when it is built without a key. */
  private ai: GoogleGenAI | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: GeminiBackendOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async *stream(messages: readonly ChatMessage[], options: ChatOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    if (!this.options.apiKey) throw new ChatError('auth', 'No Gemini API key: set one with MLX: Set Gemini API Key.', { backend: this.id });
    if (signal?.aborted) throw cancelled();
    const { contents, systemInstruction } = toGeminiRequest(messages, options.systemPrompt);
    if (!contents.length) throw new ChatError('bad-request', 'There is no message to send to Gemini.', { backend: this.id });
    const model = options.model || this.options.model || DEFAULT_GEMINI_MODEL;
    // Our own controller, so that a consumer who stops iterating early also closes the connection.
    // The SDK only hears about an abort that happens after the call starts, hence the check above.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.logger.debug(`[chat:gemini] streamGenerateContent (model ${model}, ${contents.length} turns)`);

    const mapper = new GeminiStreamMapper();
    let phase: 'request' | 'stream' = 'request';
    let finished = false;
    try {
      this.ai ??= createGeminiClient(this.options.apiKey, this.options.baseUrl);
      const chunks = await this.ai.models.generateContentStream({
        model,
        contents,
        config: {
          abortSignal: controller.signal,
          automaticFunctionCalling: { disable: true },
          ...(systemInstruction !== undefined ? { systemInstruction } : {}),
          ...(options.maxTokens !== undefined ? { maxOutputTokens: options.maxTokens } : {}),
          ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        },
      });
      phase = 'stream';
      try {
        for await (const chunk of chunks) yield* mapper.map(chunk);
      } catch (error) {
        // A connection lost after the last chunk (the one with finishReason) loses nothing.
        if (signal?.aborted || error instanceof ChatError || !mapper.isComplete) throw error;
        this.logger.debug('[chat:gemini] connection lost after the answer finished');
      }
      yield* mapper.finish();
      finished = true;
      if (mapper.geminiFinishReason && mapper.geminiFinishReason !== 'STOP') {
        this.logger.info(`[chat:gemini] answer ended with ${mapper.geminiFinishReason}`);
      }
    } catch (error) {
      const failure = signal?.aborted ? cancelled() : chatErrorFromGemini(error, phase);
      this.logger.warn(`[chat:gemini] ${failure.kind}: ${failure.userMessage}`);
      throw failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) controller.abort();
    }
  }
}

function cancelled(): ChatError {
  return new ChatError('cancelled', 'The answer was cancelled.', { backend: 'gemini' });
}
