import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DownloadDiskFullError } from '../../../src/core/snapshot/downloadErrors';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';
import { MiB, type ModelEnv, startModelEnv, tinyModel } from './modelHarness';

const REPO = 'mlx-community/Tiny-4bit';

/**
 * A disk that fills up after the last file is in place, before the ref is written: a 20 MB tmpfs mounted
 * for this test (needs root, which the test container has; elsewhere the mount fails and so does this test).
 */
describe('downloadModel on a disk that fills up at the very end', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  let mountPoint: string;
  before(async () => {
    mountPoint = await fs.mkdtemp(path.join(tmpdir(), 'tinyfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mountPoint]);
  });
  after(async () => {
    await env?.close();
    execFileSync('umount', [mountPoint]);
    await fs.rm(mountPoint, { recursive: true, force: true });
  });

  it('says the disk is full when the ref cannot be written, keeps every file, and the next run only writes the ref', async () => {
    env = await startModelEnv([tinyModel(REPO, 2 * MiB)]);
    const cacheRoot = path.join(mountPoint, 'hub');
    const filler = path.join(mountPoint, 'filler');
    let planned = 0;
    let done = 0;
    const fillWhenLastFileIsIn = (event: DownloadEvent) => {
      if (event.type === 'plan') planned = event.files.length;
      // Synchronously, so the disk is full before the download goes on to its ref.
      if (event.type === 'file-done' && ++done === planned) {
        const { bavail, bsize } = statfsSync(mountPoint);
        writeFileSync(filler, Buffer.alloc(Number(bavail) * Number(bsize)));
      }
    };

    await assert.rejects(env.download({ cacheRoot, onEvent: fillWhenLastFileIsIn }), (error: unknown) => {
      assert.ok(error instanceof DownloadDiskFullError, String(error));
      assert.match(error.message, /^The disk is full \(writing .*\): every file of mlx-community\/Tiny-4bit is in place, but the download could not be recorded; free at least 10 MB and download again to finish it/);
      assert.equal(error.remainingBytes, 0, 'every file is in place');
      return true;
    });
    const repoDir = path.join(cacheRoot, 'models--mlx-community--Tiny-4bit');
    await assert.rejects(fs.stat(path.join(repoDir, 'refs', 'main')), 'no ref: the download is not complete');
    const commit = env.hub.commitOf(REPO);
    const weights = await fs.readFile(path.join(repoDir, 'snapshots', commit, 'model.safetensors'));
    assert.equal(weights.length, 2 * MiB, 'the weights are kept');

    await fs.rm(filler);
    const events: DownloadEvent[] = [];
    const { result } = await env.download({ cacheRoot, onEvent: (e) => events.push(e) });
    assert.equal(result.bytesDownloaded, 0, 'nothing fetched again');
    assert.equal((await fs.readFile(path.join(repoDir, 'refs', 'main'), 'utf8')).trim(), commit);
  });
});
