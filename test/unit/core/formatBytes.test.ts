import assert from 'node:assert/strict';
import { formatBytes } from '../../../src/core/format/formatBytes';

describe('formatBytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    assert.equal(formatBytes(1_820_000_000), '1.8 GB');
    assert.equal(formatBytes(4_530_000_000), '4.5 GB');
    assert.equal(formatBytes(1_000_000_000), '1 GB');
  });

  it('keeps the zeros of whole numbers', () => {
    assert.equal(formatBytes(710_000_000), '710 MB');
    assert.equal(formatBytes(100), '100 B');
    assert.equal(formatBytes(0), '0 B');
  });

  it('says "?" for sizes it cannot know', () => {
    assert.equal(formatBytes(-1), '?');
    assert.equal(formatBytes(Number.NaN), '?');
  });
});
