import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { dispatchFetch } from '../../../src/core/http/dispatchFetch';
import { closeNow, listenOnLoopback } from '../../fixtures/loopbackServer';

describe('dispatchFetch: small fetch over a dispatcher, against a real loopback server', () => {
  let server: Server;
  let origin: string;
  let agent: Agent;
  let route: (req: IncomingMessage, res: ServerResponse) => void;
  let connections: number;

  beforeEach(async () => {
    connections = 0;
    server = createServer((req, res) => route(req, res));
    server.on('connection', () => connections++);
    origin = `http://127.0.0.1:${await listenOnLoopback(server, 0)}`;
    agent = new Agent({ connections: 1 });
  });
  afterEach(async () => {
    await agent.close();
    await closeNow(server);
  });

  it('returns status, case-insensitive headers (repeated ones joined) and the text body', async () => {
    route = (_req, res) => {
      res.setHeader('X-Repo-Commit', 'abc');
      res.setHeader('Link', ['<a>; rel="next"', '<b>; rel="prev"']);
      res.end('{"ok":true} ünïcode');
    };
    const response = await dispatchFetch(agent)(`${origin}/api/x?y=1`);
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.headers.get('x-repo-commit'), 'abc');
    assert.equal(response.headers.get('X-REPO-COMMIT'), 'abc');
    assert.equal(response.headers.has('etag'), false);
    assert.equal(response.headers.get('link'), '<a>; rel="next", <b>; rel="prev"');
    assert.equal(await response.text(), '{"ok":true} ünïcode');
  });

  it('sends the method, path, query and headers, asks for no compression, and follows no redirect', async () => {
    const seen: { method?: string; url?: string; auth?: string; encoding?: string }[] = [];
    route = (req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, encoding: req.headers['accept-encoding'] });
      res.writeHead(307, { Location: '/elsewhere' }).end();
    };
    const response = await dispatchFetch(agent)(`${origin}/org/name/resolve/main/a%20b.json?x=1`, { method: 'HEAD', redirect: 'manual', headers: { Authorization: 'Bearer hf_x' } });
    assert.equal(response.status, 307);
    assert.equal(response.ok, false);
    assert.equal(response.headers.get('location'), '/elsewhere');
    assert.deepEqual(seen, [{ method: 'HEAD', url: '/org/name/resolve/main/a%20b.json?x=1', auth: 'Bearer hf_x', encoding: undefined }]);
  });

  it('rejects with the caller’s reason when aborted before the answer, and when aborted while the body streams', async () => {
    route = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
      // Never ends: only an abort ends this request.
    };
    const early = new AbortController();
    early.abort(new Error('cancelled before'));
    await assert.rejects(dispatchFetch(agent)(`${origin}/`, { signal: early.signal }), /cancelled before/);

    const late = new AbortController();
    const response = await dispatchFetch(agent)(`${origin}/`, { signal: late.signal });
    const text = response.text();
    late.abort(new Error('cancelled while streaming'));
    await assert.rejects(text, /cancelled while streaming/);
  });

  it('a cancelled small body is read to its end, so the connection serves the next request', async () => {
    route = (req, res) => res.end(req.url === '/first' ? 'x'.repeat(1000) : 'second');
    const fetchIt = dispatchFetch(agent);
    const first = await fetchIt(`${origin}/first`);
    await first.body?.cancel();
    const second = await fetchIt(`${origin}/second`);
    assert.equal(await second.text(), 'second');
    assert.equal(connections, 1);
  });

  it('refuses a body larger than 32 MiB instead of holding it in memory', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    route = (_req, res) => {
      let sent = 0;
      const pump = () => {
        while (sent < 40 && res.write(chunk)) sent++;
        if (sent < 40) res.once('drain', pump);
        else res.end();
      };
      pump();
    };
    const response = await dispatchFetch(agent)(`${origin}/huge`);
    await assert.rejects(response.text(), /larger than 33554432 bytes/);
  });

  it('rejects with the network error when nothing listens', async () => {
    const dead = `http://127.0.0.1:1`;
    await assert.rejects(dispatchFetch(agent)(`${dead}/`), (error: Error) => /ECONNREFUSED/.test(`${error.message} ${(error as { code?: string }).code ?? ''}`));
  });
});
