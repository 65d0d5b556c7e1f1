import assert from 'node:assert/strict';
import { checkGeminiKey } from '../../../src/core/chat/checkGeminiKey';
import { GeminiBackend } from '../../../src/core/chat/geminiBackend';
import { type GeminiStandin, startGeminiStandin } from '../../fixtures/geminiStandin';
import { closedPort, collect, recordingLogger } from './chatHarness';

const KEY = 'test-gemini-key';

describe('GeminiBackend against the Gemini stand-in', () => {
  let standin: GeminiStandin;
  const backend = (options: { apiKey?: string; model?: string } = {}) => new GeminiBackend({ apiKey: KEY, baseUrl: standin.baseUrl, ...options });
  const user = (content: string) => [{ role: 'user' as const, content }];

  beforeEach(async () => {
    standin = await startGeminiStandin({ tokenDelayMs: 150 });
  });
  afterEach(() => standin.close());

  it('streams text, then usage, then done (STOP)', async () => {
    const result = await collect(backend().stream(user('hello there'), {}));
    assert.equal(result.error, undefined);
    assert.equal(result.text, 'Gemini says: hello there');
    assert.ok(result.events.filter((e) => e.type === 'text').length > 1, 'streamed in several events');
    assert.deepEqual(result.events.slice(-2), [
      { type: 'usage', promptTokens: 2, completionTokens: 4, totalTokens: 6 },
      { type: 'done', finishReason: 'stop' },
    ]);
    assert.equal(standin.requests[0]!.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(standin.requests[0]!.key, 'valid');
  });

  it('maps the history, the system prompt and the limits into the request body', async () => {
    await collect(
      backend({ model: 'gemini-2.5-pro' }).stream(
        [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Bonjour' },
          { role: 'user', content: 'One' },
          { role: 'user', content: 'Two' },
        ],
        { systemPrompt: 'You are helpful.', maxTokens: 100, temperature: 0.3 },
      ),
    );
    const request = standin.requests[0]!;
    assert.equal(request.model, 'gemini-2.5-pro');
    assert.deepEqual(request.body?.contents, [
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'One' }, { text: 'Two' }] },
    ]);
    assert.deepEqual(request.body?.systemInstruction?.parts, [{ text: 'You are helpful.\n\nAnswer in French.' }]);
    assert.deepEqual(request.body?.generationConfig, { maxOutputTokens: 100, temperature: 0.3 });
  });

  it('the model option overrides the backend model', async () => {
    await collect(backend({ model: 'gemini-2.5-pro' }).stream(user('x'), { model: 'gemini-2.5-flash' }));
    assert.equal(standin.requests[0]!.model, 'gemini-2.5-flash');
  });

  it('MAX_TOKENS ends with length', async () => {
    const result = await collect(backend().stream(user('a b c d e f'), { maxTokens: 3 }));
    assert.equal(result.text, 'Gemini says: a ');
    assert.deepEqual(result.events.at(-1), { type: 'done', finishReason: 'length' });
  });

  it('cancel ends within a second and closes the connection', async () => {
    standin.setMode('slow');
    const controller = new AbortController();
    let abortedAt = 0;
    const result = await collect(backend().stream(user('one two three four five six seven eight nine ten'), {}, controller.signal), (event) => {
      if (event.type === 'text' && !abortedAt) {
        abortedAt = Date.now();
        controller.abort();
      }
    });
    assert.equal(result.error?.kind, 'cancelled');
    assert.ok(Date.now() - abortedAt < 1000, `cancel took ${Date.now() - abortedAt} ms`);
    assert.equal(await standin.requests[0]!.outcome, 'client-disconnected');
  });

  it('a consumer that stops iterating closes the connection', async () => {
    standin.setMode('slow');
    for await (const event of backend().stream(user('one two three four five'), {})) {
      assert.equal(event.type, 'text');
      break;
    }
    assert.equal(await standin.requests[0]!.outcome, 'client-disconnected');
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await collect(backend().stream(user('x'), {}, controller.signal));
    assert.equal(result.error?.kind, 'cancelled');
    assert.equal(standin.requests.length, 0);
  });

  it('an invalid key is auth with the Set Gemini API Key hint, and the key is never logged', async () => {
    const logger = recordingLogger();
    const chat = new GeminiBackend({ apiKey: 'AIza-wrong-secret', baseUrl: standin.baseUrl, logger });
    const { error } = await collect(chat.stream(user('x'), {}));
    assert.equal(error?.kind, 'auth');
    assert.equal(error!.userMessage, 'The Gemini API key is not valid: set a new one with MLX: Set Gemini API Key.');
    assert.equal(error!.details.status, 400);
    assert.equal(standin.requests[0]!.key, 'invalid');
    assert.ok(logger.lines.length > 0);
    assert.ok(!logger.lines.some((line) => line.includes('AIza-wrong-secret')));
    assert.ok(!error!.userMessage.includes('AIza-wrong-secret'));
  });

  it('an empty key fails before any request', async () => {
    const { error } = await collect(backend({ apiKey: '' }).stream(user('x'), {}));
    assert.equal(error?.kind, 'auth');
    assert.equal(standin.requests.length, 0);
  });

  it('maps 403, 429 and 500 to auth, quota and server with the API message', async () => {
    const cases = [
      ['error-403', 'auth', /PERMISSION_DENIED.*suspended/],
      ['error-429', 'quota', /exceeded your current quota/],
      ['error-500', 'server', /HTTP 500.*internal error/],
    ] as const;
    for (const [mode, kind, pattern] of cases) {
      standin.setMode(mode);
      const { error } = await collect(backend().stream(user('x'), {}));
      assert.equal(error?.kind, kind, mode);
      assert.match(error!.userMessage, pattern);
    }
  });

  it('an unknown model is a bad request', async () => {
    const { error } = await collect(backend({ model: 'gemini-0-nope' }).stream(user('x'), {}));
    assert.equal(error?.kind, 'bad-request');
    assert.match(error!.userMessage, /models\/gemini-0-nope is not found/);
  });

  it('a connection dropped mid-stream is a crash, after the text that arrived', async () => {
    standin.setMode('drop');
    const result = await collect(backend().stream(user('one two three four'), {}));
    assert.equal(result.text, 'Gemini says: ');
    assert.equal(result.error?.kind, 'crashed');
    assert.equal(await standin.requests[0]!.outcome, 'server-dropped');
  });

  it('a stream that ends without finishReason is a crash', async () => {
    standin.setMode('end-early');
    const result = await collect(backend().stream(user('one two three four'), {}));
    assert.equal(result.text, 'Gemini says: ');
    assert.equal(result.error?.kind, 'crashed');
  });

  it('an unreachable API is unavailable', async () => {
    const chat = new GeminiBackend({ apiKey: KEY, baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const { error } = await collect(chat.stream(user('x'), {}));
    assert.equal(error?.kind, 'unavailable');
    assert.match(error!.userMessage, /Gemini is not reachable/);
  });

  it('uses GOOGLE_GEMINI_BASE_URL when no base URL is given', async () => {
    const previous = process.env.GOOGLE_GEMINI_BASE_URL;
    process.env.GOOGLE_GEMINI_BASE_URL = standin.baseUrl;
    try {
      const result = await collect(new GeminiBackend({ apiKey: KEY }).stream(user('env'), {}));
      assert.equal(result.text, 'Gemini says: env');
    } finally {
      if (previous === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
      else process.env.GOOGLE_GEMINI_BASE_URL = previous;
    }
  });

  describe('checkGeminiKey', () => {
    it('lists models for a valid key', async () => {
      assert.deepEqual(await checkGeminiKey({ apiKey: KEY, baseUrl: standin.baseUrl }), { ok: true, models: ['gemini-2.5-flash', 'gemini-2.5-pro'] });
      assert.equal(standin.requests[0]!.method, 'GET');
      assert.match(standin.requests[0]!.path, /^\/v1beta\/models(\?|$)/);
    });

    it('reports an invalid key as auth', async () => {
      const check = await checkGeminiKey({ apiKey: 'nope', baseUrl: standin.baseUrl });
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.error.kind, 'auth');
      assert.match(!check.ok ? check.error.userMessage : '', /MLX: Set Gemini API Key/);
    });

    it('is not affected by generate faults; reports an unreachable API and an empty key without throwing', async () => {
      standin.setMode('error-429');
      // The mode only affects generate calls: a key check is a model list.
      assert.equal((await checkGeminiKey({ apiKey: KEY, baseUrl: standin.baseUrl })).ok, true);
      const unreachable = await checkGeminiKey({ apiKey: KEY, baseUrl: `http://127.0.0.1:${await closedPort()}` });
      assert.equal(!unreachable.ok && unreachable.error.kind, 'unavailable');
      const empty = await checkGeminiKey({ apiKey: ' ', baseUrl: standin.baseUrl });
      assert.equal(!empty.ok && empty.error.kind, 'auth');
    });
  });
});
