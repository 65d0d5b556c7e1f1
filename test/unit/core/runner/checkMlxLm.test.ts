import assert from 'node:assert/strict';
import { checkMlxLm } from '../../../../src/core/runner/checkMlxLm';
import { MlxLmCheckTimeoutError, MlxLmMissingError, MlxLmTooOldError } from '../../../../src/core/runner/runnerErrors';
import { fakeBinDir, fakeExecutable } from './fakePython';

describe('checkMlxLm with fake interpreters', () => {
  if (process.platform === 'win32') return;
  let dir: string;
  beforeEach(async () => {
    dir = await fakeBinDir();
  });

  it('passes `-m mlx_lm --version` and accepts a new enough version', async () => {
    const py = await fakeExecutable(dir, 'python3', '[ "$1 $2 $3" = "-m mlx_lm --version" ] || exit 9\necho "0.30.1"');
    assert.deepEqual(await checkMlxLm({ python: py }), { python: py, version: '0.30.1' });
  });

  it('honours a custom minimum', async () => {
    const py = await fakeExecutable(dir, 'python3', 'echo 0.30.0');
    await assert.rejects(checkMlxLm({ python: py, minimumVersion: '0.30.1' }), MlxLmTooOldError);
  });

  it('turns a failed import into MlxLmMissingError with Python\'s last line', async () => {
    const py = await fakeExecutable(dir, 'python3', 'echo "Traceback (most recent call last):" >&2\necho "ModuleNotFoundError: No module named \'mlx\'" >&2\nexit 1');
    await assert.rejects(checkMlxLm({ python: py }), (e: unknown) => e instanceof MlxLmMissingError && e.detail === "ModuleNotFoundError: No module named 'mlx'");
  });

  it('treats output without a version as missing', async () => {
    const py = await fakeExecutable(dir, 'python3', 'echo hello');
    await assert.rejects(checkMlxLm({ python: py }), MlxLmMissingError);
  });

  it('times out on a hanging interpreter', async () => {
    const py = await fakeExecutable(dir, 'python3', 'exec sleep 30');
    const started = Date.now();
    await assert.rejects(checkMlxLm({ python: py, timeoutMs: 300 }), MlxLmCheckTimeoutError);
    assert.ok(Date.now() - started < 5000);
  });
});
