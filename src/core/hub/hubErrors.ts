import { formatDuration } from '../format/formatDuration';
import { VIA_PROXY_HEADER } from '../http/forwardProxyHandler';
import { proxyErrorIn } from '../http/proxyError';
import { DEFAULT_HUB_ENDPOINT } from './hubConfig';

/**
 * Typed Hub failures. Each carries the HTTP status (undefined for network failures), the URL (which
 * never holds a token), the Hub's `X-Error-Code`, and `userMessage`: one sentence a user can act on.
 */
export class HubError extends Error {
  override name = 'HubError';
  readonly status: number | undefined;
  readonly url: string;
  readonly errorCode: string | undefined;
  readonly userMessage: string;
  /** The Hub's own `X-Error-Message`, for the log. */
  readonly serverMessage: string | undefined;

  constructor(init: { status?: number; url: string; errorCode?: string; userMessage: string; serverMessage?: string; cause?: unknown }) {
    super(init.userMessage, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.status = init.status;
    this.url = init.url;
    this.errorCode = init.errorCode;
    this.userMessage = init.userMessage;
    this.serverMessage = init.serverMessage;
  }
}

export class RepoNotFoundError extends HubError {
  override name = 'RepoNotFoundError';
}
export class RevisionNotFoundError extends HubError {
  override name = 'RevisionNotFoundError';
}
export class EntryNotFoundError extends HubError {
  override name = 'EntryNotFoundError';
  /** The commit the Hub looked in (`X-Repo-Commit`), when it said. */
  commit: string | undefined;
}
export class GatedRepoError extends HubError {
  override name = 'GatedRepoError';
}
/** 401/403 that is not about one repo: typically a rejected token. */
export class HubAuthError extends HubError {
  override name = 'HubAuthError';
}
export class RateLimitedError extends HubError {
  override name = 'RateLimitedError';
  /** How long the Hub asked us to wait, from `RateLimit: ...;t=<s>` or `Retry-After`. */
  retryAfterMs: number | undefined;
}
/** 5xx, timeouts and network failures: the Hub (or the way to it) is down, not the request wrong. */
export class HubUnavailableError extends HubError {
  override name = 'HubUnavailableError';
  /** How long the Hub asked clients to wait (`Retry-After`), when it said. */
  retryAfterMs: number | undefined;
}
export class OfflineModeError extends HubError {
  override name = 'OfflineModeError';
  constructor(url: string) {
    super({ url, userMessage: 'HF_HUB_OFFLINE is set, so nothing is fetched from the Hugging Face Hub. Unset it to download; models already in the cache still work.' });
  }
}

export const TOKEN_HINT = 'MLX: Set Hugging Face Token or HF_TOKEN';

/** What the request was about, so messages can name the model, revision or file. */
export interface HubErrorContext {
  repoId?: string;
  revision?: string;
  path?: string;
  /** Whether the request carried a token (changes what a 401/404 means to the user). */
  hadToken?: boolean;
  /**
   * The configured Hub endpoint (a mirror, an enterprise Hub, a local stand-in): pages such as a gated
   * repo's license are linked there. @default the origin of the URL that answered
   */
  endpoint?: string;
}

/** Maps a failed Hub answer to a typed error, by `X-Error-Code` first, then by status (like huggingface_hub). */
/** What error mapping reads from an answer's headers (`Headers` fits). */
export interface HeaderLookup {
  get(name: string): string | null;
}

export function toHubError(response: { status: number; headers: HeaderLookup }, url: string, context: HubErrorContext = {}): HubError {
  const { status, headers } = response;
  const errorCode = headers.get('x-error-code') ?? undefined;
  const serverMessage = headers.get('x-error-message') ?? undefined;
  const base = { status, url, errorCode, serverMessage };
  const repo = context.repoId ?? 'this model';
  const host = safeHost(url);

  if (status === 429) {
    const retryAfterMs = retryAfterFromHeaders(headers);
    const error = new RateLimitedError({
      ...base,
      userMessage: `The Hugging Face Hub is rate-limiting requests${retryAfterMs !== undefined ? `; try again in ${Math.ceil(retryAfterMs / 1000)} s` : '; try again in a minute'} (a token raises the limit: ${TOKEN_HINT}).`,
    });
    error.retryAfterMs = retryAfterMs;
    return error;
  }
  if (errorCode === 'GatedRepo') {
    const page = `${repoPageBase(url, context.endpoint)}/${context.repoId ?? ''}`;
    return new GatedRepoError({
      ...base,
      userMessage:
        status === 403 || context.hadToken
          ? `${repo} is gated and your token has no access yet: accept the license on ${page} (approval may take a while), then try again.`
          : `${repo} is gated: accept the license on ${page} and set a token (${TOKEN_HINT}).`,
    });
  }
  if (errorCode === 'RevisionNotFound') {
    return new RevisionNotFoundError({ ...base, userMessage: `Revision "${context.revision ?? '?'}" does not exist in ${repo}. Use a branch name, tag or full commit id.` });
  }
  if (errorCode === 'EntryNotFound') {
    const error = new EntryNotFoundError({ ...base, userMessage: `${context.path ?? 'The file'} is not in ${repo}${context.revision ? ` at ${context.revision}` : ''}. The repo may have changed: refresh the model list.` });
    error.commit = headers.get('x-repo-commit') ?? undefined;
    return error;
  }
  const invalidToken = status === 401 && serverMessage === 'Invalid credentials in Authorization header';
  // huggingface_hub reads a 401 without a code on a repo URL as "not found or private" too.
  if (errorCode === 'RepoNotFound' || (status === 401 && !invalidToken && context.repoId !== undefined && errorCode === undefined)) {
    return new RepoNotFoundError({
      ...base,
      userMessage: context.hadToken
        ? `${repo} was not found on ${host}, or your token cannot see it. Check the model id.`
        : `${repo} was not found on ${host}. Check the model id; if it is private, set a token with access (${TOKEN_HINT}).`,
    });
  }
  // Through a forwarding proxy (plain http), a 403 or 502 without the Hub's error headers may be the proxy's own.
  const viaProxy = errorCode === undefined && serverMessage === undefined ? (headers.get(VIA_PROXY_HEADER) ?? undefined) : undefined;
  if (status === 403 && viaProxy) {
    return new HubAuthError({
      ...base,
      userMessage: `The proxy ${viaProxy} or the Hub behind it refused access (HTTP 403): check that the proxy allows ${host}, then your token (${TOKEN_HINT}).`,
    });
  }
  if (status === 401 || status === 403) {
    return new HubAuthError({
      ...base,
      userMessage: invalidToken
        ? `The Hugging Face token was rejected. Set a valid token (${TOKEN_HINT}) or remove the invalid one.`
        : `The Hugging Face Hub refused access (${status}). Check your token (${TOKEN_HINT}).`,
    });
  }
  if (status >= 500) {
    const who = viaProxy ? `The Hugging Face Hub at ${host}, or the proxy ${viaProxy} in front of it,` : `The Hugging Face Hub at ${host}`;
    const error = new HubUnavailableError({ ...base, userMessage: `${who} is having trouble (HTTP ${status}). Try again in a few minutes.` });
    error.retryAfterMs = retryAfterFromHeaders(headers);
    return error;
  }
  return new HubError({ ...base, userMessage: `The Hugging Face Hub answered HTTP ${status}${serverMessage ? ` (${serverMessage})` : ''} for ${url}.` });
}

/**
 * A 5xx whose `Retry-After` asks for a longer wait than the client sits through: the request fails at
 * once, and the message says how long the Hub asked for.
 */
export function hubAskedToWaitError(error: HubUnavailableError, waitMs: number): HubUnavailableError {
  const status = error.status ?? 503;
  const busy = new HubUnavailableError({
    status,
    url: error.url,
    errorCode: error.errorCode,
    serverMessage: error.serverMessage,
    userMessage: `The Hugging Face Hub at ${safeHost(error.url)} is having trouble (HTTP ${status}) and asks clients to wait ${formatDuration(waitMs / 1000)} before trying again. Try again later.`,
  });
  busy.retryAfterMs = waitMs;
  return busy;
}

/**
 * A failure to get any answer: DNS, refused connection, TLS, timeout, or the proxy (which the message
 * then names, with the variable or setting it came from, and what it did).
 */
export function networkHubError(url: string, cause: unknown, timedOut: boolean): HubUnavailableError {
  const host = safeHost(url);
  const proxyFailure = proxyErrorIn(cause);
  return new HubUnavailableError({
    url,
    cause,
    userMessage: proxyFailure
      ? `Could not reach the Hugging Face Hub at ${host}. ${proxyFailure.message}.`
      : timedOut
        ? `The Hugging Face Hub at ${host} did not answer in time. Check the network and any proxy settings, or HF_ENDPOINT.`
        : `Could not reach the Hugging Face Hub at ${host}. Check the network and any proxy settings, or HF_ENDPOINT.`,
  });
}

/**
 * The wait the Hub asks for: `RateLimit: "resolvers";r=0;t=<seconds>` (IETF draft), else
 * `Retry-After` as seconds or an HTTP date.
 */
export function retryAfterFromHeaders(headers: HeaderLookup, now: number = Date.now()): number | undefined {
  const t = /(?:^|;)\s*t=(\d+(?:\.\d+)?)/.exec(headers.get('ratelimit') ?? '')?.[1];
  if (t !== undefined) return Math.round(Number(t) * 1000);
  const retryAfter = headers.get('retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Where repo pages live: the configured endpoint (with any path prefix), else the answering origin. */
function repoPageBase(url: string, endpoint: string | undefined): string {
  if (endpoint) return endpoint.replace(/\/+$/, '');
  try {
    return new URL(url).origin;
  } catch {
    return DEFAULT_HUB_ENDPOINT;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
