import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { type HubStandin } from '../../fixtures/hubStandin';
import { type TestCertificates } from './testCertificates';

/** The stand-in's Hub and CDN behind HTTPS, as the real Hub is. */
export interface TlsHubFront {
  /** `https://localhost:<port>`: give it to the CLI as --endpoint. */
  readonly endpoint: string;
  /** `localhost:<port>` of the Hub and of the CDN front: what a proxy sees in CONNECT. */
  readonly hubAuthority: string;
  readonly cdnAuthority: string;
  close(): Promise<void>;
}

/**
 * HTTPS reverse proxies in front of the stand-in's Hub and CDN, named `localhost` (the certificate's
 * name). The Hub's redirects to its CDN are rewritten to the CDN's HTTPS front, so every request of a
 * download is HTTPS, and through a proxy every one is a CONNECT tunnel.
 */
export async function startTlsHubFront(hub: HubStandin, certificates: TestCertificates): Promise<TlsHubFront> {
  const cdn = await front(hub.cdnOrigin, certificates);
  const cdnFront = `https://localhost:${cdn.port}`;
  const api = await front(hub.endpoint, certificates, (location) => (location.startsWith(hub.cdnOrigin) ? cdnFront + location.slice(hub.cdnOrigin.length) : location));
  return {
    endpoint: `https://localhost:${api.port}`,
    hubAuthority: `localhost:${api.port}`,
    cdnAuthority: `localhost:${cdn.port}`,
    close: async () => {
      await Promise.all([api.close(), cdn.close()]);
    },
  };
}

async function front(target: string, certificates: TestCertificates, rewriteLocation?: (location: string) => string): Promise<{ port: number; close(): Promise<void> }> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const headers: IncomingHttpHeaders = { ...answer.headers };
        if (typeof headers.location === 'string' && rewriteLocation) headers.location = rewriteLocation(headers.location);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
