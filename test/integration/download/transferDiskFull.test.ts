import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transferFile } from '../../../src/core/download/transferFile';
import { DiskFullError } from '../../../src/core/download/transferErrors';
import { readSidecar } from '../../../src/core/download/transferSidecar';
import { doneOf } from '../../../src/core/download/partPlan';
import { FILES, optionsFor, sha256OfFile, describeOnEveryWritePath } from './transferHarness';

/**
 * A real full disk: a 2 MB tmpfs mounted for this test (needs root, which the test container has;
 * elsewhere the mount fails and so does this test, with the reason).
 */
describeOnEveryWritePath('transferFile on a full disk', (h) => {
  let mountPoint: string;
  before(async () => {
    mountPoint = await mkdtemp(path.join(tmpdir(), 'tinyfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
  });
  after(async () => {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('fails with DiskFullError, keeps partial and sidecar, and resumes elsewhere from them', async () => {
    const base = await optionsFor(h, FILES.small.path);
    const options = { ...base, partialPath: path.join(mountPoint, 'blob.incomplete'), sidecarPath: path.join(mountPoint, 'blob.incomplete.json') };
    await assert.rejects(transferFile(options), (error: unknown) => {
      assert.ok(error instanceof DiskFullError, String(error));
      assert.match(error.message, /disk is full.*resumes/s);
      return true;
    });
    const sidecar = await readSidecar(options.sidecarPath);
    assert.ok(sidecar && sidecar !== 'invalid', 'the sidecar survived');
    const onDisk = (await stat(options.partialPath)).size;
    const claimed = doneOf(sidecar.parts);
    assert.ok(claimed > 0 && claimed <= onDisk, `sidecar claims ${claimed} of ${onDisk} bytes on disk`);

    // "Free space": continue on a roomy disk from the kept state.
    const roomy = path.join(h.dir, 'roomy');
    await mkdir(roomy);
    const moved = { ...base, partialPath: path.join(roomy, 'blob.incomplete'), sidecarPath: path.join(roomy, 'blob.incomplete.json') };
    await copyFile(options.partialPath, moved.partialPath);
    await copyFile(options.sidecarPath, moved.sidecarPath);
    const result = await transferFile(moved);
    assert.equal(result.resumedFromBytes, claimed);
    assert.equal(await sha256OfFile(moved.partialPath), base.expectedHash.hex);
  });
});
