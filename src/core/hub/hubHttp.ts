import { type SmallFetch, type SmallFetchResponse } from '../http/dispatchFetch';
import { type NetworkFailureKind, networkFailureKind } from '../http/networkFailure';
import { type Logger, silentLogger } from '../logging/logger';
import { InvalidHubResponseError } from './modelInfo';
import { type HubError, type HubErrorContext, hubAskedToWaitError, HubUnavailableError, networkHubError, OfflineModeError, RateLimitedError, toHubError } from './hubErrors';
import { HubRetries, type HubRetryOptions, type RetryDecision } from './hubRetries';

/** How {@link HubHttp} reaches the Hub. */
export interface HubHttpOptions extends HubRetryOptions {
  /** Hub origin, no trailing slash. @default 'https://huggingface.co' */
  endpoint?: string;
  /** Sent as `Authorization: Bearer` to the endpoint's origin only. */
  token?: string;
  /** `HF_HUB_OFFLINE`: every request fails with OfflineModeError before touching the network. @default false */
  offline?: boolean;
  /** How requests are sent: `dispatchFetch(dispatcher)` in the product; tests may pass the global `fetch`. */
  fetch: SmallFetch;
  /** @default silentLogger */
  logger?: Logger;
  /** Per-request time limit (the Python client uses 10 s). @default 10000 */
  timeoutMs?: number;
}

export interface HubRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** For error messages. */
  context?: HubErrorContext;
}

export interface HubResponse {
  response: SmallFetchResponse;
  /** The URL that answered (after same-origin redirects). */
  url: string;
}

const MAX_REDIRECTS = 5;

/**
 * The one place Hub requests are sent: token only to the endpoint's origin, same-origin redirects
 * followed by hand (a cross-origin redirect is returned, never followed with the token), 429s, 5xx
 * and dropped connections retried with backoff within bounds (see HubRetries; every request here is
 * a GET or HEAD, so asking again is safe), timeouts and failures mapped to typed errors.
 */
export class HubHttp {
  readonly endpoint: string;
  private readonly origin: string;
  private readonly logger: Logger;

  constructor(private readonly options: HubHttpOptions) {
    this.endpoint = (options.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
    this.origin = new URL(this.endpoint).origin;
    this.logger = options.logger ?? silentLogger;
  }

  get hasToken(): boolean {
    return !!this.options.token;
  }

  /** Throws OfflineModeError when offline; call before any work that would reach the network. */
  assertOnline(url: string): void {
    if (this.options.offline) throw new OfflineModeError(url);
  }

  /** Sends the request; a 3xx to another origin comes back as is. Non-2xx/3xx answers throw HubError. */
  send(request: HubRequest): Promise<HubResponse> {
    return this.sendWith(request, new HubRetries(this.options));
  }

  /** GET a JSON document. A body cut off mid-way is asked for again, within the same retry budget. */
  async getJson<T>(request: HubRequest): Promise<{ body: T; response: SmallFetchResponse; url: string }> {
    const retries = new HubRetries(this.options);
    const withAccept = { ...request, headers: { Accept: 'application/json', ...request.headers } };
    for (;;) {
      const { response, url } = await this.sendWith(withAccept, retries);
      if (response.status >= 300) {
        await response.body?.cancel();
        throw this.errorFor(response, url, request.context);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        const failure = networkHubError(url, error, false);
        await this.waitOrThrow(retries.afterNetworkFailure(networkFailureKind(error)), failure, url, request.signal, 'the answer broke off');
        continue;
      }
      try {
        return { body: JSON.parse(text) as T, response, url };
      } catch {
        // A truncated answer or an HTML page from a captive portal or proxy, sent with status 200.
        throw new InvalidHubResponseError(url, `the answer is not valid JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 24))})`);
      }
    }
  }

  private async sendWith(request: HubRequest, retries: HubRetries): Promise<HubResponse> {
    this.assertOnline(request.url);
    let url = request.url;
    for (let redirects = 0; ; ) {
      const response = await this.fetchOnce(url, request);
      if (response instanceof NoAnswer) {
        await this.waitOrThrow(retries.afterNetworkFailure(response.kind), response.error, url, request.signal, response.what);
        continue;
      }
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        const next = new URL(response.headers.get('location')!, url).toString();
        if (new URL(next).origin !== this.origin) return { response, url };
        await response.body?.cancel();
        if (++redirects > MAX_REDIRECTS) throw this.errorFor(response, url, request.context);
        url = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        const error = this.errorFor(response, url, { ...request.context, hadToken: this.tokenFor(url) !== undefined });
        const serverWaitMs = error instanceof RateLimitedError || error instanceof HubUnavailableError ? error.retryAfterMs : undefined;
        await this.waitOrThrow(retries.afterStatus(response.status, serverWaitMs), error, url, request.signal, `HTTP ${response.status}`);
        continue;
      }
      return { response, url };
    }
  }

