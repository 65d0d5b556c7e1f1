import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashBytes } from '../../../../src/core/cache/contentHash';
import { WorkerHasher } from '../../../../src/core/download/hashWorker';
import { contiguousEnd, type PartState } from '../../../../src/core/download/partPlan';

describe('worker hasher', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hash-worker-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes parts written out of order in file order, as they become contiguous', async () => {
    const content = randomBytes(5 * 1024 * 1024 + 17);
    const file = path.join(dir, 'f');
    const handle = await open(file, 'w+');
    const third = Math.ceil(content.length / 3);
    const parts: PartState[] = [0, 1, 2].map((i) => ({ start: i * third, end: Math.min(content.length, (i + 1) * third), done: 0 }));
    const hasher = new WorkerHasher(file, 'sha256', content.length, (from) => contiguousEnd(parts, from));
    const chunk = 256 * 1024;
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const part of [parts[2], parts[0], parts[1]]) {
        const at = part.start + part.done;
        if (at >= part.end) continue;
        const bytes = content.subarray(at, Math.min(part.end, at + chunk));
        await handle.write(bytes, 0, bytes.length, at);
        part.done += bytes.length;
        hasher.offer(at, bytes);
        progressed = true;
      }
    }
    assert.equal(await hasher.digest(content.length), createHash('sha256').update(content).digest('hex'));
    await handle.close();
  });

  it('re-hashes what is already on disk (resume), and computes git blob sha1', async () => {
    const content = randomBytes(1024 * 1024 + 5);
    const file = path.join(dir, 'g');
    await writeFile(file, content);
    const parts: PartState[] = [{ start: 0, end: content.length, done: content.length }];
    const hasher = new WorkerHasher(file, 'git-sha1', content.length, (from) => contiguousEnd(parts, from));
    hasher.poke();
    assert.equal(await hasher.digest(content.length), hashBytes('git-sha1', content));
  });

  it('reports a file shorter than its recorded parts, and lets two files share the worker', async () => {
    const short = path.join(dir, 'short');
    await writeFile(short, randomBytes(1000));
    const other = path.join(dir, 'other');
    const content = randomBytes(300_000);
    await writeFile(other, content);
    const a = new WorkerHasher(short, 'sha256', 5000, () => 5000);
    const b = new WorkerHasher(other, 'sha256', content.length, () => content.length);
    await assert.rejects(a.digest(5000), /shorter/);
    await a.settle();
    assert.equal(await b.digest(content.length), createHash('sha256').update(content).digest('hex'));
  });
  it('writes slabs handed over in file order, hashing them from memory, and gives each slab back intact', async () => {
    const slabBytes = 512 * 1024;
    const content = randomBytes(3 * slabBytes + 1234);
    const file = path.join(dir, 'w');
    await writeFile(file, '');
    const parts: PartState[] = [{ start: 0, end: content.length, done: 0 }];
    const hasher = new WorkerHasher(file, 'sha256', content.length, (from) => contiguousEnd(parts, from));
    for (let at = 0; at < content.length; at += slabBytes) {
      const slab = Buffer.allocUnsafeSlow(slabBytes);
      const length = content.copy(slab, 0, at, Math.min(content.length, at + slabBytes));
      const writing = hasher.write(slab.subarray(0, length), at);
      assert.equal(slab.length, 0, 'the slab memory moved to the worker (nothing copied)');
      const back = await writing;
      assert.ok(back, 'the memory came back');
      assert.equal(back.length, slabBytes);
      assert.ok(back.subarray(0, length).equals(content.subarray(at, at + length)), 'the slab came back unchanged');
      // Not offered (which would let the worker read back): hashing from memory must not need it.
      parts[0].done += length;
    }
    assert.ok((await readFile(file)).equals(content));
    // No second pass: with the file overwritten now, the digest still is that of the bytes handed over.
    await writeFile(file, Buffer.alloc(content.length));
    assert.equal(await hasher.digest(content.length), createHash('sha256').update(content).digest('hex'));
  });

  it('writes parts out of order (reading back what it could not hash from memory) and copies small buffers', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 99);
    const file = path.join(dir, 'x');
    await writeFile(file, '');
    const half = 1024 * 1024;
    const parts: PartState[] = [
      { start: 0, end: half, done: 0 },
      { start: half, end: content.length, done: 0 },
    ];
    const hasher = new WorkerHasher(file, 'git-sha1', content.length, (from) => contiguousEnd(parts, from));
    // The second part first (ahead of the frontier), then the first in small pooled buffers (copied).
    const second = Buffer.allocUnsafeSlow(content.length - half);
    content.copy(second, 0, half);
    await hasher.write(second, half);
    parts[1].done = parts[1].end - parts[1].start;
    hasher.offer(half, second);
    for (let at = 0; at < half; at += 4096) {
      const small = Buffer.from(content.subarray(at, at + 4096));
      assert.equal(await hasher.write(small, at), undefined, 'a pooled buffer is copied, not moved');
      assert.equal(small.length, 4096);
      parts[0].done += 4096;
      hasher.offer(at, small);
    }
    assert.equal(await hasher.digest(content.length), hashBytes('git-sha1', content));
    assert.ok((await readFile(file)).equals(content));
  });

  it('refuses a write once the file was let go of', async () => {
    const file = path.join(dir, 'y');
    await writeFile(file, '');
    const hasher = new WorkerHasher(file, 'sha256', 10, () => 0);
    await hasher.settle();
    await assert.rejects(hasher.write(Buffer.from('0123456789'), 0), /closed/);
  });
});
