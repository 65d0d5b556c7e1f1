import assert from 'node:assert/strict';
import { formatProgress } from '../../../../src/core/format/formatProgress';
import { progressParts } from '../../../../src/core/format/progressParts';

describe('formatProgress and progressParts', () => {
  it('joins the parts that are known with " · "', () => {
    const p = { doneBytes: 760_000_000, totalBytes: 1_820_000_000, bytesPerSecond: 35_000_000, etaSeconds: 31 };
    assert.deepEqual(progressParts(p), { percent: '41%', bytes: '760 MB / 1.8 GB', speed: '35 MB/s', eta: '31 s left' });
    assert.equal(formatProgress(p), '41% · 760 MB / 1.8 GB · 35 MB/s · 31 s left');
    assert.equal(formatProgress({ doneBytes: 0, totalBytes: 0, bytesPerSecond: 0, etaSeconds: undefined }), '0% · 0 B / 0 B');
  });
});
