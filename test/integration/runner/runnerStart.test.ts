import assert from 'node:assert/strict';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';
import {
  type CapturedLog,
  captureLogger,
  cmdline,
  environ,
  eventually,
  groupMembers,
  isAlive,
  listeningAddresses,
  makeCachedModel,
  readSse,
  recordStates,
  standinEnv,
  tempDir,
} from './runnerHarness';

describe('RunnerSupervisor: start, health, stop (real mlx_lm stand-in processes)', function () {
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

  function make(extraEnv: Record<string, string> = {}, options: Partial<ConstructorParameters<typeof RunnerSupervisor>[0]> = {}): RunnerSupervisor {
    supervisor = new RunnerSupervisor({ python: 'python3', env: standinEnv(extraEnv), cacheRoot, logger: log, backoffMs: 50, stopGraceMs: 2000, ...options });
    return supervisor;
  }

  it('starts, waits for /health and reports ready with the pid, through starting → ready', async () => {
    const runner = make();
    const states = recordStates(runner);
    const ready = await runner.start(model);
    assert.equal(runner.state.kind, 'ready');
    assert.deepEqual(states.map((s) => s.kind), ['starting', 'ready']);
    assert.ok(isAlive(ready.pid));
    assert.equal(runner.baseUrl, ready.baseUrl);
    assert.match(ready.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${ready.baseUrl}/health`);
    assert.deepEqual(await health.json(), { status: 'ok' });
  });

  it('runs `python -m mlx_lm server` with the snapshot, loopback host, single-user flags, offline and the cache env', async () => {
    const runner = make({}, { extraArgs: ['--max-tokens', '64', '--host', '0.0.0.0'] });
    const ready = await runner.start(model);
    const argv = cmdline(ready.pid);
    const port = new URL(ready.baseUrl).port;
    assert.deepEqual(argv.slice(1, 10), ['-m', 'mlx_lm', 'server', '--model', model.snapshotPath, '--host', '127.0.0.1', '--port', port]);
    assert.deepEqual(argv.slice(10), ['--decode-concurrency', '1', '--prompt-concurrency', '1', '--prompt-cache-size', '2', '--max-tokens', '64']);
    const env = environ(ready.pid);
    assert.equal(env.HF_HUB_OFFLINE, '1');
    assert.equal(env.HF_HUB_CACHE, cacheRoot);
    assert.ok(log.lines.some((l) => /ignoring extra argument --host/.test(l)));
  });

  it('binds 127.0.0.1 only (no wildcard, no IPv6 listener)', async () => {
    const ready = await make().start(model);
    const addresses = listeningAddresses(Number(new URL(ready.baseUrl).port));
    assert.deepEqual(addresses, ['127.0.0.1']);
  });

  it('serves the stand-in SSE stream straight over HTTP, and lists the cached model', async () => {
    const log2 = await tempDir('mlx-reqlog-');
    const requestLog = `${log2}/requests.jsonl`;
    const ready = await make({ MLX_STANDIN_REQUEST_LOG: requestLog, MLX_STANDIN_KEEPALIVES: '2' }).start(model);
    const res = await fetch(`${ready.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }], stream: true, max_tokens: 6, stream_options: { include_usage: true } }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const { data, comments } = await readSse(res);
    assert.deepEqual(comments, [': keepalive 3/6', ': keepalive 6/6']);
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { object: string; choices: Array<{ delta?: { role?: string; content?: string }; finish_reason: string | null }>; usage?: { completion_tokens: number } });
    assert.equal(chunks[0]!.choices[0]!.delta!.role, 'assistant');
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'You said: hello there You said:');
    assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'length');
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage!.completion_tokens, 6);

    const models = (await (await fetch(`${ready.baseUrl}/v1/models`)).json()) as { data: Array<{ id: string }> };
    assert.ok(models.data.some((m) => m.id === model.repoId));
  });

  it('stop() ends the whole process group: the runner and a helper it forked are gone', async () => {
    const runner = make({ MLX_STANDIN_SPAWN_HELPER: '1' });
    const ready = await runner.start(model);
    const helperLine = await log.waitFor(/standin helper pid \d+/);
    const helperPid = Number(/helper pid (\d+)/.exec(helperLine)![1]);
    assert.ok(isAlive(helperPid));
    assert.deepEqual(groupMembers(ready.pid).sort(), [ready.pid, helperPid].sort());
    await runner.stop();
    assert.equal(runner.state.kind, 'stopped');
    assert.equal(isAlive(ready.pid), false);
    await eventually(() => groupMembers(ready.pid).length === 0 && !isAlive(helperPid), 5000, 'the runner group to be gone');
  });

  it('escalates to SIGKILL when the runner ignores SIGTERM', async () => {
    const runner = make({ MLX_STANDIN_IGNORE_SIGTERM: '1' }, { stopGraceMs: 300 });
    const ready = await runner.start(model);
    const started = Date.now();
    await runner.stop();
    assert.ok(Date.now() - started >= 250, 'waited for the grace period first');
    assert.equal(isAlive(ready.pid), false);
    await eventually(() => groupMembers(ready.pid).length === 0, 5000, 'the runner group to be gone');
  });

  it('dispose() stops the runner and its group, and refuses new starts', async () => {
    const runner = make({ MLX_STANDIN_SPAWN_HELPER: '1' });
    const ready = await runner.start(model);
    await log.waitFor(/standin helper pid \d+/);
    await runner.dispose();
    supervisor = undefined;
    assert.equal(isAlive(ready.pid), false);
    await eventually(() => groupMembers(ready.pid).length === 0, 5000, 'the runner group to be gone');
    await assert.rejects(runner.ensureRunning(model), /shut down/);
  });

  it('sends runner stderr to the log with a [runner] prefix', async () => {
    await make().start(model);
    assert.ok(log.lines.some((l) => /^info \[runner\] .*Starting httpd at 127\.0\.0\.1/.test(l)));
  });

  it('waits for a slow start within the health timeout', async () => {
    const runner = make({ MLX_STANDIN_START_DELAY_MS: '800' }, { healthTimeoutMs: 10_000 });
    const states = recordStates(runner);
    const ready = await runner.start(model);
    assert.ok(isAlive(ready.pid));
    assert.deepEqual(states.map((s) => s.kind), ['starting', 'ready']);
  });
});
