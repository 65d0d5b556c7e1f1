import { type Dispatcher, Pool } from 'undici';
import { networkFailureKind } from './networkFailure';
import { ProxyError } from './proxyError';
import { type ProxyEndpoint } from './proxyEndpoint';

/**
 * The connections to a proxy that ProxyAgent opens its CONNECT tunnels on (its `clientFactory`). A tunnel
 * that cannot be opened fails as a ProxyError naming the proxy and what went wrong, instead of undici's
 * "Proxy response (407) !== 200 when HTTP Tunneling" or the proxy's bare socket error. That also ends a
 * loop in undici: a proxy that closed the connection on CONNECT gave a "socket closed" error, which undici's
 * client takes as recoverable and retries at once, forever (thousands of CONNECTs a second).
 */
export class ProxyTunnelPool extends Pool {
  constructor(
    origin: URL,
    options: Pool.Options,
    private readonly proxy: ProxyEndpoint,
  ) {
    super(origin, options);
  }

  /** ProxyAgent only calls the promise form. */
  override async connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData> {
    const target = options.path;
    let tunnel: Dispatcher.ConnectData;
    try {
      tunnel = await super.connect(options);
    } catch (error) {
      if (options.signal && (options.signal as AbortSignal).aborted) throw error;
      throw ProxyError.failed(this.proxy, target, error, networkFailureKind(error));
    }
    if (tunnel.statusCode !== 200) {
      tunnel.socket.destroy();
      throw ProxyError.answered(this.proxy, target, tunnel.statusCode);
    }
    return tunnel;
  }
}
