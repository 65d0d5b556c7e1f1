import assert from 'node:assert/strict';
import { MIN_MLX_LM_VERSION, compareVersions, parseMlxLmVersion } from '../../../../src/core/runner/mlxLmVersion';

describe('mlx_lm version parsing', () => {
  it('reads plain, two-part and pre-release versions', () => {
    assert.equal(parseMlxLmVersion('0.31.0\n'), '0.31.0');
    assert.equal(parseMlxLmVersion('0.28'), '0.28.0');
    assert.equal(parseMlxLmVersion('0.32.0.dev20250901'), '0.32.0');
    assert.equal(parseMlxLmVersion('0.26.3rc1'), '0.26.3');
    assert.equal(parseMlxLmVersion('v0.30.1'), '0.30.1');
  });

  it('takes the last version line after import warnings', () => {
    assert.equal(parseMlxLmVersion('/x/site-packages/foo.py:1: UserWarning: something 1.2.3 here\n  warn()\n0.30.1\n'), '0.30.1');
  });

  it('returns undefined when there is no version', () => {
    assert.equal(parseMlxLmVersion(''), undefined);
    assert.equal(parseMlxLmVersion('Traceback (most recent call last):\nValueError: CLI requires a subcommand'), undefined);
  });

  it('compares numerically, not as text', () => {
    assert.ok(compareVersions('0.24.0', MIN_MLX_LM_VERSION) < 0);
    assert.equal(compareVersions('0.24.1', MIN_MLX_LM_VERSION), 0);
    assert.ok(compareVersions('0.100.0', '0.24.1') > 0);
    assert.ok(compareVersions('1.0', '0.99.99') > 0);
    assert.equal(compareVersions('0.25', '0.25.0'), 0);
  });
});
