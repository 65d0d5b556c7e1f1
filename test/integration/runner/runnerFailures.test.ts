import assert from 'node:assert/strict';
import { RunnerFailedError, RunnerStartTimeoutError } from '../../../src/core/runner/runnerErrors';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';
import {
  type CapturedLog,
  captureLogger,
  eventually,
  groupMembers,
  isAlive,
  makeCachedModel,
  recordStates,
  standinEnv,
  tempDir,
  waitForState,
} from './runnerHarness';

describe('RunnerSupervisor: crashes, restarts and start failures', function () {
  this.timeout(30_000);
  let cacheRoot: string;
  let model: { repoId: string; snapshotPath: string };
  let log: CapturedLog;
  let supervisor: RunnerSupervisor | undefined;

  beforeEach(async () => {
    cacheRoot = await tempDir('mlx-runner-');
    model = await makeCachedModel(cacheRoot, 'mlx-community/Llama-3.2-1B-Instruct-4bit');
    log = captureLogger();
  });
  afterEach(async () => {
    await supervisor?.dispose();
    supervisor = undefined;
  });

  function make(extraEnv: Record<string, string>, options: Partial<ConstructorParameters<typeof RunnerSupervisor>[0]> = {}): RunnerSupervisor {
    supervisor = new RunnerSupervisor({ python: 'python3', env: standinEnv(extraEnv), cacheRoot, logger: log, backoffMs: 50, stopGraceMs: 2000, ...options });
    return supervisor;
  }

  it('restarts a runner that crashes mid-stream: restarting, then ready again with a new pid', async () => {
    const runner = make({ MLX_STANDIN_CRASH_AFTER_TOKENS: '3', MLX_STANDIN_TOKEN_DELAY_MS: '5' });
    const first = await runner.start(model);
    const restarting = waitForState(runner, 'restarting');
    const res = await fetch(`${first.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 50 }),
    });
    // The stream breaks off when the process dies: either the body errors or it ends without [DONE].
    const body = await res.text().catch(() => '');
    assert.ok(!body.includes('[DONE]'));
    const crashed = await restarting;
    assert.equal(crashed.attempt, 1);
    assert.equal(crashed.exitCode, 1);
    assert.ok(crashed.lastStderr.some((l) => /MLX_STANDIN_CRASH_AFTER_TOKENS=3/.test(l)));
    const again = await waitForState(runner, 'ready');
    assert.notEqual(again.pid, first.pid);
    assert.ok(isAlive(again.pid));
    assert.equal(isAlive(first.pid), false);
    // ensureRunning hands out the restarted runner.
    assert.equal((await runner.ensureRunning(model)).pid, again.pid);
  });

  it('gives up after maxRestarts crashes at start: failed, with Python\'s traceback', async () => {
    const runner = make({ MLX_STANDIN_CRASH_AT_START: '1' }, { maxRestarts: 2 });
    const states = recordStates(runner);
    const error = await runner.start(model).then(
      () => assert.fail('start should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RunnerFailedError, String(error));
    assert.match(error.userMessage, /Llama-3\.2-1B-Instruct-4bit could not run: it stopped unexpectedly 3 times/);
    assert.equal(runner.state.kind, 'failed');
    const failed = runner.state.kind === 'failed' ? runner.state : assert.fail();
    assert.ok(failed.lastStderrLines.some((l) => l.startsWith('Traceback (most recent call last):')), failed.lastStderrLines.join('\n'));
    assert.ok(failed.lastStderrLines.some((l) => /ValueError: Model type standin_crash not supported/.test(l)));
    assert.deepEqual(
      states.map((s) => s.kind),
      ['starting', 'restarting', 'starting', 'restarting', 'starting', 'failed'],
    );
    assert.deepEqual(
      states.filter((s) => s.kind === 'restarting').map((s) => (s.kind === 'restarting' ? s.delayMs : 0)),
      [50, 100],
    );
  });

  it('a start beyond the health timeout fails with RunnerStartTimeoutError and leaves no process', async () => {
    const runner = make({ MLX_STANDIN_START_DELAY_MS: '20000' }, { healthTimeoutMs: 700 });
    const starting = waitForState(runner, 'starting');
    const started = Date.now();
    const attempt = runner.start(model);
    await starting;
    await assert.rejects(attempt, RunnerStartTimeoutError);
    assert.ok(Date.now() - started < 5000);
    assert.equal(runner.state.kind, 'failed');
    const pid = Number(/pid (\d+)/.exec(log.lines.find((l) => /\[runner\] starting/.test(l))!)![1]);
    assert.equal(isAlive(pid), false);
    await eventually(() => groupMembers(pid).length === 0, 5000, 'the timed-out runner group to be gone');
  });

  it('a failed runner starts afresh on the next ensureRunning', async () => {
    const runner = make({ MLX_STANDIN_CRASH_AT_START: '1' }, { maxRestarts: 0 });
    await assert.rejects(runner.ensureRunning(model), RunnerFailedError);
    assert.equal(runner.state.kind, 'failed');
    const starting = waitForState(runner, 'starting');
    const again = runner.ensureRunning(model);
    await starting;
    await assert.rejects(again, RunnerFailedError);
  });

  it('stop() during a start rejects the waiting caller and ends stopped', async () => {
    const runner = make({ MLX_STANDIN_START_DELAY_MS: '20000' });
    const starting = waitForState(runner, 'starting');
    const attempt = runner.start(model);
    await starting;
    await runner.stop();
    await assert.rejects(attempt, /stopped before it was ready/);
    assert.equal(runner.state.kind, 'stopped');
  });

  it('a Python that does not exist fails without retrying', async () => {
    supervisor = new RunnerSupervisor({ python: '/nonexistent/python3', env: standinEnv(), cacheRoot, logger: log, backoffMs: 50 });
    await assert.rejects(supervisor.start(model), (e: unknown) => e instanceof RunnerFailedError && /could not be started/.test(e.userMessage));
  });
});
