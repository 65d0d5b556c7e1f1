import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { reapStaleRunner, recordRunner } from '../../../src/core/runner/staleRunner';
import { captureLogger, groupMembers, isAlive, standinEnv, tempDir } from './runnerHarness';

describe('a runner left behind by a killed editor', function () {
  this.timeout(30_000);

  it('is stopped (with its process group) at the next start', async () => {
    const dir = await tempDir('stale-runner-');
    // A runner started the way the supervisor starts one, then abandoned: its own group, no parent watching.
    const orphan = spawn('python3', ['-m', 'mlx_lm', 'server', '--model', 'orphan', '--host', '127.0.0.1', '--port', '0'], {
      env: standinEnv({ HF_HUB_CACHE: dir }),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    orphan.stderr!.resume();
    await once(orphan, 'spawn');
    const record = path.join(dir, 'runner.json');
    await recordRunner(record, orphan.pid!);

    // Listen first: the exit may be seen while reapStaleRunner is still waiting for it.
    const exited = once(orphan, 'exit');
    const reaped = await reapStaleRunner(record, captureLogger());
    assert.equal(reaped, orphan.pid);
    await exited;
    assert.equal(isAlive(orphan.pid!), false);
    assert.deepEqual(groupMembers(orphan.pid!), []);
    assert.equal(existsSync(record), false, 'the record is cleared');
  });

  it('leaves alone a recorded pid that is no longer a runner (pids get reused)', async () => {
    const dir = await tempDir('stale-runner-');
    const record = path.join(dir, 'runner.json');
    await recordRunner(record, process.pid);
    assert.equal(await reapStaleRunner(record, captureLogger()), undefined);
    assert.equal(isAlive(process.pid), true);
    assert.equal(await reapStaleRunner(path.join(dir, 'none.json'), captureLogger()), undefined);
  });
});
