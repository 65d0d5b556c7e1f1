import assert from 'node:assert/strict';
import { toGeminiRequest } from '../../../../src/core/chat/geminiRequest';

describe('toGeminiRequest', () => {
  it('maps assistant to model and keeps the order', () => {
    const request = toGeminiRequest([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Bye' },
    ]);
    assert.deepEqual(request, {
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'Bye' }] },
      ],
      systemInstruction: undefined,
    });
  });

  it('moves the system prompt and system messages into systemInstruction', () => {
    const request = toGeminiRequest([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], 'You are helpful.');
    assert.equal(request.systemInstruction, 'You are helpful.\n\nBe brief.');
    assert.deepEqual(request.contents, [{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('merges consecutive turns of one role into one content, and drops empty turns', () => {
    const request = toGeminiRequest([
      { role: 'user', content: 'First' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'Second' },
      { role: 'assistant', content: 'A' },
      { role: 'assistant', content: 'B' },
    ]);
    assert.deepEqual(request.contents, [
      { role: 'user', parts: [{ text: 'First' }, { text: 'Second' }] },
      { role: 'model', parts: [{ text: 'A' }, { text: 'B' }] },
    ]);
  });

  it('ignores a blank system prompt', () => {
    assert.equal(toGeminiRequest([{ role: 'user', content: 'x' }], '  ').systemInstruction, undefined);
  });
});
