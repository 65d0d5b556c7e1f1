import assert from 'node:assert/strict';
import { transferFile } from '../../../src/core/download/transferFile';
import { cdnGets, FILES, type Harness, optionsFor, sha256OfFile, startHarness } from './transferHarness';

/**
 * Adaptive connections as one file sees them: what it tells the caller about the link (onCappedLink)
 * and how it starts when the caller already knows the link is capped (linkCapped). Behind a
 * per-connection cap of 6 MB/s, the 24 MiB file takes over a second on four connections: long
 * enough for the probe (its verdict comes after about half a second) to speak if it runs at all.
 */
/** A logger that keeps the debug lines (where the transfer says where it hashes). */
function capture() {
  const debug: string[] = [];
  return { debug, logger: { trace: () => undefined, debug: (m: string) => debug.push(m), info: () => undefined, warn: () => undefined, error: () => undefined } };
}

describe('transferFile: adaptive connections and the verdict about the link', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.hub.faults.set({ kind: 'per-connection-cap', bytesPerSecond: 6_000_000, origin: 'cdn' });
  });
  afterEach(() => h.close());

  // Every connection counts as slow, whatever this machine's load.
  const adaptive = { adaptiveConnections: true, connections: 4, fastConnectionBytesPerSecond: 1e12 } as const;

  it('finds the cap on one connection, opens the others and tells the caller', async () => {
    let capped = 0;
    const options = await optionsFor(h, FILES.large.path, { ...adaptive, onCappedLink: () => capped++ });
    await transferFile(options);
    assert.ok(capped >= 1, 'the caller heard that the link is capped');
    const gets = cdnGets(h, FILES.large.path);
    assert.equal(gets[0].range, 'bytes=0-', 'found out on one open-ended request');
    assert.ok(gets.length > 1, `${gets.length} requests`);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('moves hashing off the worker to this thread once the link is found capped, and the file verifies', async () => {
    const { debug, logger } = capture();
    // On the worker from the first byte, as for a file that had started on a fast link.
    const options = await optionsFor(h, FILES.large.path, { ...adaptive, workerMinBytes: 0, workerBytesPerSecond: 0, logger });
    await transferFile(options);
    assert.ok(
      debug.some((m) => m.includes('hashing on the main thread')),
      `no move in: ${debug.join(' | ')}`,
    );
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('starts on all connections when another file found the cap, and does not report it again', async () => {
    let capped = 0;
    const options = await optionsFor(h, FILES.large.path, { ...adaptive, linkCapped: () => true, onCappedLink: () => capped++ });
    await transferFile(options);
    // Its own slow connections would say "capped" again, which on a link slow as a whole would undo
    // the other file's later "no gain" verdict.
    assert.equal(capped, 0, 'a file started wide runs no probe of its own');
    const gets = cdnGets(h, FILES.large.path);
    assert.ok(!gets.some((r) => r.range === 'bytes=0-'), `bounded parts from the start: ${gets.map((r) => r.range).join(', ')}`);
    const startedTogether = gets.filter((r) => r.receivedAt - gets[0].receivedAt < 200);
    assert.ok(startedTogether.length >= 4, `${startedTogether.length} requests within 200 ms of the first`);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });
});

describe('transferFile: where a large file is hashed', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('starts on this thread and moves to the worker once the first bytes came fast, and the file verifies', async () => {
    const { debug, logger } = capture();
    // Any speed counts as fast here; the sample is small, so the move happens early in the 24 MiB file.
    const options = await optionsFor(h, FILES.large.path, { workerMinBytes: 0, workerBytesPerSecond: 1, linkSpeedSampleBytes: 2 * 1024 * 1024, logger });
    await transferFile(options);
    assert.ok(
      debug.some((m) => m.includes('hashing on the worker')),
      `no move in: ${debug.join(' | ')}`,
    );
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('stays on this thread when the first bytes came slower than the worker is worth', async () => {
    const { debug, logger } = capture();
    const options = await optionsFor(h, FILES.large.path, { workerMinBytes: 0, workerBytesPerSecond: 1e15, linkSpeedSampleBytes: 2 * 1024 * 1024, logger });
    await transferFile(options);
    assert.ok(!debug.some((m) => m.includes('hashing on the worker')), debug.join(' | '));
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('starts on the worker when the caller learnt the link is fast, and tells the caller what it found', async () => {
    const { debug, logger } = capture();
    const found: boolean[] = [];
    const options = await optionsFor(h, FILES.large.path, {
      workerMinBytes: 0,
      workerBytesPerSecond: 1e15,
      linkSpeedSampleBytes: 2 * 1024 * 1024,
      hashOnWorkerFromStart: () => true,
      onHashingPlaceFound: (onWorker) => found.push(onWorker),
      logger,
    });
    await transferFile(options);
    assert.ok(debug.some((m) => m.includes('hashing on the worker from the start')), debug.join(' | '));
    // Slower than that absurd bar: the caller hears it, so its next file starts on this thread.
    assert.deepEqual(found, [false]);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });
});
