import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { HttpStatusError } from '../../../src/core/http/httpStatusError';
import { transferFile } from '../../../src/core/download/transferFile';
import { silentLogger } from '../../../src/core/logging/logger';
import { HashMismatchError, SizeMismatchError, TransferCancelledError, TransferFailedError } from '../../../src/core/download/transferErrors';
import { cdnGets, FILES, MiB, optionsFor, REPO, sha256OfFile, describeOnEveryWritePath } from './transferHarness';

const exists = (file: string) => access(file).then(() => true, () => false);

describeOnEveryWritePath('transferFile under server faults', (h) => {

  it('resumes after the connection is cut, from the exact byte it reached', async () => {
    const options = await optionsFor(h, FILES.small.path);
    const fault = h.hub.faults.set({ kind: 'cut-after', bytes: 1_234_567, origin: 'cdn', times: 1 });
    const result = await transferFile(options);
    assert.equal(fault.hits, 1);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const gets = cdnGets(h, FILES.small.path);
    assert.equal(gets.length, 2);
    assert.equal(gets[1].range, 'bytes=1234567-');
    assert.equal(result.bytesDownloaded, FILES.small.size);
  });

  it('waits as long as Retry-After says on 503, then succeeds', async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.faults.set({ kind: 'status', status: 503, retryAfter: 1, origin: 'cdn', times: 1 });
    const started = Date.now();
    await transferFile(options);
    assert.ok(Date.now() - started >= 950, 'the 1 s Retry-After was honoured (the backoff alone is 20 ms)');
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.deepEqual(cdnGets(h, FILES.small.path).map((r) => r.status), [503, 200]);
  });

  it('honours a 429 rate limit on every part of a multi-part download', async () => {
    const options = await optionsFor(h, FILES.large.path);
    h.hub.faults.set({ kind: 'rate-limit', retryAfter: 1, origin: 'cdn', times: 2 });
    const started = Date.now();
    await transferFile(options);
    assert.ok(Date.now() - started >= 950);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(cdnGets(h, FILES.large.path).filter((r) => r.status === 429).length, 2);
  });

  it('drops a stalled connection and resumes where it stopped', async () => {
    // Well below the 30 s stall, well above a busy event loop's hiccups (CI runs on 2 loaded cores).
    const options = await optionsFor(h, FILES.small.path, { stallTimeoutMs: 2000 });
    h.hub.faults.set({ kind: 'stall', afterBytes: 100_000, ms: 30_000, origin: 'cdn', times: 1 });
    const started = Date.now();
    await transferFile(options);
    assert.ok(Date.now() - started < 10_000, 'did not wait for the 30 s stall');
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const gets = cdnGets(h, FILES.small.path);
    assert.equal(gets.length, 2);
    assert.equal(gets[1].range, 'bytes=100000-');
  });

  it('restarts from byte 0 (truncating, not appending) when the server ignores Range on resume', async () => {
    const options = await optionsFor(h, FILES.small.path);
    // A partial whose tail is garbage: appending the 200 body after it would give a wrong file.
    await writeFile(options.partialPath, Buffer.alloc(500_000, 0xaa));
    h.hub.faults.set({ kind: 'ignore-range', origin: 'cdn' });
    const result = await transferFile(options);
    assert.equal(result.restarts, 1);
    assert.equal(result.resumedFromBytes, 500_000);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const gets = cdnGets(h, FILES.small.path);
    assert.deepEqual(gets.map((r) => [r.range, r.status]), [['bytes=500000-', 200], [undefined, 200]]);
  });

  it('falls back to one stream when the server ignores Range on a multi-part download', async () => {
    const options = await optionsFor(h, FILES.large.path);
    h.hub.faults.set({ kind: 'ignore-range', origin: 'cdn' });
    const result = await transferFile(options);
    assert.equal(result.connectionsUsed, 1);
    assert.equal(result.restarts, 1);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('rejects a corrupted byte with HashMismatchError and leaves no corrupt partial behind', async () => {
    const options = await optionsFor(h, FILES.large.path);
    h.hub.faults.set({ kind: 'flip-byte', offset: 15 * MiB + 7, origin: 'cdn' });
    await assert.rejects(transferFile(options), (error: unknown) => {
      assert.ok(error instanceof HashMismatchError);
      assert.equal(error.expected, options.expectedHash.hex);
      assert.notEqual(error.actual, error.expected);
      assert.match(error.message, /corrupt/);
      return true;
    });
    assert.equal(await exists(options.partialPath), false);
    assert.equal(await exists(options.sidecarPath), false);
    h.hub.faults.clear();
    const result = await transferFile(options);
    assert.equal(result.resumedFromBytes, 0, 'the next try starts clean');
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('gets a fresh URL through resolveUrl when the CDN says the link expired', async () => {
    const base = await optionsFor(h, FILES.large.path);
    let resolved = 0;
    h.hub.faults.set({ kind: 'cut-after', bytes: 3 * MiB, origin: 'cdn', times: 1 });
    h.hub.faults.set({ kind: 'expire-urls', origin: 'cdn', times: 4 });
    await transferFile({
      ...base,
      resolveUrl: async () => {
        resolved++;
        h.hub.faults.clear();
        return base.resolveUrl!();
      },
    });
    assert.equal(resolved, 1, 'one refresh for all parts');
    assert.equal(await sha256OfFile(base.partialPath), base.expectedHash.hex);
  });

  it('re-follows the redirect for a fresh CDN URL when no resolveUrl is given', async () => {
    const base = await optionsFor(h, FILES.small.path);
    const url = `${h.hub.endpoint}/${REPO}/resolve/main/${FILES.small.path}`;
    h.hub.faults.set({ kind: 'cut-after', bytes: 500_000, origin: 'cdn', times: 1 });
    h.hub.faults.set({ kind: 'expire-urls', origin: 'cdn', times: 1 });
    h.hub.requests.length = 0;
    await transferFile({ ...base, url, resolveUrl: undefined });
    assert.equal(await sha256OfFile(base.partialPath), base.expectedHash.hex);
    assert.ok(h.hub.requests.filter((r) => r.origin === 'hub').length >= 2, 'resolved twice');
  });

  for (const delta of [+1000, -1000]) {
    it(`rejects a file ${delta > 0 ? 'longer' : 'shorter'} than expected with SizeMismatchError`, async () => {
      for (const file of [FILES.small, FILES.large]) {
        const options = await optionsFor(h, file.path);
        h.hub.faults.set({ kind: 'wrong-size', delta, origin: 'cdn' });
        await assert.rejects(transferFile(options), (error: unknown) => {
          assert.ok(error instanceof SizeMismatchError, String(error));
          assert.equal(error.expectedSize, file.size);
          assert.equal(error.actualSize, file.size + delta);
          return true;
        });
        h.hub.faults.clear();
      }
    });
  }

  it('discards the partial and starts again on 416', async () => {
    const options = await optionsFor(h, FILES.small.path);
    await transferFile(options);
    const full = await readFile(options.partialPath);
    await writeFile(options.partialPath, full.subarray(0, 2_000_000));
    h.hub.faults.set({ kind: 'status', status: 416, origin: 'cdn', times: 1 });
    h.hub.requests.length = 0;
    const result = await transferFile(options);
    assert.equal(result.restarts, 1);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.deepEqual(cdnGets(h, FILES.small.path).map((r) => r.range), ['bytes=2000000-', undefined]);
  });

  it("reports a 4xx with the server's message and does not retry it", async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.faults.set({ kind: 'status', status: 404, origin: 'cdn' });
    await assert.rejects(transferFile(options), (error: unknown) => {
      assert.ok(error instanceof HttpStatusError);
      assert.equal(error.status, 404);
      assert.ok(error.serverMessage.length > 0);
      assert.doesNotMatch(error.message, /X-Amz-Signature/, 'presigned secrets stay out of messages');
      return true;
    });
    assert.equal(cdnGets(h, FILES.small.path).length, 1);
  });

  it('cancels within 1 s while waiting out a long Retry-After', async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.faults.set({ kind: 'status', status: 503, retryAfter: 60, origin: 'cdn' });
    const controller = new AbortController();
    let abortedAt = 0;
    // The engine logs the retry right before it starts waiting: abort exactly then.
    const logger = { ...silentLogger, debug: () => ((abortedAt = Date.now()), controller.abort()) };
    await assert.rejects(transferFile({ ...options, signal: controller.signal, logger }), (error: unknown) => error instanceof TransferCancelledError);
    assert.ok(abortedAt > 0 && Date.now() - abortedAt < 1000);
  });

  it('gives up after maxRetries failures in a row and keeps what it has', async () => {
    const options = await optionsFor(h, FILES.small.path, { maxRetries: 2 });
    h.hub.faults.set({ kind: 'status', status: 500, origin: 'cdn' });
    await assert.rejects(transferFile(options), (error: unknown) => {
      assert.ok(error instanceof TransferFailedError, String(error));
      assert.equal(error.status, 500);
      return true;
    });
    assert.equal(cdnGets(h, FILES.small.path).length, 3);
  });

  it('does not count failures that made progress toward maxRetries', async () => {
    const options = await optionsFor(h, FILES.small.path, { maxRetries: 1 });
    h.hub.faults.set({ kind: 'cut-after', bytes: 400_000, origin: 'cdn', times: 6 });
    await transferFile(options);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(cdnGets(h, FILES.small.path).length, 7);
  });
});