  /** Waits before the next try, or throws the failure (saying how long the server asked for, when that is why). */
  private async waitOrThrow(decision: RetryDecision, error: HubError, url: string, signal: AbortSignal | undefined, what: string): Promise<void> {
    if (!decision.retry) {
      if (decision.reason === 'wait-too-long' && error instanceof HubUnavailableError && error.retryAfterMs !== undefined) {
        this.logger.debug(`[hub] ${what} from ${url}, asking to wait ${error.retryAfterMs} ms: longer than we wait, giving up`);
        throw hubAskedToWaitError(error, error.retryAfterMs);
      }
      if (decision.reason === 'exhausted') this.logger.debug(`[hub] ${what} from ${url}; giving up after the retries allowed`);
      throw error;
    }
    // Info, not warn: the CLI prints warnings, and a failed command prints one line (the error) only.
    this.logger.info(`[hub] ${what} from ${url}; waiting ${Math.round(decision.waitMs)} ms before retry ${decision.attempt}`);
    await sleep(decision.waitMs, signal);
  }

  /** A typed error for a failed answer; messages link pages on this endpoint, not always huggingface.co. */
  errorFor(response: Pick<SmallFetchResponse, 'status' | 'headers'>, url: string, context: HubErrorContext = {}): HubError {
    return toHubError(response, url, { ...context, endpoint: this.endpoint });
  }

  private tokenFor(url: string): string | undefined {
    // The token is for the Hub only: a CDN, a mirror's storage or any other host never sees it.
    return this.options.token && new URL(url).origin === this.origin ? this.options.token : undefined;
  }

  /** One request; a failure to get an answer comes back as NoAnswer (for the retry policy), a cancel is thrown. */
  private async fetchOnce(url: string, request: HubRequest): Promise<SmallFetchResponse | NoAnswer> {
    const token = this.tokenFor(url);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const method = request.method ?? 'GET';
    try {
      const response = await this.options.fetch(url, {
        method,
        redirect: 'manual',
        signal,
        headers: { ...request.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      });
      this.logger.debug(`[hub] ${method} ${url} -> ${response.status}`);
      return response;
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      this.logger.debug(`[hub] ${method} ${url} failed: ${describe(error)}`);
      // A server that does not answer in time is treated like one that cannot be reached: a retry or two.
      const kind = timeout.aborted ? 'unreachable' : networkFailureKind(error);
      return new NoAnswer(networkHubError(url, error, timeout.aborted), kind, timeout.aborted ? 'no answer in time' : `no answer (${describe(error)})`);
    }
  }
}

/** A request that got no answer: the error to throw if it is not tried again, and what kind of failure it was. */
class NoAnswer {
  constructor(
    readonly error: HubUnavailableError,
    readonly kind: NetworkFailureKind,
    readonly what: string,
  ) {}
}

/** The innermost useful text of an error (`fetch failed` hides the real one in `cause`). */
function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const inner = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${inner}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
