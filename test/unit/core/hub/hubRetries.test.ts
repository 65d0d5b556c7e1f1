import assert from 'node:assert/strict';
import { HubRetries, type RetryDecision } from '../../../../src/core/hub/hubRetries';

/** Asks `next` until it gives up: the waits it asked for, and why it stopped. */
function untilGivenUp(next: () => RetryDecision): { waits: number[]; stop: string } {
  const waits: number[] = [];
  for (let i = 0; i < 20; i++) {
    const decision = next();
    if (!decision.retry) return { waits, stop: decision.reason };
    waits.push(decision.waitMs);
  }
  return { waits, stop: 'never' };
}

describe('HubRetries', () => {
  it('retries 408, 500, 502, 503 and 504 four times with growing jittered backoff, then gives up', () => {
    for (const status of [408, 500, 502, 503, 504]) {
      const retries = new HubRetries({ retryBaseDelayMs: 100 });
      const { waits, stop } = untilGivenUp(() => retries.afterStatus(status, undefined));
      assert.equal(stop, 'exhausted', String(status));
      assert.equal(waits.length, 4, String(status));
      // Equal jitter: retry n waits between half and all of 100 × 2^(n-1).
      waits.forEach((wait, i) => assert.ok(wait >= 50 * 2 ** i && wait <= 100 * 2 ** i, `${status} retry ${i + 1} waited ${wait}`));
    }
  });

  it('never retries other 4xx or 5xx answers', () => {
    for (const status of [400, 401, 403, 404, 409, 416, 501, 505]) {
      assert.deepEqual(new HubRetries().afterStatus(status, undefined), { retry: false, reason: 'not-retryable' }, String(status));
    }
  });

  it('waits what the server asked for, up to a minute; a longer wait gives up at once', () => {
    const retries = new HubRetries({ retryBaseDelayMs: 100 });
    assert.deepEqual(retries.afterStatus(503, 1000), { retry: true, waitMs: 1000, attempt: 1 });
    assert.deepEqual(retries.afterStatus(503, 60_000), { retry: true, waitMs: 60_000, attempt: 2 }, 'a minute is still waited out');
    assert.deepEqual(retries.afterStatus(503, 86_400_000), { retry: false, reason: 'wait-too-long' });
    assert.deepEqual(new HubRetries().afterStatus(429, 60_001), { retry: false, reason: 'wait-too-long' });
    assert.deepEqual(new HubRetries({ maxServerWaitMs: 500 }).afterStatus(502, 501), { retry: false, reason: 'wait-too-long' });
  });

  it('counts 429s apart from other failures (maxRateLimitRetries, maxRetries)', () => {
    const retries = new HubRetries({ maxRetries: 1, maxRateLimitRetries: 2 });
    assert.equal(retries.afterStatus(429, 0).retry, true);
    assert.equal(retries.afterStatus(503, 0).retry, true);
    assert.equal(retries.afterStatus(429, 0).retry, true);
    assert.deepEqual(retries.afterStatus(429, 0), { retry: false, reason: 'exhausted' });
    assert.deepEqual(retries.afterStatus(503, 0), { retry: false, reason: 'exhausted' });
    assert.deepEqual(retries.afterNetworkFailure('dropped'), { retry: false, reason: 'exhausted' });
  });

  it('retries a dropped connection like a 5xx, an unreachable host only twice, anything else never', () => {
    const dropped = new HubRetries({ retryBaseDelayMs: 1 });
    assert.deepEqual(untilGivenUp(() => dropped.afterNetworkFailure('dropped')).waits.length, 4);
    const unreachable = new HubRetries({ retryBaseDelayMs: 1 });
    const { waits, stop } = untilGivenUp(() => unreachable.afterNetworkFailure('unreachable'));
    assert.deepEqual([waits.length, stop], [2, 'exhausted']);
    assert.deepEqual(new HubRetries().afterNetworkFailure('other'), { retry: false, reason: 'not-retryable' });
    // Unreachable tries count toward the whole budget too.
    const mixed = new HubRetries({ maxRetries: 3, retryBaseDelayMs: 1 });
    assert.equal(mixed.afterNetworkFailure('unreachable').retry, true);
    assert.equal(mixed.afterStatus(503, undefined).retry, true);
    assert.equal(mixed.afterNetworkFailure('dropped').retry, true);
    assert.deepEqual(mixed.afterStatus(502, undefined), { retry: false, reason: 'exhausted' });
  });

  it('maxRetries: 0 turns retries off (but not waiting out 429s)', () => {
    const retries = new HubRetries({ maxRetries: 0 });
    assert.deepEqual(retries.afterStatus(503, undefined), { retry: false, reason: 'exhausted' });
    assert.deepEqual(retries.afterNetworkFailure('unreachable'), { retry: false, reason: 'exhausted' });
    assert.equal(retries.afterStatus(429, 0).retry, true);
  });
});
