import { ProxyError } from './proxyError';

/**
 * What kind of failure to get an answer an error is, read from its `code` (or its causes' codes:
 * `fetch` wraps them in "fetch failed"):
 * - `unreachable`: nothing answered at all (refused, no DNS, no route, connect timeout). Worth another
 *   try or two (a restarting server, a network coming up), not more: the user should hear soon.
 * - `dropped`: a connection was made and then broke (reset, closed mid-answer, read timeout). Typical
 *   of overloaded servers and flaky links: retried like a 5xx.
 * - `other`: TLS and certificate failures, malformed answers, bugs. Retrying changes nothing.
 * A ProxyError says itself (a proxy that wants credentials is `other`, one that is down `unreachable`).
 */
export type NetworkFailureKind = 'unreachable' | 'dropped' | 'other';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT']);
const DROPPED = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function networkFailureKind(error: unknown): NetworkFailureKind {
  // Causes nest (fetch failed → SocketError → …); a few levels are plenty, and cycles stop here.
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof ProxyError) return current.kind;
    // undici's parser says "Invalid EOF state", without a code, when a connection closes mid-chunk.
    if (current instanceof Error && current.name === 'HTTPParserError' && /\bEOF\b/.test(current.message)) return 'dropped';
    const code = (current as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (UNREACHABLE.has(code)) return 'unreachable';
    if (DROPPED.has(code)) return 'dropped';
  }
  return 'other';
}
