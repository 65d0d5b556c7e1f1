import { type SmallFetch, type SmallFetchResponse } from '../http/dispatchFetch';
import { type Logger, silentLogger } from '../logging/logger';
import { InvalidHubResponseError } from './modelInfo';
import { type HubError, type HubErrorContext, networkHubError, OfflineModeError, RateLimitedError, toHubError } from './hubErrors';

/** How {@link HubHttp} reaches the Hub. */
export interface HubHttpOptions {
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
  /** 429 answers waited out before giving up. @default 3 */
  maxRateLimitRetries?: number;
  /** A 429 asking for a longer wait than this fails at once instead. @default 60000 */
  maxRateLimitWaitMs?: number;
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
 * followed by hand (a cross-origin redirect is returned, never followed with the token), 429s waited
 * out within bounds, timeouts and failures mapped to typed errors.
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
  async send(request: HubRequest): Promise<HubResponse> {
    this.assertOnline(request.url);
    let url = request.url;
    let rateLimited = 0;
    for (let redirects = 0; ; ) {
      const response = await this.fetchOnce(url, request);
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        const next = new URL(response.headers.get('location')!, url).toString();
        if (new URL(next).origin !== this.origin) return { response, url };
        await response.body?.cancel();
        if (++redirects > MAX_REDIRECTS) throw this.errorFor(response, url, request.context);
        url = next;
        continue;
      }
      if (response.status === 429) {
        const error = this.errorFor(response, url, request.context);
        await response.body?.cancel();
        const waitMs = (error instanceof RateLimitedError ? error.retryAfterMs : undefined) ?? 1000 * 2 ** rateLimited;
        if (rateLimited >= (this.options.maxRateLimitRetries ?? 3) || waitMs > (this.options.maxRateLimitWaitMs ?? 60_000)) throw error;
        rateLimited++;
        this.logger.warn(`[hub] rate-limited on ${url}; waiting ${waitMs} ms (retry ${rateLimited})`);
        await sleep(waitMs, request.signal);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw this.errorFor(response, url, { ...request.context, hadToken: this.tokenFor(url) !== undefined });
      }
      return { response, url };
    }
  }

  /** GET a JSON document. */
  async getJson<T>(request: HubRequest): Promise<{ body: T; response: SmallFetchResponse; url: string }> {
    const { response, url } = await this.send({ ...request, headers: { Accept: 'application/json', ...request.headers } });
    if (response.status >= 300) {
      await response.body?.cancel();
      throw this.errorFor(response, url, request.context);
    }
    const text = await response.text();
    try {
      return { body: JSON.parse(text) as T, response, url };
    } catch {
      // A truncated answer or an HTML page from a captive portal or proxy, sent with status 200.
      throw new InvalidHubResponseError(url, `the answer is not valid JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 24))})`);
    }
  }

  /** A typed error for a failed answer; messages link pages on this endpoint, not always huggingface.co. */
  errorFor(response: Pick<SmallFetchResponse, 'status' | 'headers'>, url: string, context: HubErrorContext = {}): HubError {
    return toHubError(response, url, { ...context, endpoint: this.endpoint });
  }

  private tokenFor(url: string): string | undefined {
    // The token is for the Hub only: a CDN, a mirror's storage or any other host never sees it.
    return this.options.token && new URL(url).origin === this.origin ? this.options.token : undefined;
  }

  private async fetchOnce(url: string, request: HubRequest): Promise<SmallFetchResponse> {
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
      this.logger.debug(`[hub] ${method} ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
      throw networkHubError(url, error, timeout.aborted);
    }
  }
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
