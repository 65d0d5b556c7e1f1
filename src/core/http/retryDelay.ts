type Headers = Record<string, string | string[] | undefined>;

/**
 * The longest wait a server may ask for (`Retry-After`, `RateLimit`) that is waited out, on the Hub
 * and on the CDN alike. A server asking for more is down for now: the request fails at once, saying
 * how long it asked for, instead of sitting silent for minutes or hours.
 */
export const MAX_SERVER_WAIT_MS = 60_000;

/**
 * How long the server asked us to wait, in ms, or undefined when it did not say.
 * Reads `Retry-After` (seconds or an HTTP date) and the IETF `RateLimit` header the Hub sends on 429
 * (`"resolvers";r=0;t=<seconds>`, `t` being the seconds until the window resets).
 */
export function serverRetryDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = first(headers['retry-after']);
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const rateLimit = first(headers['ratelimit']);
  const reset = rateLimit && /(?:^|;)\s*t=(\d+(?:\.\d+)?)/.exec(rateLimit);
  if (reset) return Number(reset[1]) * 1000;
  return undefined;
}

/** Options of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** 1 for the first retry. */
  readonly attempt: number;
  /** @default 500 */
  readonly baseMs?: number;
  /** @default 30000 */
  readonly maxMs?: number;
  /** Source of randomness in [0, 1) (tests fix it). @default Math.random */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so
 * eight connections failing together do not come back in lockstep, yet never retry immediately.
 */
export function backoffDelayMs(options: BackoffOptions): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const step = Math.min(max, base * 2 ** Math.max(0, options.attempt - 1));
  return step / 2 + (options.random ?? Math.random)() * (step / 2);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
