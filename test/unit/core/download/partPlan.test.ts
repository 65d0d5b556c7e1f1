import assert from 'node:assert/strict';
import { contiguousEnd, doneOf, planParts, splitLargestPart, tileRemainder } from '../../../../src/core/download/partPlan';

const MiB = 1024 * 1024;

describe('part planning', () => {
  it('keeps files at or below the threshold in one part', () => {
    assert.deepEqual(planParts({ size: 64 * MiB, connections: 8, partThresholdBytes: 64 * MiB, minPartBytes: 8 * MiB }), [{ start: 0, end: 64 * MiB, done: 0 }]);
  });

  it('tiles a large file with aligned parts, one per connection', () => {
    const size = 1000 * MiB + 123;
    const parts = planParts({ size, connections: 8, partThresholdBytes: 64 * MiB, minPartBytes: 8 * MiB });
    assert.equal(parts.length, 8);
    assert.equal(parts[0].start, 0);
    assert.equal(parts.at(-1)?.end, size);
    for (let i = 1; i < parts.length; i++) {
      assert.equal(parts[i].start, parts[i - 1].end);
      assert.equal(parts[i].start % MiB, 0);
    }
  });

  it('plans fewer parts than connections when parts would be smaller than minPartBytes', () => {
    const parts = planParts({ size: 100 * MiB, connections: 8, partThresholdBytes: 64 * MiB, minPartBytes: 40 * MiB });
    assert.equal(parts.length, 2);
  });

  it('caps parts at maxPartBytes, so connections take many small parts in file order', () => {
    const size = 1000 * MiB + 123;
    const parts = planParts({ size, connections: 16, partThresholdBytes: 64 * MiB, minPartBytes: 8 * MiB, maxPartBytes: 16 * MiB });
    assert.equal(parts.length, Math.ceil(size / (16 * MiB)));
    assert.equal(parts.at(-1)?.end, size);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i].start, parts[i - 1].end);
    assert.ok(parts.every((part) => part.end - part.start <= 16 * MiB));
  });

  it('tiles the unclaimed rest of a running part in file order, above what it received', () => {
    const parts = [{ start: 0, end: 100 * MiB, done: 10 * MiB, pending: MiB / 2 }];
    tileRemainder(parts, 16 * MiB);
    assert.ok(parts[0].end >= 10 * MiB + MiB / 2 + 16 * MiB && parts[0].end % MiB === 0);
    for (let i = 1; i < parts.length; i++) {
      assert.equal(parts[i].start, parts[i - 1].end);
      assert.ok(parts[i].end - parts[i].start <= 16 * MiB);
      assert.equal(parts[i].done, 0);
    }
    assert.equal(parts.at(-1)?.end, 100 * MiB);
  });

  it('finds the end of the written run from any position', () => {
    const parts = [
      { start: 0, end: 10, done: 10 },
      { start: 10, end: 20, done: 4 },
      { start: 20, end: 30, done: 10 },
    ];
    assert.equal(contiguousEnd(parts, 0), 14);
    assert.equal(contiguousEnd(parts, 14), 14);
    assert.equal(contiguousEnd(parts, 20), 30);
    assert.equal(doneOf(parts), 24);
  });

  it('splits the part with most unclaimed bytes, above what is already received', () => {
    const parts = [
      { start: 0, end: 4 * MiB, done: 4 * MiB },
      { start: 4 * MiB, end: 64 * MiB, done: 2 * MiB, pending: MiB },
    ];
    const upper = splitLargestPart(parts, 4 * MiB);
    assert.ok(upper);
    assert.equal(parts.length, 3);
    assert.equal(parts[1].end, upper.start);
    assert.equal(upper.end, 64 * MiB);
    assert.ok(upper.start >= 4 * MiB + 3 * MiB + 4 * MiB, 'the cut leaves at least minPartBytes above the received bytes');
    assert.equal(upper.done, 0);
  });

  it('refuses to split when no part has two minimum parts left', () => {
    const parts = [{ start: 0, end: 10 * MiB, done: 3 * MiB }];
    assert.equal(splitLargestPart(parts, 4 * MiB), undefined);
    assert.equal(parts.length, 1);
  });
});
