import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkMlxLm } from '../../../src/core/runner/checkMlxLm';
import { pipInstall } from '../../../src/core/runtime/pipInstall';
import { PipInstallError, UnsupportedPlatformError } from '../../../src/core/runtime/runtimeErrors';
import { type RuntimeStage, setUpRuntime } from '../../../src/core/runtime/setUpRuntime';
import { isAlive, isolatedEnv, liveMembers, processGroupOf, standinVersion, tempDir, waitFor, writeStandinPackage } from './runtimeHarness';

describe('setUpRuntime (real venv and pip, offline)', function () {
  if (process.platform === 'win32') return;
  this.timeout(120_000);
  let root: string;
  let dir: string;
  let offlineDir: string;
  const env = isolatedEnv();
  before(() => {
    root = tempDir('setup');
    dir = path.join(root, 'runtime');
    offlineDir = path.join(root, 'offline');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses where MLX does not run, before touching the disk', async () => {
    for (const [platform, arch] of [['linux', 'x64'], ['darwin', 'x64'], ['win32', 'arm64']] as const) {
      await assert.rejects(setUpRuntime({ dir, basePython: 'python3', onLine: () => {}, platform, arch }), (e: unknown) => {
        assert.ok(e instanceof UnsupportedPlatformError);
        assert.equal(e.userMessage, 'MLX runs on Apple Silicon Macs. Here you can use Gemini, or point mlx.runner.endpoint at an mlx_lm server on a Mac.');
        return true;
      });
    }
    assert.equal(existsSync(dir), false);
  });

  it('installs a local mlx_lm (the stand-in) offline; checkMlxLm reports its version', async () => {
    const pkg = writeStandinPackage(root);
    const lines: string[] = [];
    const stages: RuntimeStage[] = [];
    const result = await setUpRuntime({
      dir,
      basePython: 'python3',
      pipArgs: ['install', '--no-index', '--no-build-isolation', pkg],
      env,
      onLine: (l) => lines.push(l),
      onStage: (s) => stages.push(s),
      force: true,
    });
    assert.deepEqual(stages, ['venv', 'pip', 'check']);
    assert.equal(result.python, path.join(dir, 'bin', 'python'));
    assert.equal(result.version, standinVersion());
    assert.equal(result.created, true);
    assert.equal(result.supported, false); // this machine is not an Apple Silicon Mac
    assert.ok(lines.some((l) => /Successfully installed mlx-lm-/.test(l)), lines.join('\n'));
    // Without PYTHONPATH: the module lives in the venv now.
    assert.deepEqual(await checkMlxLm({ python: result.python, env }), { python: result.python, version: standinVersion() });
  });

  it('with an injected Apple Silicon platform, a second run upgrades the existing venv', async () => {
    const pkg = writeStandinPackage(path.join(root, 'second'));
    const result = await setUpRuntime({ dir, basePython: 'python3', pipArgs: ['install', '--upgrade', '--no-index', '--no-build-isolation', pkg], env, onLine: () => {}, platform: 'darwin', arch: 'arm64' });
    assert.equal(result.created, false);
    assert.equal(result.supported, true);
  });

  it('the real default (pip install mlx-lm) fails offline with pip\'s last lines and advice', async () => {
    const started = Date.now();
    const lines: string[] = [];
    await assert.rejects(
      // A venv of its own: where mlx-lm is installed already, an offline upgrade keeps it and succeeds.
      setUpRuntime({ dir: offlineDir, basePython: 'python3', pipArgs: ['install', '--upgrade', '--retries', '0', '--timeout', '2', 'mlx-lm'], env, onLine: (l) => lines.push(l), force: true }),
      (e: unknown) => {
        assert.ok(e instanceof PipInstallError, String(e));
        assert.match(e.userMessage, /pip could not download mlx-lm: no network, a proxy in the way, or no access to PyPI/);
        assert.match(e.userMessage, /HTTPS_PROXY/);
        assert.match(e.message, /No matching distribution found for mlx-lm/);
        assert.equal(e.exitCode, 1);
        assert.ok(e.lastLines.length > 0 && e.lastLines.length <= 20);
        assert.deepEqual(e.lastLines, lines.slice(-e.lastLines.length));
        return true;
      },
    );
    assert.ok(Date.now() - started < 30_000);
  });

  it('the defaults alone (no pipArgs, no PIP_RETRIES) give up offline within seconds', async () => {
    const started = Date.now();
    await assert.rejects(pipInstall({ python: path.join(offlineDir, 'bin', 'python'), env, onLine: () => {} }), PipInstallError);
    // pip's own defaults (5 retries, 15 s timeout) take ~8 s on a failed lookup and minutes on a silent network.
    assert.ok(Date.now() - started < 6_000, `took ${Date.now() - started} ms`);
  });

  it('cancel stops pip and the build backend it started (no orphan)', async () => {
    const scratch = tempDir('cancel');
    const pidFile = path.join(scratch, 'backend.pid');
    const pkg = writeStandinPackage(scratch, { pausePidFile: pidFile });
    const controller = new AbortController();
    const running = setUpRuntime({ dir, basePython: 'python3', pipArgs: ['install', '--no-index', '--no-build-isolation', pkg], env, onLine: () => {}, signal: controller.signal, force: true });
    const rejected = assert.rejects(running, (e: unknown) => (e as Error).name === 'AbortError');
    const backendPid = await waitFor(() => (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() ? Number(readFileSync(pidFile, 'utf8')) : undefined), 60_000, 'the build backend');
    const pipGroup = processGroupOf(backendPid);
    assert.notEqual(pipGroup, processGroupOf(process.pid), 'pip leads its own process group');
    assert.ok(isAlive(pipGroup), 'pip itself is running');
    const cancelled = Date.now();
    controller.abort();
    await rejected;
    assert.ok(Date.now() - cancelled < 5_000);
    await waitFor(() => (liveMembers(pipGroup).length === 0 ? true : undefined), 3_000, 'the process group to be gone');
    assert.equal(isAlive(backendPid), false);
    rmSync(scratch, { recursive: true, force: true });
  });
});
