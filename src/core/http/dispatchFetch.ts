import { type Dispatcher } from 'undici';

/** The request side of the small slice of `fetch` the Hub client uses. */
export interface SmallFetchInit {
  readonly method?: string;
  /** Redirects are never followed here; accepted so `fetch` itself fits the same type. */
  readonly redirect?: 'manual';
  readonly signal?: AbortSignal;
  readonly headers?: Record<string, string>;
}

/** The response side: what `Response` has and the Hub client reads. */
export interface SmallFetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  text(): Promise<string>;
  readonly body?: { cancel(): Promise<void> } | null;
}

/** A `fetch`-shaped function; the global `fetch` and undici's fit it too. */
export type SmallFetch = (url: string, init?: SmallFetchInit) => Promise<SmallFetchResponse>;

/**
 * A body larger than this is refused: the Hub's JSON answers are kilobytes (a 1000-entry tree page
 * is about 200 KB), and nothing here streams a file.
 */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** After `body.cancel()`, a small rest is read to its end (keeping the connection); a bigger one drops it. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/**
 * `fetch` for small metadata requests, straight over a dispatcher's `dispatch`. undici's own fetch
 * (with its WHATWG streams, Request/Response classes and body mixins) costs several MB of memory
 * to load, which the CLI's download budget cannot spare, and the Hub client needs none of it:
 * status, a few headers, a short text body, no redirect following, no decompression (none is asked
 * for: no `Accept-Encoding` is sent unless the caller sets one).
 */
export function dispatchFetch(dispatcher: Dispatcher): SmallFetch {
  return (url, init = {}) =>
    new Promise<SmallFetchResponse>((resolve, reject) => {
      const target = new URL(url);
      const { signal } = init;
      if (signal?.aborted) return reject(signal.reason);
      const handler = new SmallResponseHandler(signal, resolve, reject);
      try {
        dispatcher.dispatch({ origin: target.origin, path: target.pathname + target.search, method: (init.method ?? 'GET') as Dispatcher.HttpMethod, headers: init.headers ?? {} }, handler);
      } catch (error) {
        reject(error);
      }
    });
}

type RawHeaders = Record<string, string | string[] | undefined>;

class SmallResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private cancelled = false;
  private settled = false;
  private body: { promise: Promise<string>; resolve: (text: string) => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly resolveResponse: (response: SmallFetchResponse) => void,
    private readonly rejectResponse: (error: unknown) => void,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = () => this.controller?.abort(this.signal?.reason instanceof Error ? this.signal.reason : new Error('aborted'));

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal?.aborted) this.onAbort();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: RawHeaders): void {
    let resolveBody!: (text: string) => void;
    let rejectBody!: (error: unknown) => void;
    const promise = new Promise<string>((res, rej) => {
      resolveBody = res;
      rejectBody = rej;
    });
    // Nobody may ever read it (a HEAD, a cancelled body): never an unhandled rejection.
    promise.catch(() => undefined);
    this.body = { promise, resolve: resolveBody, reject: rejectBody };
    this.settled = true;
    this.resolveResponse({
      status,
      ok: status >= 200 && status < 300,
      headers: new SmallHeaders(headers),
      text: () => promise,
      body: { cancel: () => this.cancel() },
    });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.length += chunk.length;
    if (this.cancelled) {
      if (this.length > DRAIN_LIMIT_BYTES) controller.abort(new Error('response body not wanted'));
      return;
    }
    if (this.length > MAX_BODY_BYTES) {
      controller.abort(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.body?.resolve(Buffer.concat(this.chunks).toString('utf8'));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    // Abort reasons surface as the caller's own reason, as with fetch.
    const reason = this.signal?.aborted ? this.signal.reason : error;
    if (!this.settled) {
      this.settled = true;
      this.rejectResponse(reason);
    } else this.body?.reject(reason);
  }

  private cancel(): Promise<void> {
    this.cancelled = true;
    this.chunks.length = 0;
    this.body?.reject(new Error('body cancelled'));
    return Promise.resolve();
  }
}

/** Case-insensitive lookup over undici's header record; repeated headers are joined as `Headers` does. */
class SmallHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: RawHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      this.map.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
}
