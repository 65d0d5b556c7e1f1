import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { type ProgressSnapshot, ProgressMeter } from '../../../src/core/download/progressMeter';
import { transferFile } from '../../../src/core/download/transferFile';
import { readSidecar } from '../../../src/core/download/transferSidecar';
import { hashBytes } from '../../../src/core/cache/contentHash';
import { cdnGets, FILES, MiB, optionsFor, sha256OfFile, describeOnEveryWritePath } from './transferHarness';

describeOnEveryWritePath('transferFile against the Hub stand-in', (h) => {

  it('downloads a small LFS file in one stream, verified, and removes its sidecar', async () => {
    const options = await optionsFor(h, FILES.small.path);
    const progress: number[] = [];
    const result = await transferFile({ ...options, onProgress: (done) => progress.push(done) });
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(result.bytesDownloaded, FILES.small.size);
    assert.equal(result.resumedFromBytes, 0);
    assert.equal(result.connectionsUsed, 1);
    assert.equal(progress.at(-1), FILES.small.size);
    assert.equal(await readSidecar(options.sidecarPath), undefined);
    const gets = cdnGets(h, FILES.small.path);
    assert.equal(gets.length, 1);
    assert.equal(gets[0].headers['accept-encoding'], 'identity');
    assert.equal(gets[0].range, undefined);
  });

  it('downloads a git-stored file through the relative redirect and checks its git sha1', async () => {
    const options = await optionsFor(h, FILES.config.path, { headers: { authorization: 'Bearer hf_x' } });
    await transferFile(options);
    const bytes = await readFile(options.partialPath);
    assert.deepEqual(bytes, FILES.config.content);
    assert.equal(hashBytes('git-sha1', bytes), options.expectedHash.hex);
  });

  it('splits a large file into parallel Range parts once the first 206 proves Range works', async () => {
    const options = await optionsFor(h, FILES.large.path, { connections: 4 });
    const result = await transferFile(options);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(result.connectionsUsed, 4);
    const gets = cdnGets(h, FILES.large.path);
    assert.ok(gets.length >= 4, `${gets.length} requests`);
    assert.ok(gets.every((r) => r.range?.startsWith('bytes=')), 'every request is ranged');
    assert.ok(gets.every((r) => r.status === 206));
    assert.equal(gets[0].range?.startsWith('bytes=0-'), true);
    // Ranges cover the file without overlap.
    const starts = gets.map((r) => Number(/bytes=(\d+)-/.exec(r.range!)![1]));
    assert.equal(new Set(starts).size, starts.length);
  });

  it('lets a free connection steal half of a slow part', async () => {
    const options = await optionsFor(h, FILES.large.path, { connections: 2 });
    // The first request (part 0) delivers 1 MiB, then dawdles for 1.5 s.
    h.hub.faults.set({ kind: 'stall', afterBytes: MiB, ms: 1500, origin: 'cdn', times: 1 });
    const result = await transferFile(options);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const starts = cdnGets(h, FILES.large.path).map((r) => Number(/bytes=(\d+)-/.exec(r.range!)![1]));
    const [, secondPartStart] = starts;
    const stolen = starts.slice(2).filter((start) => start > MiB && start < secondPartStart);
    assert.ok(stolen.length >= 1, `requests started at ${starts.join(', ')}`);
    assert.equal(result.connectionsUsed, 2);
  });

  it('steals down to 2 MiB pieces at the end of a file, also when parts are planned no smaller than 8 MiB', async () => {
    // Two parts of 12 MiB; the first delivers 1 MiB, then dawdles: 11 MiB left, too little to halve at 8 MiB.
    const options = await optionsFor(h, FILES.large.path, { connections: 2, minPartBytes: 8 * MiB });
    h.hub.faults.set({ kind: 'stall', afterBytes: MiB, ms: 1500, origin: 'cdn', times: 1 });
    await transferFile(options);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const starts = cdnGets(h, FILES.large.path).map((r) => Number(/bytes=(\d+)-/.exec(r.range!)![1]));
    const stolen = starts.slice(2).filter((start) => start > MiB && start < 12 * MiB);
    assert.ok(stolen.length >= 1, `requests started at ${starts.map((start) => start / MiB).join(', ')} MiB`);
    const pieces = [...starts, FILES.large.size].sort((a, b) => a - b);
    assert.ok(pieces.slice(1).every((end, i) => i === 0 || end - pieces[i]! >= 2 * MiB - 4321), `pieces from ${pieces.join(', ')}`);
  });

  it('sends the token to the Hub but never to the CDN', async () => {
    const options = await optionsFor(h, FILES.small.path);
    const url = `${h.hub.endpoint}/org/transfer/resolve/main/${FILES.small.path}`;
    h.hub.requests.length = 0;
    await transferFile({ ...options, url, resolveUrl: undefined, headers: { Authorization: 'Bearer hf_secret' } });
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    const hubHit = h.hub.requests.find((r) => r.origin === 'hub' && r.path.includes('/resolve/'));
    assert.equal(hubHit?.hasAuthorization, true);
    assert.ok(cdnGets(h, FILES.small.path).every((r) => !r.hasAuthorization));
  });

  it('resumes a partial without sidecar from its length, re-hashing the bytes on disk', async () => {
    const options = await optionsFor(h, FILES.small.path);
    await transferFile(options);
    const full = await readFile(options.partialPath);
    await writeFile(options.partialPath, full.subarray(0, 1_000_000));
    h.hub.requests.length = 0;
    const result = await transferFile(options);
    assert.equal(result.resumedFromBytes, 1_000_000);
    assert.equal(result.bytesDownloaded, full.length - 1_000_000);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(cdnGets(h, FILES.small.path)[0].range, 'bytes=1000000-');
  });

  it('finishes without a request when the partial is already complete', async () => {
    const options = await optionsFor(h, FILES.small.path);
    await transferFile(options);
    h.hub.requests.length = 0;
    const result = await transferFile(options);
    assert.equal(result.bytesDownloaded, 0);
    assert.equal(result.resumedFromBytes, FILES.small.size);
    assert.equal(h.hub.requests.length, 0);
  });

  it('discards a stale partial larger than the file and downloads it whole', async () => {
    const options = await optionsFor(h, FILES.small.path);
    await writeFile(options.partialPath, Buffer.alloc(FILES.small.size + 5000, 7));
    const result = await transferFile(options);
    assert.equal(result.restarts, 1);
    assert.equal((await stat(options.partialPath)).size, FILES.small.size);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('creates an empty file without any request', async () => {
    const options = await optionsFor(h, FILES.small.path);
    h.hub.requests.length = 0;
    const result = await transferFile({ ...options, expectedSize: 0, expectedHash: { algorithm: 'git-sha1', hex: hashBytes('git-sha1', Buffer.alloc(0)) } });
    assert.equal(result.bytesDownloaded, 0);
    assert.equal((await stat(options.partialPath)).size, 0);
    assert.equal(h.hub.requests.length, 0);
  });

  it('feeds a progress meter that ends at the total with a final event', async () => {
    const options = await optionsFor(h, FILES.large.path);
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ onUpdate: (s) => events.push(s) });
    meter.addFile(FILES.large.path, FILES.large.size);
    await transferFile({ ...options, onProgress: (done) => meter.update(FILES.large.path, done) });
    await meter.complete();
    const last = events.at(-1)!;
    assert.equal(last.final, true);
    assert.equal(last.doneBytes, FILES.large.size);
    assert.ok(events.every((e, i) => i === 0 || e.doneBytes >= events[i - 1].doneBytes));
  });
});
