import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Dispatcher, request } from 'undici';
import { createDispatcher } from '../../../src/core/http/createDispatcher';

/** A plain forward proxy for http:// URLs (absolute-URI requests, no CONNECT), mapping any host to the target. */
async function startForwardProxy(targetPort: number): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: new URL(req.url ?? '/').pathname, headers: { 'x-forwarded-by': 'test-proxy' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, via: '1.1 test-proxy' });
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('createDispatcher', () => {
  let target: Server;
  let targetPort: number;
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  const dispatchers: Dispatcher[] = [];
  before(async () => {
    target = createServer((req, res) => res.end(`hello from target ${req.url}; proxied=${req.headers['x-forwarded-by'] ?? 'no'}`));
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetPort = (target.address() as AddressInfo).port;
    proxy = await startForwardProxy(targetPort);
  });
  after(async () => {
    await Promise.all(dispatchers.map((d) => d.destroy()));
    target.closeAllConnections();
    proxy.server.closeAllConnections();
    target.close();
    proxy.server.close();
  });
  const make = (options: Parameters<typeof createDispatcher>[0]) => {
    const dispatcher = createDispatcher(options);
    dispatchers.push(dispatcher);
    return dispatcher;
  };
  const get = async (dispatcher: Dispatcher, url: string) => {
    const response = await request(url, { dispatcher });
    return { text: await response.body.text(), via: response.headers.via };
  };

  it('connects directly without proxy settings', async () => {
    const answer = await get(make({ env: {} }), `http://127.0.0.1:${targetPort}/direct`);
    assert.equal(answer.text, 'hello from target /direct; proxied=no');
  });

  it('sends requests through an explicit proxy (a host only the proxy can resolve)', async () => {
    const before = proxy.seen.length;
    const answer = await get(make({ proxy: proxy.url, env: {} }), 'http://models.internal.test/weights');
    assert.equal(answer.via, '1.1 test-proxy');
    assert.equal(answer.text, 'hello from target /weights; proxied=test-proxy');
    assert.deepEqual(proxy.seen.slice(before), ['http://models.internal.test/weights']);
  });

  it('bypasses the explicit proxy for hosts in noProxy', async () => {
    const before = proxy.seen.length;
    const answer = await get(make({ proxy: proxy.url, noProxy: ['localhost', '127.0.0.1'], env: {} }), `http://127.0.0.1:${targetPort}/bypass`);
    assert.equal(answer.text, 'hello from target /bypass; proxied=no');
    assert.equal(proxy.seen.length, before);
  });

  for (const [httpProxy, noProxy] of [['HTTP_PROXY', 'NO_PROXY'], ['http_proxy', 'no_proxy']]) {
    it(`reads ${httpProxy} and ${noProxy} from the environment`, async () => {
      const before = proxy.seen.length;
      const proxied = await get(make({ env: { [httpProxy]: proxy.url } }), 'http://models.internal.test/env');
      assert.equal(proxied.via, '1.1 test-proxy');
      assert.equal(proxy.seen.length, before + 1);
      const direct = await get(make({ env: { [httpProxy]: proxy.url, [noProxy]: '127.0.0.1' } }), `http://127.0.0.1:${targetPort}/env-bypass`);
      assert.equal(direct.text, 'hello from target /env-bypass; proxied=no');
      assert.equal(proxy.seen.length, before + 1);
    });
  }

  it('uses HTTPS_PROXY only for https targets', async () => {
    const before = proxy.seen.length;
    const answer = await get(make({ env: { HTTPS_PROXY: proxy.url } }), `http://127.0.0.1:${targetPort}/plain`);
    assert.equal(answer.text, 'hello from target /plain; proxied=no');
    assert.equal(proxy.seen.length, before);
  });
});
