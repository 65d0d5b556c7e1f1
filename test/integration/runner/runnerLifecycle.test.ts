import assert from 'node:assert/strict';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';
import { type CapturedLog, captureLogger, cmdline, isAlive, makeCachedModel, recordStates, standinEnv, tempDir, waitForState } from './runnerHarness';

describe('RunnerSupervisor: model switch, idle unload, one runner at a time', function () {
  this.timeout(30_000);
  let cacheRoot: string;
  let llama: { repoId: string; snapshotPath: string };
  let r1: { repoId: string; snapshotPath: string };
  let log: CapturedLog;
  let supervisor: RunnerSupervisor | undefined;

  beforeEach(async () => {
    cacheRoot = await tempDir('mlx-runner-');
    llama = await makeCachedModel(cacheRoot, 'mlx-community/Llama-3.2-1B-Instruct-4bit');
    r1 = await makeCachedModel(cacheRoot, 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit');
    log = captureLogger();
  });
  afterEach(async () => {
    await supervisor?.dispose();
    supervisor = undefined;
  });

  function make(options: Partial<ConstructorParameters<typeof RunnerSupervisor>[0]> = {}): RunnerSupervisor {
    supervisor = new RunnerSupervisor({ python: 'python3', env: standinEnv(), cacheRoot, logger: log, backoffMs: 50, stopGraceMs: 2000, ...options });
    return supervisor;
  }

  it('ensureRunning keeps the runner for the same model, and restarts with the new --model on a switch', async () => {
    const runner = make();
    const first = await runner.ensureRunning(llama);
    assert.equal((await runner.ensureRunning(llama)).pid, first.pid);
    const second = await runner.ensureRunning(r1);
    assert.notEqual(second.pid, first.pid);
    assert.equal(isAlive(first.pid), false);
    const argv = cmdline(second.pid);
    assert.equal(argv[argv.indexOf('--model') + 1], r1.snapshotPath);
    assert.deepEqual(runner.state.kind === 'ready' && runner.state.model, r1);
  });

  it('concurrent ensureRunning calls share one runner', async () => {
    const runner = make();
    const states = recordStates(runner);
    const [a, b, c] = await Promise.all([runner.ensureRunning(llama), runner.ensureRunning(llama), runner.ensureRunning(llama)]);
    assert.equal(a.pid, b.pid);
    assert.equal(b.pid, c.pid);
    assert.equal(states.filter((s) => s.kind === 'starting').length, 1);
  });

  it('a switch while the first model is still starting leaves only the second running', async () => {
    const runner = make({ env: standinEnv({ MLX_STANDIN_START_DELAY_MS: '300' }) });
    const first = runner.ensureRunning(llama);
    // Switch once the first process exists (a switch before that never spawns it at all).
    await log.waitFor(/\[runner\] starting mlx-community\/Llama/);
    const second = runner.ensureRunning(r1);
    await assert.rejects(first, /stopped before it was ready/);
    const ready = await second;
    assert.deepEqual(ready.model, r1);
    const pids = log.lines.filter((l) => /\[runner\] starting/.test(l)).map((l) => Number(/pid (\d+)/.exec(l)![1]));
    assert.equal(pids.length, 2);
    assert.equal(isAlive(pids[0]!), false);
    assert.ok(isAlive(pids[1]!));
  });

  it('unloads after idleUnloadMs without activity, then starts again on ensureRunning', async () => {
    const runner = make({ idleUnloadMs: 400 });
    const first = await runner.ensureRunning(llama);
    await waitForState(runner, 'stopped', 5000);
    assert.equal(isAlive(first.pid), false);
    assert.ok(log.lines.some((l) => /idle for \d+ s: unloading/.test(l)));
    const again = await runner.ensureRunning(llama);
    assert.notEqual(again.pid, first.pid);
    assert.equal(runner.state.kind, 'ready');
  });

  it('touch() and beginActivity() keep the runner loaded', async () => {
    const runner = make({ idleUnloadMs: 300 });
    await runner.ensureRunning(llama);
    const activity = runner.beginActivity();
    const stopped = waitForState(runner, 'stopped', 900).then(
      () => 'stopped',
      () => 'still running',
    );
    assert.equal(await stopped, 'still running');
    activity.dispose();
    await waitForState(runner, 'stopped', 3000);
  });
});
