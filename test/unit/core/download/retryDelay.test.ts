import assert from 'node:assert/strict';
import { backoffDelayMs, serverRetryDelayMs } from '../../../../src/core/http/retryDelay';

describe('retry delays', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(serverRetryDelayMs({ 'retry-after': '3' }), 3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(serverRetryDelayMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now), 5000);
  });

  it("reads the Hub's RateLimit reset time when Retry-After is absent", () => {
    assert.equal(serverRetryDelayMs({ ratelimit: '"resolvers";r=0;t=12' }), 12_000);
    assert.equal(serverRetryDelayMs({}), undefined);
  });

  it('backs off exponentially with bounded jitter', () => {
    assert.equal(backoffDelayMs({ attempt: 1, baseMs: 100, random: () => 0 }), 50);
    assert.equal(backoffDelayMs({ attempt: 3, baseMs: 100, random: () => 0.999999 }) <= 400, true);
    assert.equal(backoffDelayMs({ attempt: 3, baseMs: 100, random: () => 0 }), 200);
    assert.equal(backoffDelayMs({ attempt: 30, baseMs: 100, maxMs: 1000, random: () => 0 }), 500);
  });
});
