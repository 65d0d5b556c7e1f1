/**
 * Typed failures of the local runtime (Python, mlx_lm, the runner process). Each carries `userMessage`:
 * one sentence a user can act on; `detail` holds what Python printed, for the log.
 */
export class RunnerError extends Error {
  override name = 'RunnerError';
  readonly userMessage: string;
  /** Python's own words (last stderr lines, exit code), for the log; never shown as the headline. */
  readonly detail: string | undefined;

  constructor(init: { userMessage: string; detail?: string; cause?: unknown }) {
    super(init.detail ? `${init.userMessage} (${init.detail})` : init.userMessage, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.userMessage = init.userMessage;
    this.detail = init.detail;
  }
}

const SETUP_HINT = 'Run "MLX: Set Up Local Runtime", or `pip install mlx-lm` in the Python you use (MLX needs a Mac with Apple Silicon).';

/** No usable Python interpreter: neither the configured one, the managed venv, nor one on PATH. */
export class PythonNotFoundError extends RunnerError {
  override name = 'PythonNotFoundError';
  /** Every place looked at, in order. */
  readonly searched: readonly string[];

  constructor(init: { searched: readonly string[]; userMessage?: string; detail?: string; cause?: unknown }) {
    super({ userMessage: init.userMessage ?? `No Python 3 found. ${SETUP_HINT}`, detail: init.detail ?? `looked at: ${init.searched.join(', ') || 'nothing'}`, cause: init.cause });
    this.searched = init.searched;
  }
}

/** Python runs, but `import mlx_lm` fails (not installed, or its dependencies such as mlx are missing). */
export class MlxLmMissingError extends RunnerError {
  override name = 'MlxLmMissingError';
  readonly python: string;

  constructor(init: { python: string; detail?: string }) {
    super({ userMessage: `mlx-lm is not installed for ${init.python}. ${SETUP_HINT}`, detail: init.detail });
    this.python = init.python;
  }
}

/** mlx_lm is older than the runner needs (`/health` exists since 0.24.1). */
export class MlxLmTooOldError extends RunnerError {
  override name = 'MlxLmTooOldError';
  readonly version: string;
  readonly minimum: string;
  readonly python: string;

  constructor(init: { python: string; version: string; minimum: string }) {
    super({
      userMessage: `mlx-lm ${init.version} is too old (${init.minimum} or newer is needed). Run "MLX: Set Up Local Runtime", or \`pip install -U mlx-lm\` in ${init.python}.`,
    });
    this.version = init.version;
    this.minimum = init.minimum;
    this.python = init.python;
  }
}

/** `python -m mlx_lm --version` did not answer in time (a hung import, a slow network file system). */
export class MlxLmCheckTimeoutError extends RunnerError {
  override name = 'MlxLmCheckTimeoutError';

  constructor(init: { python: string; timeoutMs: number }) {
    super({ userMessage: `Checking mlx-lm with ${init.python} took longer than ${Math.round(init.timeoutMs / 1000)} s. Check the Python setting, then try again.` });
  }
}

/** The runner did not answer `/health` within the start timeout; the process was stopped. */
export class RunnerStartTimeoutError extends RunnerError {
  override name = 'RunnerStartTimeoutError';
  readonly timeoutMs: number;

  constructor(init: { model: string; timeoutMs: number; lastStderrLines: readonly string[] }) {
    super({
      userMessage: `The local model ${init.model} did not start within ${Math.round(init.timeoutMs / 1000)} s. A large model may need longer; see the logs.`,
      detail: lastLines(init.lastStderrLines),
    });
    this.timeoutMs = init.timeoutMs;
  }
}

/** The runner kept crashing (more than the allowed restarts within the window) and was given up on. */
export class RunnerFailedError extends RunnerError {
  override name = 'RunnerFailedError';
  readonly lastStderrLines: readonly string[];

  constructor(init: { model: string; reason: string; lastStderrLines: readonly string[] }) {
    super({ userMessage: `The local model ${init.model} could not run: ${init.reason}. See the logs for Python's message.`, detail: lastLines(init.lastStderrLines) });
    this.lastStderrLines = init.lastStderrLines;
  }
}

/** A start that was superseded (stop, idle unload, another model) before the runner became ready. */
export class RunnerStoppedError extends RunnerError {
  override name = 'RunnerStoppedError';

  constructor(model: string) {
    super({ userMessage: `The local model ${model} was stopped before it was ready.` });
  }
}

function lastLines(lines: readonly string[], count = 5): string | undefined {
  const tail = lines.slice(-count).join('\n').trim();
  return tail || undefined;
}
