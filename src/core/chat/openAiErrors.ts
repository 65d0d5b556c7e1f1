import { ChatError } from './chatBackend';
import { errorCode } from './errorCode';

/** Who failed, for messages: the local runner reads differently from a remote endpoint. */
export interface ErrorSource {
  /** Backend id (`mlx`, `openai-compatible`). */
  readonly backend: string;
  /** Server origin, e.g. `http://127.0.0.1:8080` (no path, no secrets). */
  readonly origin: string;
  /** Whether an API key was sent (a 401 then means "rejected", otherwise "needed"). */
  readonly sentApiKey: boolean;
}

/**
 * Maps a non-2xx answer of an OpenAI-compatible server to a ChatError. mlx_lm answers
 * `{"error": "..."}` (404 when the model fails to load); OpenAI-style servers answer
 * `{"error": {"message": "..."}}`; both messages are passed on, because they name the cause.
 */
export function chatErrorFromStatus(status: number, bodyText: string, source: ErrorSource): ChatError {
  const serverMessage = serverMessageOf(bodyText);
  const said = serverMessage.text ? `: ${serverMessage.text.replace(/\.$/, '')}` : '';
  const details = { status, backend: source.backend };
  if (status === 404) {
    if (serverMessage.fromJson) return new ChatError('unavailable', `The model could not be loaded (HTTP 404)${said}.`, details);
    return new ChatError('unavailable', `No chat endpoint at ${source.origin}/v1/chat/completions (HTTP 404): check the server address.`, details);
  }
  if (status === 401 || status === 403) {
    const what = source.sentApiKey ? 'The server rejected the API key' : 'The server needs an API key';
    return new ChatError('auth', `${what} (HTTP ${status})${said}.`, details);
  }
  if (status === 429) return new ChatError('quota', `Rate limit or quota reached (HTTP 429)${said}.`, details);
  if (status >= 500) return new ChatError('server', `The server failed (HTTP ${status})${said}.`, details);
  return new ChatError('bad-request', `The server rejected the request (HTTP ${status})${said}.`, details);
}

/** Maps a failure to connect or to get an answer (before any event arrived) to a ChatError. */
export function chatErrorFromNetwork(error: unknown, source: ErrorSource): ChatError {
  const code = errorCode(error);
  const details = { backend: source.backend, cause: error };
  if (code === 'ECONNREFUSED') {
    const message =
      source.backend === 'mlx' ? `The runner is not running (nothing listens on ${source.origin}).` : `Nothing answers at ${source.origin}: is the server running?`;
    return new ChatError('unavailable', message, details);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ChatError('unavailable', `Cannot resolve the host of ${source.origin}: check the address and your network.`, details);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return new ChatError('unavailable', `Timed out connecting to ${source.origin}.`, details);
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') {
    // mlx_lm drops the connection without an answer for some invalid parameters, and a runner
    // that died mid-request looks the same, so the message names both.
    return new ChatError('crashed', `The server closed the connection without answering (it may have crashed or rejected a parameter).`, details);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new ChatError('server', `The server at ${source.origin} did not start answering in time.`, details);
  return new ChatError('unavailable', `Cannot reach ${source.origin}: ${error instanceof Error ? error.message : String(error)}`, details);
}

function serverMessageOf(bodyText: string): { text: string; fromJson: boolean } {
  const text = bodyText.slice(0, 4000).trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error;
    if (typeof error === 'string') return { text: error, fromJson: true };
    if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
      return { text: (error as { message: string }).message, fromJson: true };
    }
    if (typeof parsed.message === 'string') return { text: parsed.message, fromJson: true };
    if (typeof parsed.detail === 'string') return { text: parsed.detail, fromJson: true };
  } catch {
    // not JSON: use the start of the text
  }
  return { text: text.slice(0, 300), fromJson: false };
}
