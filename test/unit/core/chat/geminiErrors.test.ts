import { ApiError } from '@google/genai';
import assert from 'node:assert/strict';
import { chatErrorFromGemini } from '../../../../src/core/chat/geminiErrors';

const apiError = (status: number, error: object) => new ApiError({ status, message: JSON.stringify({ error }) });

describe('chatErrorFromGemini', () => {
  it('400 API_KEY_INVALID is auth with the Set Gemini API Key hint', () => {
    const error = chatErrorFromGemini(
      apiError(400, { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] }),
      'request',
    );
    assert.equal(error.kind, 'auth');
    assert.equal(error.userMessage, 'The Gemini API key is not valid: set a new one with MLX: Set Gemini API Key.');
    assert.equal(error.details.status, 400);
    assert.equal(error.details.backend, 'gemini');
  });

  it('other statuses: 403 auth, 429 quota, 5xx server, 404 and 400 bad-request, with the API message', () => {
    const cases: Array<[number, string, string, RegExp]> = [
      [403, 'PERMISSION_DENIED', 'auth', /refused the API key \(PERMISSION_DENIED\): no\. Check/],
      [429, 'RESOURCE_EXHAUSTED', 'quota', /quota or rate limit reached: no\.$/],
      [500, 'INTERNAL', 'server', /failed \(HTTP 500\): no\. Try again later\.$/],
      [503, 'UNAVAILABLE', 'server', /HTTP 503/],
      [404, 'NOT_FOUND', 'bad-request', /does not know this model/],
      [400, 'INVALID_ARGUMENT', 'bad-request', /rejected the request \(HTTP 400\): no\.$/],
    ];
    for (const [status, statusText, kind, pattern] of cases) {
      const error = chatErrorFromGemini(apiError(status, { code: status, message: 'no.', status: statusText }), 'request');
      assert.equal(error.kind, kind, `${status}`);
      assert.match(error.userMessage, pattern);
    }
  });

  it('reads an error raised inside the stream ("got status: ...")', () => {
    const error = chatErrorFromGemini(new ApiError({ status: 429, message: 'got status: RESOURCE_EXHAUSTED. {"error":{"code":429,"message":"Slow down","status":"RESOURCE_EXHAUSTED"}}' }), 'stream');
    assert.equal(error.kind, 'quota');
    assert.match(error.userMessage, /Slow down/);
  });

  it('reads a JSON body that came without a JSON content type', () => {
    const inner = JSON.stringify({ error: { code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED' } });
    const error = chatErrorFromGemini(apiError(429, { message: inner, code: 429, status: 'Too Many Requests' }), 'request');
    assert.match(error.userMessage, /reached: Quota\.$/);
  });

  it('network failures: unavailable before the answer, crashed during it', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    assert.equal(chatErrorFromGemini(refused, 'request').kind, 'unavailable');
    assert.equal(chatErrorFromGemini(new TypeError('terminated'), 'stream').kind, 'crashed');
    assert.equal(chatErrorFromGemini(new Error('Incomplete JSON segment at the end'), 'stream').kind, 'crashed');
    assert.equal(chatErrorFromGemini(new Error('exception parsing stream chunk {x. SyntaxError'), 'stream').kind, 'server');
  });
});
