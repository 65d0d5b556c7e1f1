import { ChatError } from './chatBackend';
import { errorCode } from './errorCode';

const BACKEND = 'gemini';
const SET_KEY = 'set a new one with MLX: Set Gemini API Key';

/** The `{"error":{...}}` body the Gemini API answers with. */
interface GeminiErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly status?: string;
  readonly details?: ReadonlyArray<{ readonly reason?: string }>;
}

/**
 * Where a failure happened: before the answer started (nothing reached us yet) or while it was
 * streaming (the connection broke off mid-answer).
 */
export type GeminiPhase = 'request' | 'stream';

/**
 * Maps what `@google/genai` throws to a ChatError. Its `ApiError` carries the HTTP status and, as
 * its message, the JSON error body (or `got status: X. {json}` for an error inside the stream);
 * network failures surface as undici's `TypeError` ("fetch failed" / "terminated") with a cause.
 */
export function chatErrorFromGemini(error: unknown, phase: GeminiPhase): ChatError {
  if (error instanceof ChatError) return error;
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined;
  if (status !== undefined && (error as Error).name === 'ApiError') return fromApiError(status, parseErrorBody((error as Error).message), error);
  const message = error instanceof Error ? error.message : String(error);
  const details = { backend: BACKEND, cause: error };
  if (/^exception parsing stream chunk/.test(message)) return new ChatError('server', 'Gemini sent an unreadable stream event.', details);
  if (/Incomplete JSON segment/.test(message)) return new ChatError('crashed', 'The Gemini answer broke off mid-event: try again.', details);
  const code = errorCode(error);
  if (phase === 'stream' || code === 'UND_ERR_SOCKET' || message === 'terminated') {
    return new ChatError('crashed', 'The Gemini answer broke off: the connection was lost. Try again.', details);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ChatError('unavailable', 'Gemini is not reachable: check your network connection.', details);
  return new ChatError('unavailable', `Gemini is not reachable${code ? ` (${code})` : ''}: check your network connection.`, details);
}

function fromApiError(status: number, body: GeminiErrorBody, cause: unknown): ChatError {
  const details = { status, backend: BACKEND, cause };
  const said = body.message ? `: ${body.message.trim().replace(/\.$/, '')}` : '';
  const keyInvalid = body.details?.some((d) => d.reason === 'API_KEY_INVALID') || /API_KEY_INVALID|API key not valid/i.test(body.message ?? '');
  if (keyInvalid || status === 401) return new ChatError('auth', `The Gemini API key is not valid: ${SET_KEY}.`, details);
  if (status === 403) return new ChatError('auth', `Gemini refused the API key (${body.status ?? 'HTTP 403'})${said}. Check the key's project or ${SET_KEY}.`, details);
  if (status === 429) return new ChatError('quota', `Gemini quota or rate limit reached${said}.`, details);
  if (status >= 500) return new ChatError('server', `Gemini failed (HTTP ${status})${said}. Try again later.`, details);
  if (status === 404) return new ChatError('bad-request', `Gemini does not know this model (HTTP 404)${said}.`, details);
  return new ChatError('bad-request', `Gemini rejected the request (HTTP ${status})${said}.`, details);
}

/** Reads the error object out of the SDK's message; the SDK embeds the body as JSON. */
function parseErrorBody(message: string): GeminiErrorBody {
  const start = message.indexOf('{');
  if (start < 0) return { message };
  try {
    const parsed = JSON.parse(message.slice(start)) as { error?: unknown };
    const error = parsed.error;
    if (typeof error !== 'object' || error === null) return { message };
    const body = error as GeminiErrorBody;
    // A non-JSON error answer reaches us as `{"error":{"message":"<raw body text>"}}`; that raw
    // text may itself be the JSON body (a server sending JSON with another content type).
    if (typeof body.message === 'string' && body.message.trimStart().startsWith('{')) {
      const inner = parseErrorBody(body.message);
      if (inner.message !== body.message) return inner;
    }
    return body;
  } catch {
    return { message };
  }
}
