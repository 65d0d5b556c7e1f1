import { RunnerError } from '../runner/runnerErrors';

/** "Where can I run models instead?": the two answers that work on any machine. */
const ELSEWHERE = 'Here you can use Gemini, or point mlx.runner.endpoint at an mlx_lm server on a Mac.';

/**
 * Failures of "MLX: Set Up Local Runtime". They extend RunnerError (the local runtime's error family),
 * so `userMessage` is the one sentence to show and `detail` holds what Python or pip printed.
 */
export class RuntimeSetupError extends RunnerError {
  override name = 'RuntimeSetupError';
}

/** Not a Mac with Apple Silicon. mlx has Linux builds too, so callers may force the setup anyway. */
export class UnsupportedPlatformError extends RuntimeSetupError {
  override name = 'UnsupportedPlatformError';
  readonly platform: NodeJS.Platform;
  readonly arch: string;

  constructor(init: { platform: NodeJS.Platform; arch: string }) {
    super({ userMessage: `MLX runs on Apple Silicon Macs. ${ELSEWHERE}`, detail: `this is ${init.platform}/${init.arch}` });
    this.platform = init.platform;
    this.arch = init.arch;
  }
}

/** `python -m venv` failed (no venv/ensurepip module, an unwritable folder, a broken interpreter). */
export class VenvCreationError extends RuntimeSetupError {
  override name = 'VenvCreationError';
  readonly basePython: string;
  readonly dir: string;

  constructor(init: { basePython: string; dir: string; lastLines: readonly string[]; cause?: unknown }) {
    super({ userMessage: venvAdvice(init.basePython, init.lastLines), detail: init.lastLines.join('\n').trim() || undefined, cause: init.cause });
    this.basePython = init.basePython;
    this.dir = init.dir;
  }
}

/** `pip install` exited with an error; `lastLines` is the tail of its output (its verdict is at the end). */
export class PipInstallError extends RuntimeSetupError {
  override name = 'PipInstallError';
  readonly exitCode: number | null;
  readonly lastLines: readonly string[];

  constructor(init: { exitCode: number | null; lastLines: readonly string[]; packages: string }) {
    super({ userMessage: pipAdvice(init.exitCode, init.lastLines, init.packages), detail: init.lastLines.join('\n').trim() || undefined });
    this.exitCode = init.exitCode;
    this.lastLines = init.lastLines;
  }
}

function venvAdvice(basePython: string, lines: readonly string[]): string {
  const text = lines.join('\n');
  // Debian and Ubuntu ship venv (and ensurepip) as a separate package.
  if (/ensurepip is not available|No module named (venv|ensurepip)/.test(text)) {
    return `${basePython} cannot create virtual environments (venv/ensurepip is missing). Install it (e.g. \`apt install python3-venv\`), or set mlx.runner.pythonPath to a full Python 3.`;
  }
  if (/Permission denied|Read-only file system/.test(text)) {
    return `The runtime folder is not writable, so no virtual environment could be created there. Check its permissions; see the logs for the path.`;
  }
  return `${basePython} could not create the runtime's virtual environment. See the logs for Python's message; a different Python (mlx.runner.pythonPath) may work.`;
}

const NETWORK = /NewConnectionError|Name or service not known|nodename nor servname|Temporary failure in name resolution|Network is unreachable|Connection refused|ConnectTimeout|Read timed out|Max retries exceeded|Could not fetch URL/;

/** The likeliest cause first: pip's own verdict is often just "No matching distribution found". */
function pipAdvice(exitCode: number | null, lines: readonly string[], packages: string): string {
  const text = lines.join('\n');
  if (/ProxyError|407 Proxy Authentication/.test(text)) {
    return `pip could not get through the proxy to install ${packages}. Check http.proxy (or HTTPS_PROXY) and the proxy's credentials, then try again.`;
  }
  if (/SSLError|CERTIFICATE_VERIFY_FAILED/.test(text)) {
    return `pip could not verify PyPI's certificate while installing ${packages} (often a TLS-inspecting proxy). Point pip at your CA bundle (PIP_CERT or pip.conf \`cert\`), then try again.`;
  }
  if (/No space left on device/.test(text)) {
    return `The disk is full: pip could not install ${packages}. Free some space, then try again.`;
  }
  if (NETWORK.test(text) || /No matching distribution found|from versions: none/.test(text)) {
    return (
      `pip could not download ${packages}: no network, a proxy in the way, or no access to PyPI. ` +
      'Check the connection, set http.proxy (or HTTPS_PROXY) behind a proxy, or point pip at an index you can reach (PIP_INDEX_URL or pip.conf), then try again.'
    );
  }
  return `pip could not install ${packages} (exit code ${exitCode ?? 'none'}). See the logs for pip's output.`;
}

/** pip succeeded but the new runtime's `python -m mlx_lm --version` did not (e.g. mlx without a backend for this machine). */
export class RuntimeVerifyError extends RuntimeSetupError {
  override name = 'RuntimeVerifyError';
  readonly python: string;

  constructor(init: { python: string; supported: boolean; detail?: string; cause?: unknown }) {
    const where = init.supported ? 'See the logs for Python\'s message, then run the setup again.' : `MLX may not work on this machine. ${ELSEWHERE}`;
    super({ userMessage: `mlx-lm was installed, but it does not start in the new runtime. ${where}`, detail: init.detail, cause: init.cause });
    this.python = init.python;
  }
}
