import { ChatError } from './chatBackend';
import { createGeminiClient } from './createGeminiClient';
import { chatErrorFromGemini } from './geminiErrors';

/** Options of {@link checkGeminiKey}. */
export interface CheckGeminiKeyOptions {
  readonly apiKey: string;
  /** @default GOOGLE_GEMINI_BASE_URL, else the SDK's default */
  readonly baseUrl?: string;
  readonly signal?: AbortSignal;
}

export type GeminiKeyCheck =
  /** `models` are ids without the `models/` prefix, e.g. `gemini-2.5-flash`. */
  | { readonly ok: true; readonly models: readonly string[] }
  | { readonly ok: false; readonly error: ChatError };

/**
 * Validates a key before it is stored, by listing models (`GET v1beta/models`): the cheapest call
 * that needs a valid key and costs no quota. Never throws.
 */
export async function checkGeminiKey(options: CheckGeminiKeyOptions): Promise<GeminiKeyCheck> {
  if (!options.apiKey.trim()) return { ok: false, error: new ChatError('auth', 'The Gemini API key is empty.', { backend: 'gemini' }) };
  if (options.signal?.aborted) return { ok: false, error: new ChatError('cancelled', 'The key check was cancelled.', { backend: 'gemini' }) };
  try {
    const ai = createGeminiClient(options.apiKey, options.baseUrl);
    const pager = await ai.models.list({ config: { pageSize: 100, ...(options.signal ? { abortSignal: options.signal } : {}) } });
    const models = pager.page.map((model) => (model.name ?? '').replace(/^models\//, '')).filter((name) => name);
    return { ok: true, models };
  } catch (error) {
    if (options.signal?.aborted) return { ok: false, error: new ChatError('cancelled', 'The key check was cancelled.', { backend: 'gemini' }) };
    return { ok: false, error: chatErrorFromGemini(error, 'request') };
  }
}
