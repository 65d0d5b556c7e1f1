import { execFile } from 'node:child_process';
import { MIN_MLX_LM_VERSION, compareVersions, parseMlxLmVersion } from './mlxLmVersion';
import { MlxLmCheckTimeoutError, MlxLmMissingError, MlxLmTooOldError, PythonNotFoundError } from './runnerErrors';

export interface CheckMlxLmOptions {
  /** The interpreter from `findPython`. */
  readonly python: string;
  /** Environment for the check (PYTHONPATH, a venv's variables). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A cold `import mlx_lm` can take seconds (it imports mlx and transformers). @default 30000 */
  readonly timeoutMs?: number;
  /** @default MIN_MLX_LM_VERSION (0.24.1) */
  readonly minimumVersion?: string;
  readonly signal?: AbortSignal;
}

export interface MlxLmInfo {
  readonly python: string;
  readonly version: string;
}

/**
 * Runs `<python> -m mlx_lm --version` and checks the answer: PythonNotFoundError when the interpreter
 * cannot start, MlxLmMissingError when the module (or mlx under it) does not import, MlxLmTooOldError
 * when it predates the minimum.
 */
export async function checkMlxLm(options: CheckMlxLmOptions): Promise<MlxLmInfo> {
  const { python } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const minimum = options.minimumVersion ?? MIN_MLX_LM_VERSION;
  const { stdout, stderr, error } = await run(python, ['-m', 'mlx_lm', '--version'], options.env ?? process.env, timeoutMs, options.signal);

  if (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      throw new PythonNotFoundError({ searched: [python], userMessage: `Python "${python}" could not be started (${code}). Check the Python setting.`, cause: error });
    }
    if (options.signal?.aborted) throw options.signal.reason;
    if ((error as { killed?: boolean }).killed) throw new MlxLmCheckTimeoutError({ python, timeoutMs });
    throw new MlxLmMissingError({ python, detail: lastLine(stderr) ?? error.message });
  }
  const version = parseMlxLmVersion(stdout);
  if (!version) throw new MlxLmMissingError({ python, detail: `unexpected --version output: ${JSON.stringify(stdout.trim().slice(0, 200))}` });
  if (compareVersions(version, minimum) < 0) throw new MlxLmTooOldError({ python, version, minimum });
  return { python, version };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeout: number, signal: AbortSignal | undefined): Promise<{ stdout: string; stderr: string; error: Error | null }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout, signal, killSignal: 'SIGKILL', windowsHide: true, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ stdout: String(stdout), stderr: String(stderr), error });
    });
  });
}

/** Python's verdict is the last line of a traceback (`ModuleNotFoundError: No module named 'mlx_lm'`). */
function lastLine(text: string): string | undefined {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop();
}
