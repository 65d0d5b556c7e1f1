import { runLogged } from './runLogged';
import { PipInstallError } from './runtimeErrors';

/** What "MLX: Set Up Local Runtime" installs. */
export const DEFAULT_PIP_ARGS: readonly string[] = ['install', '--upgrade', 'mlx-lm'];

export interface PipInstallOptions {
  /** The venv's interpreter; pip runs as `<python> -m pip`. */
  readonly python: string;
  /** @default DEFAULT_PIP_ARGS */
  readonly pipArgs?: readonly string[];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onLine: (line: string) => void;
  /** Lines of pip's output kept for the error. @default 20 */
  readonly tailLines?: number;
}

/** Runs pip in the venv; a failure is a PipInstallError with pip's last lines and advice. */
export async function pipInstall(options: PipInstallOptions): Promise<void> {
  const pipArgs = options.pipArgs ?? DEFAULT_PIP_ARGS;
  const result = await runLogged({
    command: options.python,
    args: ['-m', 'pip', ...pipArgs],
    env: pipEnv(options.env ?? process.env),
    signal: options.signal,
    onLine: options.onLine,
    tailLines: options.tailLines ?? 20,
  });
  if (result.spawnError) throw new PipInstallError({ exitCode: null, lastLines: [`${options.python}: ${result.spawnError.message}`], packages: packagesOf(pipArgs) });
  if (result.code !== 0) throw new PipInstallError({ exitCode: result.code, lastLines: result.lastLines, packages: packagesOf(pipArgs) });
}

/**
 * pip's output goes to a log, nobody can answer a prompt, and an offline machine should fail in
 * seconds rather than after pip's default 5 retries of 15 s each. A caller's own PIP_* values win
 * for retries and timeout (proxies, slow mirrors), as pip's config files do for everything else.
 */
function pipEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    PYTHONUNBUFFERED: '1',
    PIP_PROGRESS_BAR: 'off',
    PIP_NO_INPUT: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_RETRIES: base.PIP_RETRIES ?? '2',
    ...(base.PIP_TIMEOUT || base.PIP_DEFAULT_TIMEOUT ? {} : { PIP_TIMEOUT: '30' }),
  };
}

/** For messages: the last argument when it names a package (the default's `mlx-lm`). */
function packagesOf(pipArgs: readonly string[]): string {
  const last = pipArgs.at(-1);
  return last && !last.startsWith('-') && last !== 'install' ? last : 'the packages';
}
