import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
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
});
