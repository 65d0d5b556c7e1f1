import assert from 'node:assert/strict';
import { isMlxPlatform } from '../../../../src/core/runtime/isMlxPlatform';
import { PipInstallError, RuntimeVerifyError, UnsupportedPlatformError, VenvCreationError } from '../../../../src/core/runtime/runtimeErrors';
import { RunnerError } from '../../../../src/core/runner/runnerErrors';
import { venvPython } from '../../../../src/core/runtime/venvPython';

describe('runtime setup: platform and errors', () => {
  it('MLX runs on macOS arm64 only', () => {
    assert.equal(isMlxPlatform('darwin', 'arm64'), true);
    assert.equal(isMlxPlatform('darwin', 'x64'), false);
    assert.equal(isMlxPlatform('linux', 'arm64'), false);
    assert.equal(isMlxPlatform('win32', 'x64'), false);
  });

  it('the venv interpreter is bin/python, Scripts/python.exe on Windows', () => {
    assert.match(venvPython('/s/runtime', 'darwin'), /\/s\/runtime\/bin\/python$/);
    assert.match(venvPython('/s/runtime', 'win32'), /Scripts[\\/]python\.exe$/);
  });

  it('UnsupportedPlatformError points at Gemini and a remote endpoint, and is a RunnerError', () => {
    const error = new UnsupportedPlatformError({ platform: 'linux', arch: 'x64' });
    assert.ok(error instanceof RunnerError);
    assert.match(error.userMessage, /Gemini, or point mlx\.runner\.endpoint/);
    assert.equal(error.detail, 'this is linux/x64');
  });

  const pip = (lines: string[]) => new PipInstallError({ exitCode: 1, lastLines: lines, packages: 'mlx-lm' });

  it('names the likeliest cause of a pip failure', () => {
    assert.match(pip(["WARNING: Retrying ... 'NewConnectionError(... Temporary failure in name resolution')'", 'ERROR: No matching distribution found for mlx-lm']).userMessage, /no network, a proxy in the way, or no access to PyPI/);
    assert.match(pip(["ProxyError('Cannot connect to proxy.')"]).userMessage, /through the proxy/);
    assert.match(pip(['SSLError(SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED]"))']).userMessage, /PIP_CERT/);
    assert.match(pip(['OSError: [Errno 28] No space left on device']).userMessage, /disk is full/);
    assert.match(pip(['ERROR: something else']).userMessage, /exit code 1\)\. See the logs/);
  });

  it('keeps pip\'s last lines in the message and the error', () => {
    const error = pip(['line one', 'ERROR: No matching distribution found for mlx-lm']);
    assert.deepEqual(error.lastLines, ['line one', 'ERROR: No matching distribution found for mlx-lm']);
    assert.match(error.message, /line one\nERROR: No matching distribution found for mlx-lm\)$/);
  });

  it('venv and verify failures say what to do', () => {
    assert.match(new VenvCreationError({ basePython: 'python3', dir: '/x', lastLines: ['Error: Command ... Permission denied'] }).userMessage, /not writable/);
    assert.match(new RuntimeVerifyError({ python: '/x/bin/python', supported: false, detail: 'ImportError' }).userMessage, /Gemini/);
    assert.match(new RuntimeVerifyError({ python: '/x/bin/python', supported: true }).userMessage, /run the setup again/);
  });
});
