import assert from 'node:assert/strict';
import path from 'node:path';
import { findPython } from '../../../../src/core/runner/findPython';
import { PythonNotFoundError } from '../../../../src/core/runner/runnerErrors';
import { fakeBinDir, fakeExecutable } from './fakePython';

describe('findPython', () => {
  if (process.platform === 'win32') return;
  let dir: string;
  beforeEach(async () => {
    dir = await fakeBinDir();
  });

  it('prefers the explicit setting over the managed venv and PATH', async () => {
    const explicit = await fakeExecutable(dir, 'custom/python3.12');
    const venv = await fakeExecutable(dir, 'venv/bin/python');
    await fakeExecutable(dir, 'bin/python3');
    const found = await findPython({ explicitPath: explicit, managedVenvPython: venv, env: { PATH: path.join(dir, 'bin') } });
    assert.deepEqual(found, { executable: explicit, source: 'setting' });
  });

  it('resolves an explicit command name on PATH', async () => {
    const py = await fakeExecutable(dir, 'bin/python3.11');
    assert.deepEqual(await findPython({ explicitPath: 'python3.11', env: { PATH: path.join(dir, 'bin') } }), { executable: py, source: 'setting' });
  });

  it('fails on a broken explicit setting instead of silently using another Python', async () => {
    await fakeExecutable(dir, 'bin/python3');
    await assert.rejects(findPython({ explicitPath: path.join(dir, 'missing/python'), env: { PATH: path.join(dir, 'bin') } }), (e: unknown) => {
      assert.ok(e instanceof PythonNotFoundError);
      assert.match(e.userMessage, /configured Python/);
      return true;
    });
  });

  it('uses the managed venv when there is no setting, and skips it while it does not exist', async () => {
    const venv = await fakeExecutable(dir, 'venv/bin/python');
    const onPath = await fakeExecutable(dir, 'bin/python3');
    const env = { PATH: path.join(dir, 'bin') };
    assert.deepEqual(await findPython({ managedVenvPython: venv, env }), { executable: venv, source: 'managed-venv' });
    assert.deepEqual(await findPython({ managedVenvPython: path.join(dir, 'novenv/bin/python'), env }), { executable: onPath, source: 'path' });
  });

  it('on PATH, python3 in any folder beats python; non-executable files are skipped', async () => {
    await fakeExecutable(dir, 'a/python');
    await fakeExecutable(dir, 'a/python3', 'exit 0', 0o644);
    const py3 = await fakeExecutable(dir, 'b/python3');
    const env = { PATH: [path.join(dir, 'a'), path.join(dir, 'b')].join(':') };
    assert.deepEqual(await findPython({ env }), { executable: py3, source: 'path' });
  });

  it('falls back to python when there is no python3', async () => {
    const py = await fakeExecutable(dir, 'a/python');
    assert.deepEqual(await findPython({ env: { PATH: path.join(dir, 'a') } }), { executable: py, source: 'path' });
  });

  it('throws PythonNotFoundError listing where it looked', async () => {
    await assert.rejects(findPython({ managedVenvPython: '/nope/bin/python', env: { PATH: path.join(dir, 'empty') } }), (e: unknown) => {
      assert.ok(e instanceof PythonNotFoundError);
      assert.deepEqual(e.searched, ['/nope/bin/python', 'python3 on PATH', 'python on PATH']);
      assert.match(e.userMessage, /No Python 3 found/);
      return true;
    });
  });
});
