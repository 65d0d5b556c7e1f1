import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { transferFile } from '../../../src/core/download/transferFile';
import { FILES, type Harness, optionsFor, sha256OfFile, startHarness, WRITE_PATHS } from './transferHarness';

/**
 * Flushing to the disk is opt-in (as in huggingface_hub): observed here by counting `fdatasync` calls
 * on Node's FileHandle, whose prototype every file handle shares.
 */
describe('transferFile: flushing to the disk only when asked', function () {
  this.timeout(60_000);
  let h: Harness;
  let handlePrototype: { datasync: () => Promise<void> };
  let original: () => Promise<void>;
  let datasyncs = 0;
  before(async () => {
    const probe = await fs.open(__filename, 'r');
    handlePrototype = Object.getPrototypeOf(probe) as typeof handlePrototype;
    await probe.close();
    original = handlePrototype.datasync;
    handlePrototype.datasync = function (this: unknown) {
      datasyncs++;
      return original.call(this);
    };
  });
  after(() => {
    handlePrototype.datasync = original;
  });
  beforeEach(async () => {
    datasyncs = 0;
    h = await startHarness(WRITE_PATHS[1]);
  });
  afterEach(() => h.close());

  it('does not flush by default, and the file is complete and verified', async () => {
    const options = await optionsFor(h, FILES.large.path);
    await transferFile(options);
    assert.equal(datasyncs, 0);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });

  it('flushes before it resolves with syncToDisk', async () => {
    const options = await optionsFor(h, FILES.large.path, { syncToDisk: true, partialPath: path.join(h.dir, 'synced.incomplete'), sidecarPath: path.join(h.dir, 'synced.incomplete.json') });
    await transferFile(options);
    assert.ok(datasyncs >= 1, `fdatasync calls: ${datasyncs}`);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });
});
