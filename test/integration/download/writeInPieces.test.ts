import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeInPieces } from '../../../src/core/download/writeInPieces';

describe('writeInPieces: a slab reaches the file in several concurrent writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'mlx-pieces-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes every byte at its position, whatever the size (not a multiple of a piece)', async () => {
    const file = path.join(dir, 'blob.incomplete');
    const handle = await fs.open(file, 'w+');
    const head = randomBytes(1000);
    const body = randomBytes(512 * 1024 + 12_345);
    try {
      await writeInPieces(handle, head, 0);
      await writeInPieces(handle, body, head.length);
    } finally {
      await handle.close();
    }
    assert.ok((await fs.readFile(file)).equals(Buffer.concat([head, body])));
  });

  it('rejects with the error of a failed piece (here: a file opened read-only)', async () => {
    const handle = await fs.open(path.join(dir, 'readonly'), 'w+');
    await handle.close();
    const readOnly = await fs.open(path.join(dir, 'readonly'), 'r');
    try {
      await assert.rejects(writeInPieces(readOnly, randomBytes(300 * 1024), 0), { code: 'EBADF' });
    } finally {
      await readOnly.close();
    }
  });
});
