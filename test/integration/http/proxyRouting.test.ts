import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { type Dispatcher, request } from 'undici';
import { closeNow, listenOnLoopback } from '../../fixtures/loopbackServer';
import { createDispatcher, type DispatcherOptions } from '../../../src/core/http/createDispatcher';
import { dispatchFetch } from '../../../src/core/http/dispatchFetch';
import { VIA_PROXY_HEADER } from '../../../src/core/http/forwardProxyHandler';
import { ProxyError } from '../../../src/core/http/proxyError';
import { type LoggingProxy, startLoggingProxy } from './loggingProxy';
import { makeTestCertificates, type TestCertificates } from './testCertificates';

const USER_ONLY = `Basic ${Buffer.from('user:').toString('base64')}`;

/** A port nothing listens on (a server's, closed again). */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  const port = await listenOnLoopback(server, 0);
  await closeNow(server);
  return port;
}

/**
 * createDispatcher behind a real loopback proxy: https targets tunnel with CONNECT, plain http ones are
 * forwarded; what the proxy does wrong comes back as a ProxyError; NO_PROXY takes CIDR ranges.
 */
describe('createDispatcher through a proxy', function () {
  this.timeout(20_000);
  let certificates: TestCertificates;
  let origin: Server;
  let httpsOrigin: Server;
  let httpPort: number;
  let httpsPort: number;
  let proxy: LoggingProxy;
  const dispatchers: Dispatcher[] = [];

  before(async () => {
    certificates = makeTestCertificates();
    origin = createHttpServer((req, res) => res.end(`plain ${req.url}`));
    httpPort = await listenOnLoopback(origin, 0);
    httpsOrigin = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (req, res) => res.end(`tls ${req.url}`));
    await new Promise<void>((resolve) => httpsOrigin.listen(0, '127.0.0.1', resolve));
    httpsPort = (httpsOrigin.address() as AddressInfo).port;
  });
  after(async () => {
    await closeNow(origin);
    httpsOrigin.closeAllConnections();
    await new Promise((resolve) => httpsOrigin.close(resolve));
    certificates.remove();
  });
  beforeEach(async () => {
    proxy = await startLoggingProxy();
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.destroy()));
    await proxy.close();
  });

  /** strictSSL off: the https origin's certificate is from a test CA this process does not trust. */
  const make = (options: DispatcherOptions) => {
    const dispatcher = createDispatcher({ strictSSL: false, ...options });
    dispatchers.push(dispatcher);
    return dispatcher;
  };
  const fetchText = async (dispatcher: Dispatcher, url: string) => {
    const response = await dispatchFetch(dispatcher)(url);
    return { status: response.status, text: await response.text(), via: response.headers.get(VIA_PROXY_HEADER) };
  };
  const httpsUrl = () => `https://localhost:${httpsPort}/model.json`;
  const httpUrl = () => `http://127.0.0.1:${httpPort}/model.json`;

  it('tunnels https through HTTPS_PROXY with CONNECT, sending "user:" for a user-only proxy URL', async () => {
    const answer = await fetchText(make({ env: { HTTPS_PROXY: proxy.url.replace('//', '//user@') } }), httpsUrl());
    assert.deepEqual(answer, { status: 200, text: 'tls /model.json', via: null });
    assert.deepEqual(proxy.log, [{ kind: 'connect', target: `localhost:${httpsPort}`, proxyAuthorization: USER_ONLY, hasAuthorization: false }]);
  });

  it('forwards plain http through HTTP_PROXY, sending "user:" for a user-only proxy URL', async () => {
    const answer = await fetchText(make({ env: { HTTP_PROXY: proxy.url.replace('//', '//user@') } }), httpUrl());
    assert.deepEqual(answer, { status: 200, text: 'plain /model.json', via: null });
    assert.deepEqual(proxy.log, [{ kind: 'forward', target: httpUrl(), proxyAuthorization: USER_ONLY, hasAuthorization: false }]);
  });

  it('takes a proxy value without a scheme as http://', async () => {
    const answer = await fetchText(make({ env: { HTTPS_PROXY: `127.0.0.1:${proxy.port}` } }), httpsUrl());
    assert.equal(answer.text, 'tls /model.json');
    assert.equal(proxy.log[0]?.kind, 'connect');
  });

  for (const [mode, status, kind] of [
    ['407', 407, 'other'],
    ['403', 403, 'other'],
    ['502', 502, 'unreachable'],
  ] as const) {
    it(`fails an https request at once with a ProxyError when the proxy answers CONNECT with ${status}`, async () => {
      proxy.setMode(mode);
      const error = await dispatchFetch(make({ env: { HTTPS_PROXY: proxy.url } }))(httpsUrl()).catch((e: unknown) => e);
      assert.ok(error instanceof ProxyError, String(error));
      assert.equal(error.status, status);
      assert.equal(error.kind, kind);
      assert.equal(error.source, 'HTTPS_PROXY');
      assert.equal(error.proxy, proxy.url);
      assert.equal(error.target, `localhost:${httpsPort}`);
      assert.equal(proxy.log.length, 1, 'one CONNECT, no retry inside undici');
    });
  }

  it('fails (no endless reconnecting) when the proxy closes the connection on CONNECT', async () => {
    proxy.setMode('close');
    const dispatcher = make({ env: { HTTPS_PROXY: proxy.url } });
    const outcome = await Promise.race([
      dispatchFetch(dispatcher)(httpsUrl()).then(
        () => 'answered',
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still trying'), 3000)),
    ]);
    assert.ok(outcome instanceof ProxyError, `${String(outcome)} after ${proxy.log.length} CONNECTs`);
    assert.equal(outcome.kind, 'dropped');
    assert.ok(proxy.log.length <= 2, `${proxy.log.length} CONNECTs`);
  });

  for (const variable of ['HTTPS_PROXY', 'HTTP_PROXY'] as const) {
    it(`says the proxy is not reachable when nothing listens there (${variable})`, async () => {
      const url = variable === 'HTTPS_PROXY' ? httpsUrl() : httpUrl();
      const error = await dispatchFetch(make({ env: { [variable]: `http://127.0.0.1:${await closedPort()}` } }))(url).catch((e: unknown) => e);
      assert.ok(error instanceof ProxyError, String(error));
      assert.equal(error.kind, 'unreachable');
      assert.equal(error.source, variable);
      assert.match(error.message, /is not reachable \(ECONNREFUSED\)/);
    });
  }

  it('turns a forwarding proxy\'s 407 into a ProxyError, and marks its other error answers', async () => {
    const dispatcher = make({ env: { HTTP_PROXY: proxy.url } });
    proxy.setMode('407');
    const error = await dispatchFetch(dispatcher)(httpUrl()).catch((e: unknown) => e);
    assert.ok(error instanceof ProxyError, String(error));
    assert.equal(error.status, 407);
    assert.equal(error.source, 'HTTP_PROXY');

    proxy.setMode('403');
    const refused = await fetchText(dispatcher, httpUrl());
    assert.equal(refused.status, 403);
    assert.equal(refused.via, `${proxy.url} (from HTTP_PROXY)`);
  });

  it('names the VS Code setting only for a proxy that came from it', async () => {
    proxy.setMode('407');
    const error = await dispatchFetch(make({ proxy: proxy.url, env: { HTTPS_PROXY: 'http://127.0.0.1:9' } }))(httpsUrl()).catch((e: unknown) => e);
    assert.ok(error instanceof ProxyError, String(error));
    assert.equal(error.source, 'http.proxy');
    assert.match(error.message, /\(from http\.proxy\)/);
  });

  it('goes direct for hosts in a NO_PROXY CIDR range (IPv4 and IPv6)', async () => {
    const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.0/8 ::1/128' };
    assert.equal((await fetchText(make({ env }), httpUrl())).text, 'plain /model.json');
    const v6 = createHttpServer((req, res) => res.end(`v6 ${req.url}`));
    await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
    try {
      assert.equal((await fetchText(make({ env }), `http://[::1]:${(v6.address() as AddressInfo).port}/x`)).text, 'v6 /x');
    } finally {
      await closeNow(v6);
    }
    assert.deepEqual(proxy.log, []);
    // A name is not resolved to match a range (as in curl): localhost still goes through the proxy.
    assert.equal((await fetchText(make({ env }), httpsUrl())).text, 'tls /model.json');
    assert.equal(proxy.log.length, 1);
  });

  it('also serves undici\'s own request() (older handler interface) through both kinds of proxy', async () => {
    const dispatcher = make({ env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
    assert.equal(await (await request(httpUrl(), { dispatcher })).body.text(), 'plain /model.json');
    assert.equal(await (await request(httpsUrl(), { dispatcher })).body.text(), 'tls /model.json');
    assert.deepEqual(
      proxy.log.map((r) => r.kind),
      ['forward', 'connect'],
    );
  });

  it('closes and destroys in both of undici\'s forms', async () => {
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: `http://127.0.0.1:${proxy.port}` };
    const first = createDispatcher({ env });
    await fetchText(first, httpUrl());
    await first.close();
    await new Promise<void>((resolve) => createDispatcher({ env }).close(resolve));
    await createDispatcher({ env }).destroy();
    await new Promise<void>((resolve) => createDispatcher({ env }).destroy(new Error('stop'), resolve));
    await assert.rejects(fetchText(first, httpUrl()), /closed|destroyed/i);
  });
});
