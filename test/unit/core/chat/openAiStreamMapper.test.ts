import assert from 'node:assert/strict';
import { ChatError, type ChatEvent } from '../../../../src/core/chat/chatBackend';
import { OpenAiStreamMapper } from '../../../../src/core/chat/openAiStreamMapper';

const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, finish_reason: finish, delta }] });
const usage = JSON.stringify({ object: 'chat.completion', choices: [], usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } });

function run(datas: readonly string[], options: { startInReasoning?: boolean } = {}): ChatEvent[] {
  const mapper = new OpenAiStreamMapper({ backend: 'mlx', ...options });
  return [...datas.flatMap((d) => mapper.map(d)), ...mapper.finish()];
}

const isChatError = (kind: string, pattern: RegExp) => (e: unknown) => e instanceof ChatError && e.kind === kind && pattern.test(e.userMessage) && e.details.backend === 'mlx';

describe('OpenAiStreamMapper', () => {
  it('maps content deltas, then usage, then done (usage arrives after finish_reason)', () => {
    assert.deepEqual(run([chunk({ role: 'assistant', content: 'Hel' }), chunk({ content: 'lo' }), chunk({ content: '' }, 'stop'), usage, '[DONE]']), [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'usage', promptTokens: 12, completionTokens: 30, totalTokens: 42 },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('maps finish reasons; unknown ones become other', () => {
    for (const [raw, mapped] of [['stop', 'stop'], ['length', 'length'], ['tool_calls', 'tool_calls'], ['content_filter', 'other']] as const) {
      assert.deepEqual(run([chunk({ content: 'x' }, raw), '[DONE]']).at(-1), { type: 'done', finishReason: mapped });
    }
  });

  it('reads reasoning from delta.reasoning (mlx_lm ≥ 0.30.1) and leaves content alone afterwards', () => {
    assert.deepEqual(run([chunk({ reasoning: 'Think' }), chunk({ reasoning: 'ing.' }), chunk({ content: 'a <think> b' }, 'stop'), '[DONE]']), [
      { type: 'reasoning', text: 'Think' },
      { type: 'reasoning', text: 'ing.' },
      { type: 'text', text: 'a <think> b' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('also accepts delta.reasoning_content (vLLM, DeepSeek API)', () => {
    assert.deepEqual(run([chunk({ reasoning_content: 'hm' }), chunk({ content: 'ok' }, 'stop')]).slice(0, 2), [
      { type: 'reasoning', text: 'hm' },
      { type: 'text', text: 'ok' },
    ]);
  });

  it('splits <think> tags inside content (older servers), tags cut across chunks', () => {
    const events = run([chunk({ content: '<thi' }), chunk({ content: 'nk>Let me' }), chunk({ content: ' see</th' }), chunk({ content: 'ink>\n\n4' }, 'stop'), '[DONE]']);
    assert.deepEqual(events, [
      { type: 'reasoning', text: 'Let me' },
      { type: 'reasoning', text: ' see' },
      { type: 'text', text: '4' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('starts in reasoning when told the template opens the think block', () => {
    assert.deepEqual(run([chunk({ content: 'Hmm' }), chunk({ content: '</think>4' }, 'stop')], { startInReasoning: true }).slice(0, 2), [
      { type: 'reasoning', text: 'Hmm' },
      { type: 'text', text: '4' },
    ]);
  });

  it('flushes a held-back fragment at the end', () => {
    assert.deepEqual(run([chunk({ content: 'a <' }, 'stop'), '[DONE]']), [
      { type: 'text', text: 'a ' },
      { type: 'text', text: '<' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('treats [DONE] without finish_reason as a clean stop, and a finish_reason without [DONE] as complete', () => {
    assert.deepEqual(run([chunk({ content: 'x' }), '[DONE]']).at(-1), { type: 'done', finishReason: 'stop' });
    assert.deepEqual(run([chunk({ content: 'x' }, 'length')]).at(-1), { type: 'done', finishReason: 'length' });
  });

  it('computes a missing total from prompt and completion', () => {
    const partial = JSON.stringify({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3 } });
    assert.deepEqual(run([chunk({ content: 'x' }, 'stop'), partial]).at(-2), { type: 'usage', promptTokens: 2, completionTokens: 3, totalTokens: 5 });
  });

  it('ending with neither [DONE] nor finish_reason is a crash', () => {
    const mapper = new OpenAiStreamMapper({ backend: 'mlx' });
    mapper.map(chunk({ content: 'Hel' }));
    assert.throws(() => mapper.finish(), isChatError('crashed', /broke off/));
  });

  it('malformed JSON is a server error naming the event', () => {
    const mapper = new OpenAiStreamMapper({ backend: 'mlx' });
    assert.throws(() => mapper.map('{"choices": [oops'), isChatError('server', /unreadable stream event.*oops/));
    assert.throws(() => mapper.map('42'), isChatError('server', /unexpected stream event/));
  });

  it('an error event mid-stream is a server error with its message', () => {
    assert.throws(() => new OpenAiStreamMapper({ backend: 'mlx' }).map('{"error":{"message":"out of memory"}}'), isChatError('server', /out of memory/));
    assert.throws(() => new OpenAiStreamMapper({ backend: 'mlx' }).map('{"error":"boom"}'), isChatError('server', /boom/));
  });

  it('reports [DONE] through isDone', () => {
    const mapper = new OpenAiStreamMapper({ backend: 'mlx' });
    assert.equal(mapper.isDone, false);
    mapper.map(' [DONE]');
    assert.equal(mapper.isDone, true);
  });
});
