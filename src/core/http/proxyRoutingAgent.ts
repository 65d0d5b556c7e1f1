import { type Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent, type Pool } from 'undici';
import { ForwardProxyHandler } from './forwardProxyHandler';
import { type NoProxyList } from './noProxyList';
import { type ProxyEndpoint } from './proxyEndpoint';
import { ProxyTunnelPool } from './proxyTunnelPool';

export interface ProxyRoutingOptions {
  /** Options of every connection pool (sockets per origin, keep-alive, timeouts, TLS). */
  readonly agent: Agent.Options;
  /** The proxy for http:// targets, if any. */
  readonly httpProxy: ProxyEndpoint | undefined;
  /** The proxy for https:// targets, if any. */
  readonly httpsProxy: ProxyEndpoint | undefined;
  /** Hosts that go direct. */
  readonly noProxy: NoProxyList;
  /** Verify the TLS certificates of servers reached through a tunnel, and of https:// proxies. */
  readonly rejectUnauthorized: boolean;
}

interface Route {
  readonly proxy: ProxyEndpoint;
  readonly agent: ProxyAgent;
}

/**
 * Sends each request direct or through the proxy for its scheme. An EnvHttpProxyAgent to its callers,
 * whose inherited routing serves only the direct requests: undici's own neither reads CIDR ranges in
 * NO_PROXY nor gives each proxy its own credentials (it shares one set of options between both), and
 * its errors do not say that the proxy failed. Here:
 * - https targets tunnel through the proxy with CONNECT; a tunnel the proxy does not open fails as a ProxyError;
 * - plain http targets through an http:// proxy are forwarded in absolute form, as curl does (many
 *   corporate proxies allow CONNECT to port 443 only), their failures before an answer as ProxyErrors too;
 * - a proxy URL with a user sends Proxy-Authorization, also without a password (as curl does).
 */
export class ProxyRoutingAgent extends EnvHttpProxyAgent {
  private readonly http: Route | undefined;
  private readonly https: Route | undefined;
  private readonly noProxy: NoProxyList;

  constructor(options: ProxyRoutingOptions) {
    // Empty proxy values: the inherited agent goes direct and never reads the environment itself.
    super({ ...options.agent, httpProxy: '', httpsProxy: '', noProxy: '' });
    this.noProxy = options.noProxy;
    const routeTo = (proxy: ProxyEndpoint): Route => ({ proxy, agent: proxyAgent(proxy, options) });
    this.http = options.httpProxy && routeTo(options.httpProxy);
    this.https = options.httpsProxy && (sameProxy(options.httpsProxy, options.httpProxy) ? this.http : routeTo(options.httpsProxy));
  }

  override dispatch(options: Agent.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    let url: URL;
    try {
      url = new URL(String(options.origin));
    } catch {
      return super.dispatch(options, handler); // undici reports the bad origin to the handler
    }
    const route = url.protocol === 'https:' ? this.https : this.http;
    if (!route || this.noProxy.bypasses(url)) return super.dispatch(options, handler);
    // Only handlers of undici's current interface are wrapped; older ones (undici's request()) pass as they are.
    const forwarded = url.protocol === 'http:' && route.proxy.protocol === 'http:' && typeof handler.onRequestStart === 'function';
    return route.agent.dispatch(options, forwarded ? new ForwardProxyHandler(handler, route.proxy, url.host) : handler);
  }

  // undici's promise forms call the callback forms on `this`: the inherited part is closed through its callback form.
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const inherited = new Promise<void>((resolve) => super.close(resolve));
    return settle(Promise.all([inherited, ...this.proxyAgents().map((agent) => agent.close())]), callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback;
    const inherited = new Promise<void>((resolve) => super.destroy(err, resolve));
    return settle(Promise.all([inherited, ...this.proxyAgents().map((agent) => agent.destroy(err))]), done);
  }

  private proxyAgents(): ProxyAgent[] {
    return [...new Set([this.http?.agent, this.https?.agent])].filter((agent): agent is ProxyAgent => agent !== undefined);
  }
}

function proxyAgent(proxy: ProxyEndpoint, options: ProxyRoutingOptions): ProxyAgent {
  const tls = { rejectUnauthorized: options.rejectUnauthorized };
  return new ProxyAgent({
    ...options.agent,
    uri: proxy.uri,
    ...(proxy.authorization ? { token: proxy.authorization } : {}),
    proxyTunnel: false,
    requestTls: tls,
    proxyTls: tls,
    clientFactory: (origin: URL, poolOptions: object) => new ProxyTunnelPool(origin, poolOptions as Pool.Options, proxy),
  });
}

function sameProxy(a: ProxyEndpoint, b: ProxyEndpoint | undefined): boolean {
  return b !== undefined && a.uri === b.uri && a.authorization === b.authorization && a.source === b.source;
}

/** A promise, or a callback, as undici's close and destroy offer both. */
function settle(work: Promise<unknown>, callback: (() => void) | undefined): Promise<void> | void {
  const done = work.then(() => undefined);
  if (!callback) return done;
  done.then(callback, callback);
}
