import assert from 'node:assert/strict';
import { type SplitPiece, ThinkTagSplitter } from '../../../../src/core/chat/thinkTagSplitter';

/** Feeds the chunks and returns the pieces, adjacent same-kind pieces joined. */
function split(chunks: readonly string[], startInReasoning = false): SplitPiece[] {
  const splitter = new ThinkTagSplitter({ startInReasoning });
  const pieces = [...chunks.flatMap((c) => splitter.push(c)), ...splitter.flush()];
  const joined: SplitPiece[] = [];
  for (const piece of pieces) {
    const last = joined[joined.length - 1];
    if (last?.kind === piece.kind) joined[joined.length - 1] = { kind: piece.kind, text: last.text + piece.text };
    else joined.push(piece);
  }
  return joined;
}

/** Every way of cutting `text` into two or three chunks, plus one character at a time. */
function chunkings(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) {
    out.push([text.slice(0, i), text.slice(i)]);
    for (let j = i + 1; j < text.length; j += 3) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

const reasoning = (text: string): SplitPiece => ({ kind: 'reasoning', text });
const answer = (text: string): SplitPiece => ({ kind: 'text', text });

describe('ThinkTagSplitter', () => {
  it('passes plain text through unchanged', () => {
    assert.deepEqual(split(['Hello', ' world']), [answer('Hello world')]);
  });

  it('splits a think block from the answer and drops the whitespace after each tag', () => {
    assert.deepEqual(split(['<think>\nLet me see.\n</think>\n\nIt is 4.']), [reasoning('Let me see.\n'), answer('It is 4.')]);
  });

  it('gives the same result wherever the chunks are cut, tags straddling boundaries included', () => {
    const text = '<think>\nStep 1, then < step 2 </thi.\n</think>\n\nThe answer: a < b and </b>.';
    const expected = [reasoning('Step 1, then < step 2 </thi.\n'), answer('The answer: a < b and </b>.')];
    for (const chunks of chunkings(text)) assert.deepEqual(split(chunks), expected, JSON.stringify(chunks));
  });

  it('streams without waiting for the closing tag (only a possible tag prefix is held back)', () => {
    const splitter = new ThinkTagSplitter();
    assert.deepEqual(splitter.push('<think>I wonder'), [reasoning('I wonder')]);
    assert.deepEqual(splitter.push(' about it</th'), [reasoning(' about it')]);
    assert.deepEqual(splitter.push('ink>Yes'), [answer('Yes')]);
    assert.deepEqual(splitter.push(' <'), [answer(' ')]);
    assert.deepEqual(splitter.flush(), [answer('<')]);
  });

  it('releases a held-back fragment that turned out not to be a tag', () => {
    assert.deepEqual(split(['x <thin', 'g>']), [answer('x <thing>')]);
    assert.deepEqual(split(['x <', '/thinker>']), [answer('x </thinker>')]);
  });

  it('ends inside a think block when the stream stops there (max_tokens hit while thinking)', () => {
    assert.deepEqual(split(['<think>still going', ' and </thi']), [reasoning('still going and </thi')]);
  });

  it('keeps a quoted <think> inside reasoning as text', () => {
    assert.deepEqual(split(['<think>the tag <think> opens it</think>ok']), [reasoning('the tag <think> opens it'), answer('ok')]);
  });

  it('handles several think blocks', () => {
    assert.deepEqual(split(['<think>a</think>b<think>c</think>d']), [reasoning('a'), answer('b'), reasoning('c'), answer('d')]);
  });

  it('drops a stray closing tag in text mode (the text before it was already streamed as answer)', () => {
    assert.deepEqual(split(['thinking...</think>\n\nAnswer']), [answer('thinking...Answer')]);
  });

  describe('startInReasoning (R1 templates open <think> in the prompt)', () => {
    it('treats the start as reasoning until </think>', () => {
      const expected = [reasoning('Hmm, 2+2.\n'), answer('4')];
      for (const chunks of chunkings('\nHmm, 2+2.\n</think>\n\n4')) assert.deepEqual(split(chunks, true), expected, JSON.stringify(chunks));
    });

    it('accepts an explicit opening tag at the very start anyway', () => {
      for (const chunks of chunkings('  <think>\nHmm</think>4')) assert.deepEqual(split(chunks, true), [reasoning('Hmm'), answer('4')], JSON.stringify(chunks));
    });

    it('keeps a later <think> as reasoning text once reasoning has started', () => {
      assert.deepEqual(split(['Hmm <think> is a tag</think>4'], true), [reasoning('Hmm <think> is a tag'), answer('4')]);
    });
  });

  it('emits nothing for whitespace-only parts', () => {
    assert.deepEqual(split(['<think>\n\n</think>\n\nHi']), [answer('Hi')]);
  });
});
