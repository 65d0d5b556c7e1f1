import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';
import { signalProcessGroup } from '../../../src/core/runner/signalProcessGroup';
import { captureLogger, eventually, groupGone, groupMembers, isAlive, makeCachedModel, standinEnv, tempDir, waitForState, watchdogsOf } from './runnerHarness';

describe('a runner whose editor dies without stopping it (parent-death watchdog)', function () {
  this.timeout(30_000);
  let cacheRoot: string;
  let model: { repoId: string; snapshotPath: string };
  let host: ChildProcess | undefined;
  let supervisor: RunnerSupervisor | undefined;
  const runnerPids: number[] = [];

  beforeEach(async () => {
    cacheRoot = await tempDir('mlx-watchdog-');
    model = await makeCachedModel(cacheRoot, 'mlx-community/Llama-3.2-1B-Instruct-4bit');
  });
  afterEach(async () => {
    host?.kill('SIGKILL');
    host = undefined;
    await supervisor?.dispose();
    supervisor = undefined;
    // A failed assertion must not leave a runner behind for the next test.
    for (const pid of runnerPids.splice(0)) if (groupMembers(pid).length > 0) signalProcessGroup(pid, 'SIGKILL');
  });

  /** Starts a stand-in "extension host" (runnerHostChild) and resolves with the pid of the runner it started. */
  async function startHost(extraEnv: Record<string, string>, stopGraceMs: number): Promise<number> {
    const child = spawn(process.execPath, [path.join(__dirname, 'runnerHostChild.js'), cacheRoot, model.repoId, model.snapshotPath, String(stopGraceMs)], {
      env: standinEnv(extraEnv),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    host = child;
    for await (const line of createInterface({ input: child.stdout! })) {
      const ready = /^ready (\d+)$/.exec(line);
      if (!ready) throw new Error(`the host could not start its runner: ${line}`);
      runnerPids.push(Number(ready[1]));
      return Number(ready[1]);
    }
    throw new Error('the host exited before its runner was ready');
  }

  async function killHost(): Promise<void> {
    const exited = once(host!, 'exit');
    host!.kill('SIGKILL');
    await exited;
  }

  it('stops the runner and what it forked once the process that started it is SIGKILLed', async () => {
    const pid = await startHost({ MLX_STANDIN_SPAWN_HELPER: '1' }, 2000);
    // The helper joins the group as the stand-in starts; wait for it so the group really has two members.
    await eventually(() => groupMembers(pid).length === 2, 5000, 'the stand-in helper to join the runner group');
    const [watchdog, ...more] = watchdogsOf(pid);
    assert.ok(watchdog !== undefined && more.length === 0, 'exactly one watchdog guards the runner group');

    await killHost();
    await eventually(() => groupGone(pid), 10_000, 'the orphaned runner group to be gone');
    await eventually(() => !isAlive(watchdog), 10_000, 'the watchdog to exit after its work');
  });

  it('escalates to SIGKILL after the grace when the orphaned runner ignores SIGTERM', async () => {
    const graceMs = 600;
    const pid = await startHost({ MLX_STANDIN_IGNORE_SIGTERM: '1' }, graceMs);
    assert.equal(watchdogsOf(pid).length, 1);

    const killedAt = Date.now();
    await killHost();
    await eventually(() => groupGone(pid), 10_000, 'the runner ignoring SIGTERM to be killed');
    const took = Date.now() - killedAt;
    assert.ok(took >= graceMs, `SIGKILL came after the grace, not before (${took} ms)`);
  });

  it('a normal stop ends the watchdog too', async () => {
    supervisor = new RunnerSupervisor({ python: 'python3', env: standinEnv(), cacheRoot, logger: captureLogger(), stopGraceMs: 2000 });
    const ready = await supervisor.start(model);
    runnerPids.push(ready.pid);
    const [watchdog] = watchdogsOf(ready.pid);
    assert.ok(watchdog !== undefined && isAlive(watchdog), 'a watchdog runs while the runner does');

    await supervisor.stop();
    assert.equal(isAlive(ready.pid), false);
    await eventually(() => !isAlive(watchdog), 5000, 'the watchdog of a stopped runner to be gone');
    assert.deepEqual(watchdogsOf(ready.pid), []);
  });

  it('a runner that exits by itself ends its watchdog; the restarted runner gets its own', async () => {
    const log = captureLogger();
    supervisor = new RunnerSupervisor({
      python: 'python3',
      env: standinEnv({ MLX_STANDIN_CRASH_AFTER_TOKENS: '1' }),
      cacheRoot,
      logger: log,
      backoffMs: 50,
      stopGraceMs: 2000,
    });
    const first = await supervisor.start(model);
    runnerPids.push(first.pid);
    const [firstWatchdog] = watchdogsOf(first.pid);
    assert.ok(firstWatchdog !== undefined);

    const restarting = waitForState(supervisor, 'restarting');
    const res = await fetch(`${first.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 20 }),
    });
    await res.text().catch(() => '');
    await restarting;
    await eventually(() => !isAlive(firstWatchdog), 5000, 'the crashed runner\'s watchdog to be gone');

    const again = await waitForState(supervisor, 'ready');
    runnerPids.push(again.pid);
    assert.notEqual(again.pid, first.pid);
    assert.equal(watchdogsOf(again.pid).length, 1);
  });
});
