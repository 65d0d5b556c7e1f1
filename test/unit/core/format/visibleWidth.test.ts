import assert from 'node:assert/strict';
import { visibleWidth } from '../../../../src/core/format/visibleWidth';

describe('visibleWidth', () => {
  it('counts cells, not escape sequences or UTF-16 units', () => {
    assert.equal(visibleWidth('\r\x1b[2K██░░ 42%'), 8);
    assert.equal(visibleWidth('\x1b[33m40\x1b[39m'), 2);
    assert.equal(visibleWidth('\x1b]8;;https://hf.co\x07link\x1b]8;;\x07'), 4);
    assert.equal(visibleWidth('a · b … c'), 9);
    assert.equal(visibleWidth('𝒳'), 1, 'one code point outside the BMP is one character');
  });

  it('counts wide characters twice and combining ones not at all', () => {
    assert.equal(visibleWidth('模型'), 4);
    assert.equal(visibleWidth('e\u0301'), 1);
    assert.equal(visibleWidth('ＭＬＸ'), 6);
  });
});
