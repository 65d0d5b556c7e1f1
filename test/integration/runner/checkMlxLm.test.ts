import assert from 'node:assert/strict';
import { checkMlxLm } from '../../../src/core/runner/checkMlxLm';
import { MlxLmMissingError, MlxLmTooOldError, PythonNotFoundError } from '../../../src/core/runner/runnerErrors';
import { standinEnv } from './runnerHarness';

describe('checkMlxLm with a real python3', function () {
  this.timeout(20_000);

  it('reads the version the stand-in prints', async () => {
    assert.deepEqual(await checkMlxLm({ python: 'python3', env: standinEnv() }), { python: 'python3', version: '0.31.0' });
  });

  it('rejects an mlx_lm older than 0.24.1 with MlxLmTooOldError', async () => {
    await assert.rejects(checkMlxLm({ python: 'python3', env: standinEnv({ MLX_STANDIN_VERSION: '0.24.0' }) }), (e: unknown) => {
      assert.ok(e instanceof MlxLmTooOldError);
      assert.equal(e.version, '0.24.0');
      assert.match(e.userMessage, /0\.24\.1 or newer/);
      return true;
    });
    assert.equal((await checkMlxLm({ python: 'python3', env: standinEnv({ MLX_STANDIN_VERSION: '0.24.1' }) })).version, '0.24.1');
  });

  it('reports MlxLmMissingError with the setup hint when mlx_lm does not import', async () => {
    const env = { ...standinEnv(), PYTHONPATH: '' };
    await assert.rejects(checkMlxLm({ python: 'python3', env }), (e: unknown) => {
      assert.ok(e instanceof MlxLmMissingError, String(e));
      assert.match(e.userMessage, /MLX: Set Up Local Runtime/);
      assert.match(e.userMessage, /pip install mlx-lm/);
      assert.match(e.userMessage, /Apple Silicon/);
      assert.match(e.detail ?? '', /No module named '?mlx_lm/);
      return true;
    });
  });

  it('reports PythonNotFoundError for an interpreter that does not exist', async () => {
    await assert.rejects(checkMlxLm({ python: '/nonexistent/bin/python3' }), PythonNotFoundError);
  });
});
