import { checkMlxLm } from '../runner/checkMlxLm';
import { RunnerError } from '../runner/runnerErrors';
import { createVenv } from './createVenv';
import { isMlxPlatform } from './isMlxPlatform';
import { DEFAULT_PIP_ARGS, pipInstall } from './pipInstall';
import { RuntimeVerifyError, UnsupportedPlatformError } from './runtimeErrors';

/** What the setup is doing, for a progress message. */
export type RuntimeStage = 'venv' | 'pip' | 'check';

export interface SetUpRuntimeOptions {
  /** The managed venv's folder (`<globalStorage>/runtime`). */
  readonly dir: string;
  /** The interpreter that creates the venv: `findPython`'s answer, or `python3`. */
  readonly basePython: string;
  /** @default ['install', '--upgrade', 'mlx-lm'] */
  readonly pipArgs?: readonly string[];
  /** For venv, pip and the check (proxy variables, pip's own PIP_* settings). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Cancels whichever step runs; pip's whole process group is stopped. Rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Every output line of `python -m venv` and pip. */
  readonly onLine: (line: string) => void;
  readonly onStage?: (stage: RuntimeStage) => void;
  /** Set up even where MLX does not run (mlx has Linux builds). @default false */
  readonly force?: boolean;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** @default process.arch */
  readonly arch?: string;
}

export interface RuntimeSetup {
  /** The venv's interpreter, where `findPython` looks for the managed runtime. */
  readonly python: string;
  /** mlx_lm's version as the new runtime reports it. */
  readonly version: string;
  /** False when an existing venv was upgraded. */
  readonly created: boolean;
  /** Whether MLX can run models here (false after a forced setup elsewhere). */
  readonly supported: boolean;
}

/**
 * "MLX: Set Up Local Runtime": a venv of its own, `pip install --upgrade mlx-lm` in it, then
 * `python -m mlx_lm --version` with the new interpreter to prove it works.
 * Throws UnsupportedPlatformError (unless `force`), VenvCreationError, PipInstallError or RuntimeVerifyError.
 */
export async function setUpRuntime(options: SetUpRuntimeOptions): Promise<RuntimeSetup> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const supported = isMlxPlatform(platform, arch);
  if (!supported && !options.force) throw new UnsupportedPlatformError({ platform, arch });
  const { signal, onLine, env } = options;

  options.onStage?.('venv');
  const { python, created } = await createVenv({ dir: options.dir, basePython: options.basePython, env, signal, onLine, platform });

  options.onStage?.('pip');
  await pipInstall({ python, pipArgs: options.pipArgs ?? DEFAULT_PIP_ARGS, env, signal, onLine });

  options.onStage?.('check');
  try {
    const { version } = await checkMlxLm({ python, env, signal });
    return { python, version, created, supported };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new RuntimeVerifyError({ python, supported, detail: error instanceof RunnerError ? (error.detail ?? error.userMessage) : String(error), cause: error });
  }
}
