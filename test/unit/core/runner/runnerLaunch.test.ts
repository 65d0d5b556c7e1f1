import assert from 'node:assert/strict';
import { silentLogger } from '../../../../src/core/logging/logger';
import { LineRing } from '../../../../src/core/runner/lineRing';
import { runnerArgs, runnerEnv } from '../../../../src/core/runner/runnerLaunch';

describe('runner launch arguments and environment', () => {
  it('builds the mlx_lm server command with single-user defaults before extra args', () => {
    assert.deepEqual(runnerArgs({ snapshotPath: '/c/snap', port: 4321, extraArgs: ['--max-tokens', '2048', '--prompt-cache-size', '4'] }), [
      '-m', 'mlx_lm', 'server', '--model', '/c/snap', '--host', '127.0.0.1', '--port', '4321',
      '--decode-concurrency', '1', '--prompt-concurrency', '1', '--prompt-cache-size', '2',
      '--max-tokens', '2048', '--prompt-cache-size', '4',
    ]);
  });

  it('drops extra args that would change the model, host or port', () => {
    const args = runnerArgs({ snapshotPath: '/s', port: 1, extraArgs: ['--host', '0.0.0.0', '--port=80', '--model', 'other', '--trust-remote-code'], logger: silentLogger });
    assert.deepEqual(args.slice(9 + 6), ['--trust-remote-code']);
    assert.equal(args.filter((a) => a.startsWith('--host')).length, 1);
  });

  it('adds the cache, offline mode and unbuffered output to the base environment', () => {
    const env = runnerEnv({ PATH: '/bin', PYTHONPATH: '/p', HF_HUB_OFFLINE: '0' }, '/cache/hub');
    assert.deepEqual(env, { PATH: '/bin', PYTHONPATH: '/p', HF_HUB_OFFLINE: '1', HF_HUB_CACHE: '/cache/hub', PYTHONUNBUFFERED: '1' });
  });

  it('keeps the last lines only', () => {
    const ring = new LineRing(3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) ring.push(line);
    assert.deepEqual(ring.snapshot(), ['c', 'd', 'e']);
  });
});
