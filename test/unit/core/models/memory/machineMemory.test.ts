import assert from 'node:assert/strict';
import os from 'node:os';
import { machineMemory } from '../../../../../src/core/models/memory/machineMemory';

const GIB = 1024 ** 3;
const mac = (gib: number, workingSetFraction?: number) => machineMemory({ platform: 'darwin', arch: 'arm64', totalBytes: gib * GIB, workingSetFraction });

describe('machineMemory', () => {
  it('estimates the Metal working set as 2/3 of RAM up to 36 GiB', () => {
    assert.equal(mac(8).budgetBytes, Math.floor((8 * GIB * 2) / 3)); // ≈ 5.33 GiB, as reported for 8 GB Macs
    assert.equal(mac(16).budgetBytes, Math.floor((16 * GIB * 2) / 3)); // ≈ 10.67 GiB
    assert.ok(Math.abs(mac(32).budgetBytes / (1024 * 1024) - 21845.34) < 0.01); // what llama.cpp prints on 32 GB Macs
    assert.equal(mac(36).fraction, 2 / 3);
    assert.equal(mac(16).source, 'metal-estimate');
  });

  it('uses 3/4 above 36 GiB', () => {
    assert.equal(mac(48).fraction, 3 / 4);
    assert.equal(mac(64).budgetBytes, 48 * GIB); // 49152 MiB, as reported for 64 GB Macs
    assert.equal(mac(128).budgetBytes, 96 * GIB);
  });

  it('honours a configured fraction (mlx.memory.budgetFraction) and ignores invalid ones', () => {
    assert.equal(mac(16, 0.5).budgetBytes, 8 * GIB);
    assert.equal(mac(16, 1).budgetBytes, 16 * GIB);
    for (const bad of [0, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(mac(16, bad).fraction, 2 / 3, String(bad));
    }
  });

  it('uses a share of RAM off Apple Silicon', () => {
    const linux = machineMemory({ platform: 'linux', arch: 'x64', totalBytes: 32 * GIB });
    assert.deepEqual(linux, { totalBytes: 32 * GIB, budgetBytes: 24 * GIB, fraction: 0.75, source: 'ram-fraction' });
    assert.equal(machineMemory({ platform: 'darwin', arch: 'x64', totalBytes: 16 * GIB }).source, 'ram-fraction');
    assert.equal(machineMemory({ platform: 'win32', arch: 'x64', totalBytes: 16 * GIB, workingSetFraction: 0.5 }).budgetBytes, 8 * GIB);
  });

  it('falls back to this machine when nothing (or nonsense) is injected', () => {
    const here = machineMemory();
    assert.equal(here.totalBytes, os.totalmem());
    assert.ok(here.budgetBytes > 0 && here.budgetBytes < here.totalBytes);
    assert.equal(machineMemory({ totalBytes: -1 }).totalBytes, os.totalmem());
  });
});
