import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { partialBytesOnDisk, readSidecar, sidecarMatches, writeSidecar, type TransferSidecar } from '../../../../src/core/download/transferSidecar';

describe('transfer sidecar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sidecar-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sample: TransferSidecar = {
    version: 1,
    url: 'http://127.0.0.1/x',
    size: 30,
    hash: { algorithm: 'sha256', hex: 'a'.repeat(64) },
    parts: [
      { start: 0, end: 10, done: 10 },
      { start: 10, end: 30, done: 5 },
    ],
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  it('round-trips through an atomic write that leaves no temp file behind', async () => {
    const file = path.join(dir, 'x.incomplete.json');
    await writeSidecar(file, sample);
    await writeSidecar(file, { ...sample, parts: [{ start: 0, end: 10, done: 10 }, { start: 10, end: 30, done: 9 }] });
    const read = await readSidecar(file);
    assert.ok(read && read !== 'invalid');
    assert.equal(read.parts[1].done, 9);
    assert.deepEqual(await readdir(dir), ['x.incomplete.json']);
    assert.equal(sidecarMatches(read, 30, sample.hash), true);
    assert.equal(sidecarMatches(read, 31, sample.hash), false);
    assert.equal(sidecarMatches(read, 30, { algorithm: 'sha256', hex: 'b'.repeat(64) }), false);
  });

  it('counts partial bytes from the sidecar only while its partial exists, and never past its length', async () => {
    const partial = path.join(dir, 'x.incomplete');
    const sidecar = path.join(dir, 'x.incomplete.json');
    await writeSidecar(sidecar, sample); // says 15 bytes done
    assert.equal(await partialBytesOnDisk(partial, sidecar), 0, 'a sidecar alone (its partial pruned) vouches for nothing');
    await writeFile(partial, Buffer.alloc(12));
    assert.equal(await partialBytesOnDisk(partial, sidecar), 12, 'truncated since: what is really there');
    await writeFile(partial, Buffer.alloc(30));
    assert.equal(await partialBytesOnDisk(partial, sidecar), 15, 'the holes are not counted');
  });

  it('reports a missing sidecar as undefined', async () => {
    assert.equal(await readSidecar(path.join(dir, 'none.json')), undefined);
  });

  it('rejects torn JSON and parts that do not tile the file', async () => {
    const file = path.join(dir, 's.json');
    await writeFile(file, '{"version":1,"url":');
    assert.equal(await readSidecar(file), 'invalid');
    await writeFile(file, JSON.stringify({ ...sample, parts: [{ start: 0, end: 10, done: 10 }, { start: 12, end: 30, done: 0 }] }));
    assert.equal(await readSidecar(file), 'invalid');
    await writeFile(file, JSON.stringify({ ...sample, parts: [{ start: 0, end: 30, done: 31 }] }));
    assert.equal(await readSidecar(file), 'invalid');
  });
});
