import { type NetworkFailureKind } from './networkFailure';
import { describeProxy, type ProxyEndpoint } from './proxyEndpoint';

/**
 * The proxy, not the server behind it, failed the request: it could not be reached, dropped the
 * connection, asked for credentials (407), refused the target (403) or could not reach it (5xx).
 * `message` is one sentence for the user, naming the proxy (never its credentials) and where it was set;
 * without a final period, as the download engine's message goes on after it.
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  /** `scheme://host:port` of the proxy. */
  readonly proxy: string;
  /** Where the proxy was set: `HTTPS_PROXY`, `http.proxy`, ... */
  readonly source: string;
  /** `host:port` the request was for. */
  readonly target: string;
  /** The proxy's answer, when it answered. */
  readonly status: number | undefined;
  /** How retries treat it (see networkFailureKind). */
  readonly kind: NetworkFailureKind;

  private constructor(init: { proxy: ProxyEndpoint; target: string; status?: number; kind: NetworkFailureKind; message: string; cause?: unknown }) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.proxy = init.proxy.display;
    this.source = init.proxy.source;
    this.target = init.target;
    this.status = init.status;
    this.kind = init.kind;
  }

  /** The proxy answered the CONNECT (or, for plain http, the request) itself with `status`. */
  static answered(proxy: ProxyEndpoint, target: string, status: number): ProxyError {
    const name = `The proxy ${describeProxy(proxy)}`;
    const base = { proxy, target, status };
    if (status === 407) {
      return new ProxyError({
        ...base,
        kind: 'other',
        message: proxy.authorization
          ? `${name} rejected the user name and password in its URL (HTTP 407): check them`
          : `${name} needs credentials (HTTP 407): put them in the proxy URL, as ${proxy.protocol}//user:password@${proxy.display.slice(proxy.protocol.length + 2)}`,
      });
    }
    if (status === 403) return new ProxyError({ ...base, kind: 'other', message: `${name} refused the connection to ${target} (HTTP 403): its rules may block this host` });
    // 502, 503, 504: the proxy could not get through, as if nothing answered.
    const kind = status >= 500 ? 'unreachable' : 'other';
    return new ProxyError({ ...base, kind, message: `${name} could not open a connection to ${target} (HTTP ${status})` });
  }

  /** No answer from the proxy: `cause` is the connection's error, `kind` how networkFailureKind sorts it. */
  static failed(proxy: ProxyEndpoint, target: string, cause: unknown, kind: NetworkFailureKind): ProxyError {
    const name = `The proxy ${describeProxy(proxy)}`;
    const code = codeOf(cause);
    const message =
      kind === 'unreachable'
        ? `${name} is not reachable${code ? ` (${code})` : ''}: check its host name and port, and that it is running`
        : kind === 'dropped'
          ? `${name} closed the connection to ${target} without an answer${code ? ` (${code})` : ''}`
          : `The connection to the proxy ${describeProxy(proxy)} failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    return new ProxyError({ proxy, target, kind, message, cause });
  }
}

/** The ProxyError in `error` or its causes (fetch and the download engine wrap them), if any. */
export function proxyErrorIn(error: unknown): ProxyError | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof ProxyError) return current;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
