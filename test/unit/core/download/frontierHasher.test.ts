import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FrontierHasher } from '../../../../src/core/download/frontierHasher';
import { contiguousEnd, type PartState } from '../../../../src/core/download/partPlan';

describe('frontier hasher', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'frontier-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes parts written out of order in file order, reading back only what arrived ahead', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const handle = await open(path.join(dir, 'f'), 'w+');
    const third = Math.ceil(content.length / 3);
    const parts: PartState[] = [0, 1, 2].map((i) => ({ start: i * third, end: Math.min(content.length, (i + 1) * third), done: 0 }));
    const hasher = new FrontierHasher(createHash('sha256'), handle, (from) => contiguousEnd(parts, from));
    // Interleave 64 KiB chunks of the three parts, last part first, as parallel connections would.
    const chunk = 64 * 1024;
    let progressed = true;
    while (progressed) {
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
    const digest = await hasher.digest(content.length);
    await handle.close();
    assert.equal(digest, createHash('sha256').update(content).digest('hex'));
  });

  it('re-hashes bytes already on disk when resuming, then continues with new chunks', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    const handle = await open(path.join(dir, 'g'), 'w+');
    const half = content.length / 2;
    await handle.write(content, 0, half, 0);
    const parts: PartState[] = [{ start: 0, end: content.length, done: half }];
    const hasher = new FrontierHasher(createHash('sha256'), handle, (from) => contiguousEnd(parts, from));
    hasher.poke();
    const rest = content.subarray(half);
    await handle.write(rest, 0, rest.length, half);
    parts[0].done = content.length;
    hasher.offer(half, rest);
    assert.equal(await hasher.digest(content.length), createHash('sha256').update(content).digest('hex'));
    await handle.close();
  });
});
