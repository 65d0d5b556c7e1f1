import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { type ReadyRunner } from '../../../src/core/runner/runnerState';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';
import { type CapturedLog, captureLogger, makeCachedModel, readRequestLog, readSse, standinEnv, tempDir } from './runnerHarness';

interface Chunk {
  object: string;
  model: string;
  choices: Array<{ finish_reason: string | null; delta?: { role?: string; content?: string; reasoning?: string }; message?: { content: string | null; reasoning?: string } }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('mlx_lm stand-in behind the supervisor: the HTTP contract tests rely on', function () {
  this.timeout(30_000);
  let cacheRoot: string;
  let workDir: string;
  const supervisors: RunnerSupervisor[] = [];

  before(async () => {
    cacheRoot = await tempDir('mlx-runner-');
    workDir = await tempDir('mlx-standin-');
  });
  after(async () => {
    await Promise.all(supervisors.map((s) => s.dispose()));
  });

  /** A runner with these stand-in switches; `requestLog` is where it records requests. */
  async function runner(repoId: string, env: Record<string, string> = {}): Promise<{ ready: ReadyRunner; log: CapturedLog; requestLog: string }> {
    const model = await makeCachedModel(cacheRoot, repoId);
    const requestLog = path.join(workDir, `requests-${supervisors.length}.jsonl`);
    const log = captureLogger();
    const supervisor = new RunnerSupervisor({ python: 'python3', env: standinEnv({ MLX_STANDIN_REQUEST_LOG: requestLog, ...env }), cacheRoot, logger: log });
    supervisors.push(supervisor);
    return { ready: await supervisor.start(model), log, requestLog };
  }

  const chat = (baseUrl: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

  async function chunksOf(res: Response): Promise<Chunk[]> {
    const { data } = await readSse(res);
    assert.equal(data.at(-1), '[DONE]');
    return data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
  }

  it('closing the connection mid-stream stops generation (stand-in logs and records the disconnect)', async () => {
    const { ready, log, requestLog } = await runner('mlx-community/Llama-3.2-1B-Instruct-4bit', { MLX_STANDIN_TOKEN_DELAY_MS: '20' });
    const abort = new AbortController();
    const res = await chat(ready.baseUrl, { messages: [{ role: 'user', content: 'count forever' }], stream: true, max_tokens: 500 }, abort.signal);
    const reader = res.body!.getReader();
    let received = '';
    while ((received.match(/^data: /gm) ?? []).length < 3) received += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await log.waitFor(/Client disconnected after \d+ tokens/);
    const records = await readRequestLog(requestLog);
    const disconnect = records.find((r) => r.type === 'disconnect');
    assert.ok(disconnect, JSON.stringify(records));
    assert.ok((disconnect.tokens as number) < 50, `stopped early, after ${String(disconnect.tokens)} tokens`);
    assert.equal(records.filter((r) => r.type === 'complete').length, 0);
    // Still serving after a disconnect.
    assert.equal((await fetch(`${ready.baseUrl}/health`)).status, 200);
  });

  it('records each request body, so tests can check stream_options.include_usage was sent', async () => {
    const { ready, requestLog } = await runner('mlx-community/Llama-3.2-3B-Instruct-4bit');
    const chunks = await chunksOf(await chat(ready.baseUrl, { messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: false }, max_tokens: 3 }));
    assert.equal(chunks.filter((c) => c.usage).length, 0, 'no usage chunk without include_usage');
    const records = await readRequestLog(requestLog);
    const post = records.find((r) => r.type === 'request' && r.method === 'POST');
    assert.deepEqual((post!.body as { stream_options: unknown }).stream_options, { include_usage: false });
    assert.equal(post!.path, '/v1/chat/completions');
  });

  it('R1 models stream reasoning in delta.reasoning by default, <think> in content with MLX_STANDIN_REASONING=think', async () => {
    const field = await runner('mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit');
    const chunks = await chunksOf(await chat(field.ready.baseUrl, { messages: [{ role: 'user', content: 'why' }], stream: true, max_tokens: 14 }));
    const reasoning = chunks.map((c) => c.choices[0]?.delta?.reasoning ?? '').join('');
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(reasoning, 'Okay, the user wrote 1 words. Let me echo them.');
    assert.equal(content, 'You said: why');

    const think = await runner('mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit', { MLX_STANDIN_REASONING: 'think', MLX_STANDIN_ANSWER: 'echo' });
    const thinkChunks = await chunksOf(await chat(think.ready.baseUrl, { messages: [{ role: 'user', content: 'why' }], stream: true, max_tokens: 100 }));
    const thinkContent = thinkChunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(thinkContent, '<think>\nOkay, the user wrote 1 words. Let me echo them.\n</think>\n\nYou said: why');
    assert.equal(thinkChunks.at(-1)!.choices[0]!.finish_reason, 'stop');
    assert.ok(thinkChunks.every((c) => c.choices[0]?.delta?.reasoning === undefined));
  });

  it('answers without streaming (message + usage), and on /chat/completions too', async () => {
    const { ready } = await runner('mlx-community/Meta-Llama-3.1-8B-Instruct-4bit', { MLX_STANDIN_ANSWER: 'echo' });
    const res = await fetch(`${ready.baseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'plain words' }] }], max_tokens: 100 }),
    });
    const body = (await res.json()) as Chunk;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'default_model');
    assert.equal(body.choices[0]!.message!.content, 'You said: plain words');
    assert.equal(body.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(body.usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
  });

  it('speaks mlx_lm errors: 404 text, 411 without Content-Length, 400 JSON for bad JSON, 404 JSON when the model fails to load', async () => {
    const { ready } = await runner('mlx-community/Llama-3.2-1B-Instruct-4bit');
    const notFound = await fetch(`${ready.baseUrl}/v2/nothing`);
    assert.equal(notFound.status, 404);
    assert.equal(await notFound.text(), 'Not Found');

    const badJson = await fetch(`${ready.baseUrl}/v1/chat/completions`, { method: 'POST', body: '{"messages": [' });
    assert.equal(badJson.status, 400);
    assert.match(((await badJson.json()) as { error: string }).error, /Invalid JSON/);

    const noLength = await rawPost(ready.baseUrl, '/v1/chat/completions');
    assert.equal(noLength.status, 411);
    assert.match(noLength.body, /Content-Length header is required/);

    const failing = await runner('mlx-community/Llama-3.2-3B-Instruct-4bit', { MLX_STANDIN_LOAD_FAIL: '1' });
    const loadFail = await chat(failing.ready.baseUrl, { messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(loadFail.status, 404);
    assert.match(((await loadFail.json()) as { error: string }).error, /failed to load model/);
  });
});

/** A chunked POST (no Content-Length), which fetch cannot be made to send for a string body. */
function rawPost(baseUrl: string, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${pathname}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}
