import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createVenv } from '../../../src/core/runtime/createVenv';
import { VenvCreationError } from '../../../src/core/runtime/runtimeErrors';
import { isolatedEnv, tempDir } from './runtimeHarness';

describe('createVenv (real python3 -m venv, offline)', function () {
  if (process.platform === 'win32') return;
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = tempDir('venv');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates a venv with pip from ensurepip, then keeps it on the next run', async () => {
    const dir = path.join(root, 'nested', 'runtime');
    const lines: string[] = [];
    const first = await createVenv({ dir, basePython: 'python3', env: isolatedEnv(), onLine: (l) => lines.push(l) });
    assert.equal(first.created, true);
    assert.equal(first.python, path.join(dir, 'bin', 'python'));
    const pip = execFileSync(first.python, ['-m', 'pip', '--version'], { encoding: 'utf8', env: isolatedEnv() });
    assert.match(pip, new RegExp(`^pip \\S+ from ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const second = await createVenv({ dir, basePython: 'python3', env: isolatedEnv(), onLine: () => {} });
    assert.deepEqual(second, { python: first.python, created: false });
  });

  it('recreates a venv whose interpreter is gone', async () => {
    const dir = path.join(root, 'broken');
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    writeFileSync(path.join(dir, 'pyvenv.cfg'), 'home = /nonexistent\n');
    const { created, python } = await createVenv({ dir, basePython: 'python3', env: isolatedEnv(), onLine: () => {} });
    assert.equal(created, true);
    assert.ok(existsSync(python));
  });

  it('an interpreter that does not exist is a VenvCreationError', async () => {
    const missing = path.join(root, 'no-such-python');
    await assert.rejects(createVenv({ dir: path.join(root, 'x'), basePython: missing, onLine: () => {} }), (e: unknown) => {
      assert.ok(e instanceof VenvCreationError);
      assert.match(e.detail ?? '', /ENOENT/);
      return true;
    });
  });

  it('a Python without ensurepip gets the python3-venv advice and its output', async () => {
    // What Debian's python3 prints when python3-venv is not installed.
    const fake = path.join(root, 'debian-python3');
    writeFileSync(fake, '#!/bin/sh\necho "The virtual environment was not created successfully because ensurepip is not available." >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    await assert.rejects(createVenv({ dir: path.join(root, 'y'), basePython: fake, onLine: () => {} }), (e: unknown) => {
      assert.ok(e instanceof VenvCreationError);
      assert.match(e.userMessage, /apt install python3-venv/);
      assert.match(e.message, /ensurepip is not available/);
      return true;
    });
  });
});
