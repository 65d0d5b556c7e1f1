import assert from 'node:assert/strict';
import { OpenAiCompatibleBackend } from '../../../src/core/chat/openAiCompatibleBackend';
import { collect } from './chatHarness';
import { eventually, findMlxStandin, type MlxStandinProcess, startMlxStandin } from './mlxStandinProcess';

const root = findMlxStandin();
if (!root) throw new Error('test/fixtures/mlxLmStandin is missing: these tests need the mlx_lm stand-in');

describe('OpenAiCompatibleBackend against the mlx_lm stand-in', function () {
  let standin: MlxStandinProcess | undefined;
  let backend: OpenAiCompatibleBackend | undefined;
  const start = async (switches: Record<string, string>) => {
    standin = await startMlxStandin(root, { MLX_STANDIN_ANSWER: 'echo', ...switches });
    backend = new OpenAiCompatibleBackend({ baseUrl: standin.baseUrl, id: 'mlx' });
    return backend;
  };
  const user = (content: string) => [{ role: 'user' as const, content }];

  afterEach(async () => {
    await backend?.dispose();
    await standin?.stop();
    backend = undefined;
    standin = undefined;
  });

  it('streams the echo with keepalives, usage and stop, with no model field', async () => {
    const result = await collect((await start({ MLX_STANDIN_KEEPALIVES: '4' })).stream(user('hello there world'), { systemPrompt: 'Be brief.' }));
    assert.equal(result.error, undefined);
    assert.equal(result.text, 'You said: hello there world');
    assert.equal(result.reasoning, '');
    const usage = result.events.find((e) => e.type === 'usage');
    assert.ok(usage && usage.type === 'usage' && usage.completionTokens === 5 && usage.totalTokens === usage.promptTokens + 5);
    assert.deepEqual(result.events.at(-1), { type: 'done', finishReason: 'stop' });
    const request = standin!.readLog().find((r) => r.type === 'request' && r.body);
    assert.equal(request?.body?.model, undefined);
    assert.deepEqual((request?.body?.messages as unknown[])[0], { role: 'system', content: 'Be brief.' });
  });

  it('max_tokens ends with length', async () => {
    const result = await collect((await start({ MLX_STANDIN_ANSWER: 'fill' })).stream(user('hi'), { maxTokens: 7 }));
    assert.deepEqual(result.events.at(-1), { type: 'done', finishReason: 'length' });
    assert.equal(result.text.split(' ').length, 7);
  });

  for (const mode of ['field', 'think'] as const) {
    it(`separates reasoning (MLX_STANDIN_REASONING=${mode})`, async () => {
      const result = await collect((await start({ MLX_STANDIN_REASONING: mode })).stream(user('two words'), {}));
      assert.equal(result.error, undefined);
      assert.equal(result.reasoning.trim(), 'Okay, the user wrote 2 words. Let me echo them.');
      assert.equal(result.text, 'You said: two words');
    });
  }

  it('a model that fails to load is unavailable with the server message', async () => {
    const { error } = await collect((await start({ MLX_STANDIN_LOAD_FAIL: '1' })).stream(user('x'), { model: 'org/broken' }));
    assert.equal(error?.kind, 'unavailable');
    assert.match(error!.userMessage, /could not be loaded \(HTTP 404\): Could not load model org\/broken/);
  });

  it('a runner that dies mid-answer is a crash, after the tokens that arrived', async () => {
    const result = await collect((await start({ MLX_STANDIN_CRASH_AFTER_TOKENS: '3' })).stream(user('one two three four'), {}));
    assert.equal(result.text, 'You said: one');
    assert.equal(result.error?.kind, 'crashed');
  });

  it('cancel ends within a second and the runner stops generating', async () => {
    const chat = await start({ MLX_STANDIN_TOKEN_DELAY_MS: '150' });
    const controller = new AbortController();
    let abortedAt = 0;
    const result = await collect(chat.stream(user('a b c d e f g h i j k l m n o p'), {}, controller.signal), (event) => {
      if (event.type === 'text' && !abortedAt) {
        abortedAt = Date.now();
        controller.abort();
      }
    });
    assert.equal(result.error?.kind, 'cancelled');
    assert.ok(Date.now() - abortedAt < 1000, `cancel took ${Date.now() - abortedAt} ms`);
    await eventually(() => standin!.readLog().some((r) => r.type === 'disconnect'));
    assert.ok(!standin!.readLog().some((r) => r.type === 'complete'));
  });

  it('connection refused once the runner is gone', async () => {
    const chat = await start({});
    await standin!.stop();
    const { error } = await collect(chat.stream(user('x'), {}));
    assert.equal(error?.kind, 'unavailable');
    assert.match(error!.userMessage, /^The runner is not running/);
  });
});
