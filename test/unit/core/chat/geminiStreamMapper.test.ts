import assert from 'node:assert/strict';
import { ChatError } from '../../../../src/core/chat/chatBackend';
import { type GeminiChunk, GeminiStreamMapper } from '../../../../src/core/chat/geminiStreamMapper';

const chunk = (parts: object[], extra: { finishReason?: string; usage?: object } = {}): GeminiChunk =>
  ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(extra.finishReason ? { finishReason: extra.finishReason } : {}) }],
    ...(extra.usage ? { usageMetadata: extra.usage } : {}),
  }) as GeminiChunk;

describe('GeminiStreamMapper', () => {
  it('maps text parts, then usage from the last usageMetadata, then done', () => {
    const mapper = new GeminiStreamMapper();
    const events = [
      ...mapper.map(chunk([{ text: 'Hel' }], { usage: { promptTokenCount: 4, totalTokenCount: 4 } })),
      ...mapper.map(chunk([{ text: 'lo' }], { finishReason: 'STOP', usage: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } })),
      ...mapper.finish(),
    ];
    assert.deepEqual(events, [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'usage', promptTokens: 4, completionTokens: 2, totalTokens: 6 },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('counts thinking tokens as completion and maps thought parts to reasoning', () => {
    const mapper = new GeminiStreamMapper();
    const events = [
      ...mapper.map(chunk([{ text: 'Pondering', thought: true }, { text: 'Answer' }], { finishReason: 'MAX_TOKENS', usage: { promptTokenCount: 3, candidatesTokenCount: 1, thoughtsTokenCount: 5, totalTokenCount: 9 } })),
      ...mapper.finish(),
    ];
    assert.deepEqual(events, [
      { type: 'reasoning', text: 'Pondering' },
      { type: 'text', text: 'Answer' },
      { type: 'usage', promptTokens: 3, completionTokens: 6, totalTokens: 9 },
      { type: 'done', finishReason: 'length' },
    ]);
  });

  it('maps other finish reasons to other and keeps the raw one for logs', () => {
    const mapper = new GeminiStreamMapper();
    mapper.map(chunk([], { finishReason: 'SAFETY' }));
    assert.deepEqual(mapper.finish(), [{ type: 'done', finishReason: 'other' }]);
    assert.equal(mapper.geminiFinishReason, 'SAFETY');
  });

  it('a stream without finishReason broke off', () => {
    const mapper = new GeminiStreamMapper();
    mapper.map(chunk([{ text: 'Hel' }]));
    assert.throws(() => mapper.finish(), (e: unknown) => e instanceof ChatError && e.kind === 'crashed');
  });

  it('a blocked prompt is a bad request naming the reason', () => {
    assert.throws(
      () => new GeminiStreamMapper().map({ promptFeedback: { blockReason: 'SAFETY' } } as GeminiChunk),
      (e: unknown) => e instanceof ChatError && e.kind === 'bad-request' && /blocked the prompt \(SAFETY\)/.test(e.userMessage),
    );
  });
});
