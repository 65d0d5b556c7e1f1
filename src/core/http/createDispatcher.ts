import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';

/** How the process reaches the network. Every field is optional: empty means "direct, or the proxy env vars". */
export interface DispatcherOptions {
  /**
   * Explicit proxy URL (VS Code's `http.proxy`), used for both http and https targets. When absent,
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case) from the environment apply.
   */
  readonly proxy?: string;
  /** Hosts that bypass the proxy (VS Code's `http.noProxy`); `*.example.com` and `host:port` forms work. */
  readonly noProxy?: readonly string[];
  /**
   * Verify TLS certificates of servers and of the proxy (VS Code's `http.proxyStrictSSL`).
   * @default true
   */
  readonly strictSSL?: boolean;
  /**
   * Sockets per origin. Requests beyond this queue inside undici, where the download engine's stall
   * timer already runs, so keep (files in parallel × connections per file) at or below it.
   * @default 64
   */
  readonly connections?: number;
  /**
   * How long an idle keep-alive socket is kept for the next request.
   * @default 30000
   */
  readonly keepAliveTimeoutMs?: number;
  /** Environment to read proxy variables from (tests pass their own). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Builds the dispatcher all core HTTP goes through. It is passed explicitly to every `request()`;
 * we never call `setGlobalDispatcher`, because the extension host shares the global with every
 * other extension.
 *
 * `bodyTimeout` is off: the download engine detects stalls itself (it must also reconnect, which
 * undici's timeout alone would turn into an error), and undici's 300 s default is far too slow anyway.
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  const rejectUnauthorized = options.strictSSL ?? true;
  const base = {
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    bodyTimeout: 0,
    headersTimeout: 60_000,
    connect: { rejectUnauthorized },
  };
  const proxy = options.proxy?.trim() || undefined;
  const httpProxy = proxy ?? envValue(env, 'http_proxy');
  const httpsProxy = proxy ?? envValue(env, 'https_proxy');
  if (!httpProxy && !httpsProxy) return new Agent(base);

  const noProxy = options.noProxy?.length ? options.noProxy.join(',') : envValue(env, 'no_proxy');
  return new EnvHttpProxyAgent({
    ...base,
    // Passed explicitly (not left to undici's own env lookup) so that `env` and the VS Code settings win.
    httpProxy,
    httpsProxy,
    noProxy: noProxy ?? '',
    // Plain http targets go through the proxy as absolute-URI requests, as curl does; many corporate
    // proxies allow CONNECT to port 443 only. https targets always tunnel.
    proxyTunnel: false,
    requestTls: { rejectUnauthorized },
    proxyTls: { rejectUnauthorized },
  });
}

/** Lower case wins over upper case, as curl and undici do. */
function envValue(env: NodeJS.ProcessEnv, lowerName: string): string | undefined {
  const value = env[lowerName] ?? env[lowerName.toUpperCase()];
  return value?.trim() || undefined;
}
