import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Agent } from 'undici';
import { dispatchFetch, type SmallFetch } from '../../../src/core/http/dispatchFetch';
import { HubClient, type HubClientOptions } from '../../../src/core/hub/hubClient';
import { HubError, HubUnavailableError } from '../../../src/core/hub/hubErrors';
import { silentLogger } from '../../../src/core/logging/logger';
import { type FaultSpec, type HubStandin, startHubStandin } from '../../fixtures/hubStandin';
import { droppingProxy } from './droppingProxy';

const REPO = 'org/tiny';

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('HubClient: retries of failed Hub requests', function () {
  this.timeout(20_000);
  let hub: HubStandin;
  let agent: Agent;
  /** The product's way of sending Hub requests, with backoff steps small enough for a test. */
  const client = (options: Partial<HubClientOptions> = {}) => new HubClient({ endpoint: hub.endpoint, fetch: dispatchFetch(agent), retryBaseDelayMs: 5, ...options });
  const hubLog = () => hub.requests.filter((r) => r.origin === 'hub').map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);

  beforeEach(async () => {
    agent = new Agent();
    hub = await startHubStandin({ repos: [{ id: REPO, files: [{ path: 'config.json', content: '{"model_type":"llama"}' }, { path: 'model.safetensors', size: 5000, seed: 3 }] }] });
  });
  afterEach(async () => {
    await agent.close();
    await hub.close();
  });

  const oneOffs: { title: string; fault: FaultSpec; call: (c: HubClient) => Promise<unknown>; log: (commit: string) => string[] }[] = [
    {
      title: 'a 503 on model info',
      fault: { kind: 'status', status: 503, times: 1, origin: 'hub' },
      call: (c) => c.modelInfo(REPO),
      log: () => [`GET /api/models/${REPO} 503`, `GET /api/models/${REPO} 200`],
    },
    {
      title: 'a 500 on the tree',
      fault: { kind: 'status', status: 500, times: 1, origin: 'hub', path: '/tree/' },
      call: (c) => c.listFiles(REPO),
      log: () => [`GET /api/models/${REPO}/tree/main 500`, `GET /api/models/${REPO}/tree/main 200`],
    },
    {
      title: 'a 502 on the HEAD of an LFS resolve',
      fault: { kind: 'status', status: 502, times: 1, origin: 'hub', path: '/resolve/' },
      call: (c) => c.resolveFile(REPO, 'main', 'model.safetensors'),
      log: () => [`HEAD /${REPO}/resolve/main/model.safetensors 502`, `HEAD /${REPO}/resolve/main/model.safetensors 302`],
    },
    {
      title: 'a 504 on /api/resolve-cache after the redirect',
      fault: { kind: 'status', status: 504, times: 1, origin: 'hub', path: '/api/resolve-cache/' },
      call: (c) => c.resolveFile(REPO, 'main', 'config.json'),
      log: (commit) => [`HEAD /${REPO}/resolve/main/config.json 307`, `HEAD /api/resolve-cache/models/${REPO}/${commit}/config.json 504`, `HEAD /api/resolve-cache/models/${REPO}/${commit}/config.json 200`],
    },
    {
      title: 'a 408 on search',
      fault: { kind: 'status', status: 408, times: 1, origin: 'hub' },
      call: (c) => c.searchModels({ search: 'tiny' }),
      log: () => ['GET /api/models 408', 'GET /api/models 200'],
    },
  ];
  for (const { title, fault, call, log } of oneOffs) {
    it(`asks again after ${title}, and succeeds`, async () => {
      const applied = hub.faults.set(fault);
      await call(client());
      assert.equal(applied.hits, 1);
      assert.deepEqual(hubLog(), log(hub.commitOf(REPO)));
    });
  }

  it('waits as long as Retry-After says on a 503, then succeeds', async () => {
    hub.faults.set({ kind: 'status', status: 503, retryAfter: 1, times: 1, origin: 'hub' });
    const started = performance.now();
    const info = await client().modelInfo(REPO);
    assert.equal(info.id, REPO);
    assert.ok(performance.now() - started >= 950, 'the 1 s Retry-After was honoured (the backoff alone is 5 ms)');
    assert.deepEqual(hub.requests.map((r) => r.status), [503, 200]);
  });

  it('gives up after 5 attempts with the usual message when the Hub keeps failing', async () => {
    hub.faults.set({ kind: 'status', status: 503, origin: 'hub' });
    await assert.rejects(client().listFiles(REPO), (e: unknown) => {
      assert.ok(e instanceof HubUnavailableError);
      assert.equal(e.status, 503);
      assert.match(e.userMessage, /is having trouble \(HTTP 503\)\. Try again in a few minutes\./);
      return true;
    });
    assert.equal(hub.requests.length, 5);
    hub.requests.length = 0;
    await assert.rejects(client({ maxRetries: 1 }).modelInfo(REPO), HubUnavailableError);
    assert.equal(hub.requests.length, 2, 'maxRetries bounds the attempts');
  });

  it('fails at once, naming the wait, when a 5xx asks to wait longer than a minute', async () => {
    hub.faults.set({ kind: 'status', status: 503, retryAfter: 86_400, origin: 'hub' });
    const started = performance.now();
    await assert.rejects(client().resolveFile(REPO, 'main', 'model.safetensors'), (e: unknown) => {
      assert.ok(e instanceof HubUnavailableError);
      assert.equal(e.retryAfterMs, 86_400_000);
      assert.match(e.userMessage, /having trouble \(HTTP 503\) and asks clients to wait 24 h 0 min before trying again/);
      return true;
    });
    assert.ok(performance.now() - started < 1000);
    assert.equal(hub.requests.length, 1);
  });

  it('does not ask again after a 4xx other than 408 and 429', async () => {
    for (const status of [400, 404, 409]) {
      hub.requests.length = 0;
      hub.faults.clear();
      hub.faults.set({ kind: 'status', status, origin: 'hub' });
      await assert.rejects(client().modelInfo(REPO), (e: unknown) => e instanceof HubError && e.status === status);
      assert.equal(hub.requests.length, 1, String(status));
    }
  });

  it('asks again when the server accepts the connection and closes it', async () => {
    const proxy = await droppingProxy(Number(new URL(hub.endpoint).port), 2);
    try {
      const info = await client({ endpoint: proxy.url }).modelInfo(REPO);
      assert.equal(info.id, REPO);
      assert.equal(proxy.connections(), 3, 'two connections dropped, the third answered');
      assert.equal(hub.requests.length, 1);
    } finally {
      await proxy.close();
    }
  });

  it('gives up on a server that drops every connection after 5 attempts', async () => {
    const proxy = await droppingProxy(Number(new URL(hub.endpoint).port), Infinity);
    try {
      await assert.rejects(client({ endpoint: proxy.url }).modelInfo(REPO), (e: unknown) => e instanceof HubUnavailableError && e.status === undefined && /Could not reach/.test(e.userMessage));
      assert.equal(proxy.connections(), 5);
    } finally {
      await proxy.close();
    }
  });

  it('tries a host that refuses connections only 3 times', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    let calls = 0;
    const inner = dispatchFetch(agent);
    const counting: SmallFetch = (url, init) => (calls++, inner(url, init));
    await assert.rejects(client({ endpoint: `http://127.0.0.1:${port}`, fetch: counting }).modelInfo(REPO), (e: unknown) => e instanceof HubUnavailableError && /Could not reach/.test(e.userMessage));
    assert.equal(calls, 3);
  });

  it('asks again for a JSON answer whose body broke off', async () => {
    let answered = 0;
    const server = createHttpServer((_req, res) => {
      if (++answered === 1) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 40 });
        res.write('[{"type":"file"', () => res.socket?.destroy());
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
    });
    const port = await listen(server);
    try {
      assert.deepEqual(await client({ endpoint: `http://127.0.0.1:${port}` }).listFiles(REPO), []);
      assert.equal(answered, 2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stops waiting between tries as soon as the signal aborts', async () => {
    hub.faults.set({ kind: 'status', status: 503, retryAfter: 30, origin: 'hub' });
    const controller = new AbortController();
    let abortedAt = 0;
    // The client logs the wait right before it starts: abort exactly then.
    const logger = { ...silentLogger, info: () => ((abortedAt = performance.now()), controller.abort(new Error('user cancelled'))) };
    await assert.rejects(client({ logger }).modelInfo(REPO, { signal: controller.signal }), /user cancelled/);
    assert.ok(abortedAt > 0 && performance.now() - abortedAt < 1000);
    assert.equal(hub.requests.length, 1);
  });
});
