import assert from 'node:assert/strict';
import type { ChatError } from '../../../../src/core/chat/chatBackend';
import { chatErrorFromNetwork, chatErrorFromStatus, type ErrorSource } from '../../../../src/core/chat/openAiErrors';

const mlx: ErrorSource = { backend: 'mlx', origin: 'http://127.0.0.1:8080', sentApiKey: false };
const remote: ErrorSource = { backend: 'openai-compatible', origin: 'https://llm.example', sentApiKey: true };
const brief = (e: ChatError) => ({ kind: e.kind, message: e.userMessage, status: e.details.status });

describe('chatErrorFromStatus', () => {
  it('404 with mlx_lm JSON: the model failed to load, with the server message', () => {
    assert.deepEqual(brief(chatErrorFromStatus(404, '{"error": "Repository Not Found for url: org/x."}', mlx)), {
      kind: 'unavailable',
      message: 'The model could not be loaded (HTTP 404): Repository Not Found for url: org/x.',
      status: 404,
    });
  });

  it('404 plain text: wrong address', () => {
    const error = chatErrorFromStatus(404, 'Not Found', mlx);
    assert.equal(error.kind, 'unavailable');
    assert.match(error.userMessage, /No chat endpoint at http:\/\/127\.0\.0\.1:8080\/v1\/chat\/completions/);
  });

  it('maps 401/403 to auth, 429 to quota, 400 to bad-request, 5xx to server, with OpenAI-style messages', () => {
    const openAi = (message: string) => JSON.stringify({ error: { message, type: 'x' } });
    assert.deepEqual(brief(chatErrorFromStatus(401, openAi('Incorrect API key provided.'), remote)), { kind: 'auth', message: 'The server rejected the API key (HTTP 401): Incorrect API key provided.', status: 401 });
    assert.match(chatErrorFromStatus(401, '', mlx).userMessage, /^The server needs an API key \(HTTP 401\)\.$/);
    assert.equal(chatErrorFromStatus(403, '', remote).kind, 'auth');
    assert.deepEqual(brief(chatErrorFromStatus(429, openAi('Slow down'), remote)), { kind: 'quota', message: 'Rate limit or quota reached (HTTP 429): Slow down.', status: 429 });
    assert.deepEqual(brief(chatErrorFromStatus(400, '{"error": "Invalid JSON in request body"}', mlx)), { kind: 'bad-request', message: 'The server rejected the request (HTTP 400): Invalid JSON in request body.', status: 400 });
    assert.equal(chatErrorFromStatus(422, '{"detail":"bad"}', remote).kind, 'bad-request');
    assert.deepEqual(brief(chatErrorFromStatus(503, '<html>busy</html>', remote)), { kind: 'server', message: 'The server failed (HTTP 503): <html>busy</html>.', status: 503 });
  });
});

describe('chatErrorFromNetwork', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it('connection refused: the runner is not running (mlx) / nothing answers (remote)', () => {
    assert.deepEqual(brief(chatErrorFromNetwork(withCode('ECONNREFUSED'), mlx)), { kind: 'unavailable', message: 'The runner is not running (nothing listens on http://127.0.0.1:8080).', status: undefined });
    assert.match(chatErrorFromNetwork(withCode('ECONNREFUSED'), remote).userMessage, /Nothing answers at https:\/\/llm\.example/);
  });

  it('finds the code inside cause and AggregateError', () => {
    const nested = new TypeError('fetch failed', { cause: new AggregateError([withCode('ECONNREFUSED')]) });
    assert.equal(chatErrorFromNetwork(nested, mlx).kind, 'unavailable');
  });

  it('a socket closed before any answer is a crash; DNS and timeouts are unavailable', () => {
    assert.equal(chatErrorFromNetwork(withCode('UND_ERR_SOCKET'), mlx).kind, 'crashed');
    assert.equal(chatErrorFromNetwork(withCode('ENOTFOUND'), remote).kind, 'unavailable');
    assert.equal(chatErrorFromNetwork(withCode('UND_ERR_CONNECT_TIMEOUT'), remote).kind, 'unavailable');
    assert.equal(chatErrorFromNetwork(withCode('UND_ERR_HEADERS_TIMEOUT'), remote).kind, 'server');
    assert.equal(chatErrorFromNetwork(new Error('weird'), remote).kind, 'unavailable');
  });
});
