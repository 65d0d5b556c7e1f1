import { type IncomingHttpHeaders } from 'node:http';
import { type Duplex } from 'node:stream';
import { type Dispatcher } from 'undici';
import { networkFailureKind } from './networkFailure';
import { ProxyError } from './proxyError';
import { describeProxy, type ProxyEndpoint } from './proxyEndpoint';

/**
 * Set on error answers (status 400 and up) that came through a forwarding proxy: `http://host:port (from
 * HTTP_PROXY)`. A plain-http request is sent to the proxy in absolute form, so a 403 or 502 may be the
 * proxy's own answer rather than the server's; error messages use this to name the proxy.
 */
export const VIA_PROXY_HEADER = 'x-mlx-via-proxy';

/** Codes of a connection the proxy closed or reset before it answered. */
const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * Wraps the handler of a plain-http request sent through a forwarding proxy (there the connection is
 * to the proxy, not to the server). Failures before any answer become ProxyErrors: the proxy not
 * reachable, closing the connection, or asking for credentials (undici turns a 407 into an
 * "invalid argument" error); later ones, and every answer, pass through unchanged.
 */
export class ForwardProxyHandler implements Dispatcher.DispatchHandler {
  private answered = false;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly proxy: ProxyEndpoint,
    /** `host:port` of the server. */
    private readonly target: string,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.answered = true;
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.answered = true;
    if (statusCode >= 400) headers[VIA_PROXY_HEADER] = describeProxy(this.proxy);
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inner.onResponseError?.(controller, this.answered ? error : this.asProxyError(error));
  }

  private asProxyError(error: Error): Error {
    if ((error as { code?: unknown }).code === 'UND_ERR_INVALID_ARG' && /\b407\b/.test(error.message)) return ProxyError.answered(this.proxy, this.target, 407);
    const kind = networkFailureKind(error);
    if (kind === 'unreachable') return ProxyError.failed(this.proxy, this.target, error, kind);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && CLOSED.has(code)) return ProxyError.failed(this.proxy, this.target, error, 'dropped');
    return error;
  }
}
