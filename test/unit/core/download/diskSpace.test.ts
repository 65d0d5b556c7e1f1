import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureFreeSpace, freeBytesAt, InsufficientDiskSpaceError } from '../../../../src/core/download/diskSpace';

describe('disk space check', () => {
  it('measures free space of a folder that does not exist yet via its parent', async () => {
    const stats = await statfs(tmpdir());
    const free = await freeBytesAt(path.join(tmpdir(), 'no', 'such', 'dir'));
    assert.ok(Math.abs(free - stats.bavail * stats.bsize) < 64 * 1024 * 1024);
  });

  it('passes when the download fits', async () => {
    assert.ok((await ensureFreeSpace({ dir: tmpdir(), neededBytes: 1000, marginBytes: 0 })) > 1000);
  });

  it('throws with needed and free space in human units and a way out', async () => {
    const free = await freeBytesAt(tmpdir());
    await assert.rejects(ensureFreeSpace({ dir: tmpdir(), neededBytes: free + 5e12, marginBytes: 0 }), (error: unknown) => {
      assert.ok(error instanceof InsufficientDiskSpaceError);
      assert.ok(Math.abs(error.freeBytes - free) < 256 * 1024 * 1024);
      assert.match(error.message, /needs \d+(\.\d)? TB but only .* free/);
      assert.match(error.message, /Free up at least/);
      assert.match(error.message, /HF_HUB_CACHE/);
      return true;
    });
  });
});
