import { backoffDelayMs, MAX_SERVER_WAIT_MS } from '../http/retryDelay';
import { type NetworkFailureKind } from '../http/networkFailure';

/** How {@link HubRetries} decides; part of `HubHttpOptions`. */
export interface HubRetryOptions {
  /**
   * Transient failures (HTTP 408, 500, 502, 503, 504, a dropped connection) tried again before giving
   * up, like huggingface_hub's `http_backoff`. A host that cannot be reached at all gets at most 2 of them.
   * @default 4
   */
  maxRetries?: number;
  /** 429 answers waited out before giving up. @default 3 */
  maxRateLimitRetries?: number;
  /** A 429 or 5xx asking for a longer wait than this fails at once instead. @default 60000 */
  maxServerWaitMs?: number;
  /** First backoff step when the server names no wait; doubled per retry (with jitter), up to 8 s. @default 1000 */
  retryBaseDelayMs?: number;
}

/** Statuses worth asking again for: the server (or a gateway) failed, not the request. */
const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);
/** Tries against a host that does not answer at all: enough for a restart or a blip, short for a user waiting. */
const MAX_UNREACHABLE_RETRIES = 2;
const MAX_BACKOFF_MS = 8000;

/** What to do after a failure: wait this long and try again, or give up (`reason` says why). */
export type RetryDecision = { readonly retry: true; readonly waitMs: number; readonly attempt: number } | { readonly retry: false; readonly reason: 'not-retryable' | 'exhausted' | 'wait-too-long' };

/**
 * The retry budget of one logical Hub request (a GET or HEAD with its redirects and body): counts
 * failures by kind and says how long to wait before the next try. Only idempotent requests use it.
 */
export class HubRetries {
  private transient = 0;
  private unreachable = 0;
  private rateLimited = 0;

  constructor(private readonly options: HubRetryOptions = {}) {}

  /** After a failed answer with `status`; `serverWaitMs` is what its Retry-After / RateLimit asked for. */
  afterStatus(status: number, serverWaitMs: number | undefined): RetryDecision {
    if (status === 429) {
      if (this.rateLimited >= (this.options.maxRateLimitRetries ?? 3)) return { retry: false, reason: 'exhausted' };
      return this.wait(serverWaitMs, ++this.rateLimited);
    }
    if (!TRANSIENT_STATUSES.has(status)) return { retry: false, reason: 'not-retryable' };
    if (this.transient >= this.maxRetries) return { retry: false, reason: 'exhausted' };
    return this.wait(serverWaitMs, ++this.transient);
  }

  /** After a request that got no (complete) answer. */
  afterNetworkFailure(kind: NetworkFailureKind): RetryDecision {
    if (kind === 'other') return { retry: false, reason: 'not-retryable' };
    if (this.transient >= this.maxRetries) return { retry: false, reason: 'exhausted' };
    if (kind === 'unreachable' && this.unreachable >= Math.min(MAX_UNREACHABLE_RETRIES, this.maxRetries)) return { retry: false, reason: 'exhausted' };
    if (kind === 'unreachable') this.unreachable++;
    return this.wait(undefined, ++this.transient);
  }

  private get maxRetries(): number {
    return Math.max(0, this.options.maxRetries ?? 4);
  }

  private wait(serverWaitMs: number | undefined, attempt: number): RetryDecision {
    if (serverWaitMs !== undefined) {
      if (serverWaitMs > (this.options.maxServerWaitMs ?? MAX_SERVER_WAIT_MS)) return { retry: false, reason: 'wait-too-long' };
      return { retry: true, waitMs: serverWaitMs, attempt };
    }
    return { retry: true, waitMs: backoffDelayMs({ attempt, baseMs: this.options.retryBaseDelayMs ?? 1000, maxMs: MAX_BACKOFF_MS }), attempt };
  }
}
