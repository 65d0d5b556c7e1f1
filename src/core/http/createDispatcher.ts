import { Agent, type Dispatcher } from 'undici';
import { NoProxyList } from './noProxyList';
import { parseProxyEndpoint, type ProxyEndpoint } from './proxyEndpoint';
import { ProxyRoutingAgent } from './proxyRoutingAgent';
import { reusedReadBufferOptions } from './reusedReadBuffers';

/** How the process reaches the network. Every field is optional: empty means "direct, or the proxy env vars". */
export interface DispatcherOptions {
  /**
   * Explicit proxy URL (VS Code's `http.proxy`), used for both http and https targets. When absent,
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case) from the environment apply. Without a scheme
   * it is `http://`, as curl and pip read it.
   */
  readonly proxy?: string;
  /**
   * Where `proxy` came from, as messages about a failing proxy name it.
   * @default 'http.proxy'
   */
  readonly proxySource?: string;
  /**
   * Hosts that bypass the proxy (VS Code's `http.noProxy`); `*.example.com`, `host:port`, IP addresses and
   * CIDR ranges (`10.0.0.0/8`) work, as in NO_PROXY.
   */
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
  const explicit = options.proxy?.trim() ? parseProxyEndpoint(options.proxy, options.proxySource ?? 'http.proxy') : undefined;
  const httpProxy = explicit ?? proxyFromEnv(env, 'http_proxy');
  // Without HTTPS_PROXY, https targets go through HTTP_PROXY too (undici's reading, kept).
  const httpsProxy = explicit ?? proxyFromEnv(env, 'https_proxy') ?? httpProxy;
  if (!httpProxy && !httpsProxy) return new Agent({ ...base, connect: { ...base.connect, ...reusedReadBufferOptions } });

  const noProxy = options.noProxy?.length ? options.noProxy.join(',') : envValue(env, 'no_proxy')?.value;
  return new ProxyRoutingAgent({ agent: base, httpProxy, httpsProxy, noProxy: new NoProxyList(noProxy ?? ''), rejectUnauthorized });
}

/** @throws ProxyUrlError naming the variable when its value is no usable proxy URL. */
function proxyFromEnv(env: NodeJS.ProcessEnv, lowerName: string): ProxyEndpoint | undefined {
  const found = envValue(env, lowerName);
  return found && parseProxyEndpoint(found.value, found.name);
}

/** Lower case wins over upper case, as curl and undici do; an empty value is none. */
function envValue(env: NodeJS.ProcessEnv, lowerName: string): { name: string; value: string } | undefined {
  const name = env[lowerName] !== undefined ? lowerName : lowerName.toUpperCase();
  const value = env[name]?.trim();
  return value ? { name, value } : undefined;
}
