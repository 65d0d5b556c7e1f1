import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { OpenAiCompatibleBackend, type OpenAiCompatibleBackendOptions } from '../../../src/core/chat/openAiCompatibleBackend';
import { closedPort, collect, recordingLogger } from './chatHarness';
import { chunkEvent, DONE_EVENT, type ScriptServer, startScriptServer, startSse, usageEvent, writeAll } from './openAiScriptServer';

describe('OpenAiCompatibleBackend against a scripted server', () => {
  let server: ScriptServer;
  const backends: OpenAiCompatibleBackend[] = [];
  const backend = (options: Partial<OpenAiCompatibleBackendOptions> = {}) => {
    const created = new OpenAiCompatibleBackend({ baseUrl: server.baseUrl, id: 'mlx', ...options });
    backends.push(created);
    return created;
  };
  const user = (content: string) => [{ role: 'user' as const, content }];
  const answer = (pieces: readonly string[], end = true) => async (_req: unknown, res: ServerResponse) => {
    startSse(res);
    await writeAll(res, pieces, end);
  };

  beforeEach(async () => {
    server = await startScriptServer();
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.dispose()));
    await server.close();
  });

  it('sends the OpenAI request shape: system prompt first, stream options, limits, no model when none is set', async () => {
    server.handle(answer([chunkEvent({ content: 'ok' }, 'stop'), DONE_EVENT]));
    await collect(backend().stream([{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Bye' }], { systemPrompt: 'Be brief.', maxTokens: 64, temperature: 0.2 }));
    const request = server.requests[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/chat/completions');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.ok(request.headers['content-length'], 'mlx_lm answers 411 without Content-Length');
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual(JSON.parse(request.body), {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Bye' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0.2,
    });
  });

  it('sends the model (option over default), the bearer key, and accepts a base URL ending in /v1', async () => {
    server.handle(answer([chunkEvent({ content: 'ok' }, 'stop'), DONE_EVENT]));
    const logger = recordingLogger();
    const remote = backend({ baseUrl: `${server.baseUrl}/v1/`, apiKey: 'sk-secret-123', defaultModel: 'org/default', id: 'openai-compatible', logger });
    await collect(remote.stream(user('x'), {}));
    await collect(remote.stream(user('x'), { model: 'org/chosen' }));
    assert.equal(server.requests[0]!.path, '/v1/chat/completions');
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-secret-123');
    assert.equal(JSON.parse(server.requests[0]!.body).model, 'org/default');
    assert.equal(JSON.parse(server.requests[1]!.body).model, 'org/chosen');
    assert.ok(logger.lines.length > 0);
    assert.ok(!logger.lines.some((line) => line.includes('sk-secret-123')), 'the key never reaches the log');
  });

  it('streams text, skips keepalive comments, reports usage then done', async () => {
    server.handle(answer([': keepalive 128/2048\n\n', chunkEvent({ role: 'assistant', content: 'Hel' }), ': keepalive 256/2048\n\n', chunkEvent({ content: 'lo' }), chunkEvent({ content: '' }, 'stop'), usageEvent(12, 2), DONE_EVENT]));
    const result = await collect(backend().stream(user('Hi'), {}));
    assert.equal(result.error, undefined);
    assert.deepEqual(result.events, [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'usage', promptTokens: 12, completionTokens: 2, totalTokens: 14 },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('handles SSE lines and think tags cut across network writes, and CRLF line ends', async () => {
    const event = chunkEvent({ content: '<think>\nHmm</think>\n\nIt is 4.' }, 'length').replace(/\n/g, '\r\n');
    const cuts = [0, 9, 30, 61, 70, event.length];
    server.handle(answer([...cuts.slice(1).map((end, i) => event.slice(cuts[i], end)), usageEvent(3, 4), 'data: [DO', 'NE]\n\n']));
    const result = await collect(backend().stream(user('2+2?'), {}));
    assert.equal(result.reasoning, 'Hmm');
    assert.equal(result.text, 'It is 4.');
    assert.deepEqual(result.events.at(-1), { type: 'done', finishReason: 'length' });
  });

  it('reads delta.reasoning as reasoning', async () => {
    server.handle(answer([chunkEvent({ reasoning: 'Think' }), chunkEvent({ reasoning: 'ing' }), chunkEvent({ content: 'Done' }, 'stop'), DONE_EVENT]));
    const result = await collect(backend().stream(user('q'), {}));
    assert.equal(result.reasoning, 'Thinking');
    assert.equal(result.text, 'Done');
  });

  it('maps HTTP errors to kinds with the server message', async () => {
    const cases: Array<[number, string, string, RegExp]> = [
      [404, '{"error": "Failed to load model org/missing"}', 'unavailable', /could not be loaded \(HTTP 404\): Failed to load model org\/missing/],
      [401, '{"error": {"message": "bad key"}}', 'auth', /HTTP 401\): bad key/],
      [403, '{"error": "forbidden"}', 'auth', /HTTP 403/],
      [429, '{"error": {"message": "slow down"}}', 'quota', /slow down/],
      [400, '{"error": "Invalid JSON in request body"}', 'bad-request', /Invalid JSON in request body/],
      [500, 'Internal Server Error', 'server', /HTTP 500/],
    ];
    for (const [status, body, kind, pattern] of cases) {
      server.handle((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
      const { error } = await collect(backend().stream(user('x'), {}));
      assert.equal(error?.kind, kind, `HTTP ${status}`);
      assert.match(error!.userMessage, pattern);
      assert.equal(error!.details.status, status);
    }
  });

  it('connection refused: the runner is not running', async () => {
    const port = await closedPort();
    const { error } = await collect(backend({ baseUrl: `http://127.0.0.1:${port}` }).stream(user('x'), {}));
    assert.equal(error?.kind, 'unavailable');
    assert.equal(error!.userMessage, `The runner is not running (nothing listens on http://127.0.0.1:${port}).`);
  });

  it('a connection dropped before any answer is a crash', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const { error } = await collect(backend().stream(user('x'), {}));
    assert.equal(error?.kind, 'crashed');
  });

  it('a connection dropped mid-stream is a crash, after the text that did arrive', async () => {
    server.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });
      await writeAll(res, [chunkEvent({ content: 'Hel' })], false);
      res.socket?.destroy();
    });
    const result = await collect(backend().stream(user('x'), {}));
    assert.equal(result.text, 'Hel');
    assert.equal(result.error?.kind, 'crashed');
    assert.match(result.error!.userMessage, /broke off/);
  });

  it('a connection lost after finish_reason still ends the answer normally', async () => {
    server.handle(async (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });
      await writeAll(res, [chunkEvent({ content: 'Hi' }, 'stop')], false);
      res.socket?.destroy();
    });
    const result = await collect(backend().stream(user('x'), {}));
    assert.equal(result.error, undefined);
    assert.deepEqual(result.events, [
      { type: 'text', text: 'Hi' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('a body that ends cleanly without [DONE] or finish_reason is a crash (mlx_lm closes the socket when it dies)', async () => {
    server.handle(answer([chunkEvent({ content: 'Hel' })]));
    const result = await collect(backend().stream(user('x'), {}));
    assert.equal(result.text, 'Hel');
    assert.equal(result.error?.kind, 'crashed');
  });

  it('a malformed event ends the stream with a server error and closes the connection', async () => {
    server.handle(answer([chunkEvent({ content: 'Hel' }), 'data: {"choices": [nope\n\n', chunkEvent({ content: 'lo' }, 'stop')], false));
    const result = await collect(backend().stream(user('x'), {}));
    assert.equal(result.text, 'Hel');
    assert.equal(result.error?.kind, 'server');
    assert.match(result.error!.userMessage, /unreadable stream event/);
    assert.equal(await server.requests[0]!.closed, true);
  });

  it('an error event mid-stream is a server error', async () => {
    server.handle(answer([chunkEvent({ content: 'Hel' }), 'data: {"error": {"message": "out of memory"}}\n\n']));
    const result = await collect(backend().stream(user('x'), {}));
    assert.equal(result.error?.kind, 'server');
    assert.match(result.error!.userMessage, /out of memory/);
  });

  it('cancel closes the connection promptly and ends with cancelled', async () => {
    // The server sends one token and then nothing: only the abort can end this stream.
    server.handle(answer([chunkEvent({ content: 'Hel' })], false));
    const controller = new AbortController();
    let abortedAt = 0;
    const result = await collect(backend().stream(user('x'), {}, controller.signal), (event) => {
      if (event.type === 'text') {
        abortedAt = Date.now();
        controller.abort();
      }
    });
    assert.equal(result.error?.kind, 'cancelled');
    assert.ok(Date.now() - abortedAt < 1000, `cancel took ${Date.now() - abortedAt} ms`);
    assert.equal(await server.requests[0]!.closed, true, 'the server saw the client go away');
  });

  it('cancel while waiting for the first byte (model loading) also ends promptly', async () => {
    server.handle(() => undefined); // never answers
    const controller = new AbortController();
    const pending = collect(backend().stream(user('x'), {}, controller.signal));
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const abortedAt = Date.now();
    controller.abort();
    const result = await pending;
    assert.equal(result.error?.kind, 'cancelled');
    assert.ok(Date.now() - abortedAt < 1000);
    assert.equal(await server.requests[0]!.closed, true);
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await collect(backend().stream(user('x'), {}, controller.signal));
    assert.equal(result.error?.kind, 'cancelled');
    assert.equal(server.requests.length, 0);
  });

  it('a consumer that stops iterating closes the connection', async () => {
    server.handle(answer([chunkEvent({ content: 'Hel' })], false));
    for await (const event of backend().stream(user('x'), {})) {
      assert.equal(event.type, 'text');
      break;
    }
    assert.equal(await server.requests[0]!.closed, true);
  });
});
