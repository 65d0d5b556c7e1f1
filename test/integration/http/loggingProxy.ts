import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * How the proxy treats what it is asked: `ok` relays; `407` wants credentials; `403` refuses (a blocked
 * host); `502` cannot reach the target; `close` drops the connection without an answer.
 */
export type ProxyMode = 'ok' | '407' | '403' | '502' | 'close';

export interface ProxiedRequest {
  /** `connect` for a CONNECT tunnel, `forward` for an absolute-form http request. */
  readonly kind: 'connect' | 'forward';
  /** `host:port` of a CONNECT, the absolute URL of a forwarded request. */
  readonly target: string;
  readonly proxyAuthorization: string | undefined;
  /** Whether the request carried an Authorization header (a forwarded request's Hub token). */
  readonly hasAuthorization: boolean;
}

export interface LoggingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly log: ProxiedRequest[];
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

const BLOCKED_PAGE = '<p>blocked by policy</p>';
/** The proxy's own answers, as raw HTTP (the same bytes for a CONNECT and for a forwarded request). */
const REFUSALS: Record<'407' | '403' | '502', string> = {
  '407': 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
  '403': `HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: ${BLOCKED_PAGE.length}\r\n\r\n${BLOCKED_PAGE}`,
  '502': 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n',
};

/**
 * A small forward proxy on loopback, as corporate proxies are: https targets through CONNECT tunnels,
 * plain http targets as absolute-form requests. It logs what it was asked and answers as `mode` says.
 * `localhost` targets are reached at 127.0.0.1, where the stand-ins listen.
 */
export async function startLoggingProxy(initialMode: ProxyMode = 'ok'): Promise<LoggingProxy> {
  let mode = initialMode;
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const record = (kind: ProxiedRequest['kind'], req: IncomingMessage) => {
    const header = req.headers['proxy-authorization'];
    log.push({ kind, target: req.url ?? '', proxyAuthorization: typeof header === 'string' ? header : undefined, hasAuthorization: req.headers.authorization !== undefined });
  };

  const server = createServer((req, res) => {
    record('forward', req);
    if (mode === 'close') return req.socket.destroy();
    if (mode !== 'ok') {
      req.socket.end(REFUSALS[mode]);
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: loopback(target.hostname), port: target.port || 80, method: req.method, path: target.pathname + target.search, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    record('connect', req);
    if (mode === 'close') return client.destroy();
    if (mode !== 'ok') {
      client.end(REFUSALS[mode]);
      return;
    }
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect(Number(port), loopback(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    setMode: (next) => (mode = next),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function loopback(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}
