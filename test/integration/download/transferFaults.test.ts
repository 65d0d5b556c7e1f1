import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { HttpStatusError } from '../../../src/core/http/httpStatusError';
import { transferFile } from '../../../src/core/download/transferFile';
import { partialBytesOnDisk } from '../../../src/core/download/transferSidecar';
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

  for (const framing of ['until-close', 'chunked'] as const) {
    it(`resumes within the call when a body without Content-Length (${framing}) ends early`, async () => {
      const options = await optionsFor(h, FILES.small.path);
      // `until-close`: the body ends where the connection does, so the cut looks like a clean end.
      const fault = h.hub.faults.set({ kind: 'cut-after', bytes: 1_234_567, framing, origin: 'cdn', times: 1 });
      const result = await transferFile(options);
      assert.equal(fault.hits, 1);
      assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
      const gets = cdnGets(h, FILES.small.path);
      assert.deepEqual(gets.map((r) => [r.range, r.status]), [[undefined, 200], ['bytes=1234567-', 206]]);
      assert.equal(result.bytesDownloaded, FILES.small.size, 'nothing fetched twice');
      assert.equal(result.restarts, 0);
    });
  }

  it('still calls a smaller file a size mismatch when its body comes without Content-Length', async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.faults.set({ kind: 'wrong-size', delta: -1000, origin: 'cdn' });
    // Longer than the body: the body ends cleanly, by closing the connection, 1000 bytes short.
    h.hub.faults.set({ kind: 'cut-after', bytes: FILES.small.size * 2, framing: 'until-close', origin: 'cdn', times: 1 });
    await assert.rejects(transferFile(options), (error: unknown) => {
      assert.ok(error instanceof SizeMismatchError, String(error));
      assert.equal(error.expectedSize, FILES.small.size);
      assert.equal(error.actualSize, FILES.small.size - 1000);
      return true;
    });
    assert.deepEqual(cdnGets(h, FILES.small.path).map((r) => [r.range, r.status]), [[undefined, 200], [`bytes=${FILES.small.size - 1000}-`, 416]]);
  });

  it('waits as long as Retry-After says on 503, then succeeds', async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.faults.set({ kind: 'status', status: 503, retryAfter: 1, origin: 'cdn', times: 1 });
    const debug: string[] = [];
    const started = Date.now();
    await transferFile({ ...options, logger: { ...silentLogger, debug: (message: string) => debug.push(message) } });
    assert.ok(Date.now() - started >= 950, 'the 1 s Retry-After was honoured (the backoff alone is 20 ms)');
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.deepEqual(cdnGets(h, FILES.small.path).map((r) => r.status), [503, 200]);
    assert.ok(debug.some((line) => /HTTP 503.*waiting 1000 ms \(as the server asked\) before retry 1\/5/.test(line)), debug.join('\n'));
  });

  it('fails the file at once, naming the wait, when the server asks to wait longer than a minute', async () => {
    const options = await optionsFor(h, FILES.small.path);
    // The first GET is cut after 1 MB; from the first byte on disk, the CDN answers 503 asking for a day.
    h.hub.faults.set({ kind: 'cut-after', bytes: 1_000_000, origin: 'cdn', times: 1 });
    let busy = false;
    const onProgress = (bytes: number) => {
      if (bytes > 0 && !busy) busy = !!h.hub.faults.set({ kind: 'status', status: 503, retryAfter: 86_400, origin: 'cdn' });
    };
    const started = Date.now();
    await assert.rejects(transferFile({ ...options, onProgress }), (error: unknown) => {
      assert.ok(error instanceof TransferFailedError, String(error));
      assert.equal(error.status, 503);
      assert.equal(error.serverWaitMs, 86_400_000);
      assert.match(error.message, /unavailable \(HTTP 503\) and asks to wait 24 h 0 min before trying again/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'did not sit out the wait');
    assert.deepEqual(cdnGets(h, FILES.small.path).map((r) => [r.range, r.status]), [[undefined, 200], ['bytes=1000000-', 503]]);
    // What arrived is kept: the next call resumes from it.
    h.hub.faults.clear();
    const result = await transferFile(options);
    assert.equal(result.resumedFromBytes, 1_000_000);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
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

  it('a resumed partial that turns out wrong is discarded with its sidecar, which no late save brings back', async () => {
    const options = await optionsFor(h, FILES.small.path);
    await writeFile(options.partialPath, Buffer.alloc(1_000_000, 0x5a)); // not the file's bytes
    await assert.rejects(transferFile(options), HashMismatchError);
    assert.equal(await partialBytesOnDisk(options.partialPath, options.sidecarPath), 0, 'nothing to resume');
    // The sidecar saver writes at most once a second: a save it still had scheduled lands within that.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(await exists(options.sidecarPath), false, 'no sidecar of a discarded partial');
    assert.equal(await exists(options.partialPath), false);
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
