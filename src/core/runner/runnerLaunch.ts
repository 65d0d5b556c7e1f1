import { type Logger } from '../logging/logger';

/** The runner only ever listens on loopback: it has no authentication. */
export const RUNNER_HOST = '127.0.0.1';

/**
 * mlx_lm's defaults serve many clients (32 decodes, 8 prompts, 10 cached prompts); one editor user
 * needs one of each and a small prompt cache, which keeps memory close to the model's own size.
 */
export const SINGLE_USER_ARGS: readonly string[] = ['--decode-concurrency', '1', '--prompt-concurrency', '1', '--prompt-cache-size', '2'];

/** Flags the supervisor owns: letting extra args change them would break health checks or expose the port. */
const OWNED_FLAGS = new Set(['--model', '--host', '--port']);

/** `-m mlx_lm server --model … --host 127.0.0.1 --port …` plus the single-user defaults, then extra args (which may override those). */
export function runnerArgs(init: { snapshotPath: string; port: number; extraArgs?: readonly string[]; logger?: Logger }): string[] {
  return [
    '-m',
    'mlx_lm',
    'server',
    '--model',
    init.snapshotPath,
    '--host',
    RUNNER_HOST,
    '--port',
    String(init.port),
    ...SINGLE_USER_ARGS,
    ...withoutOwnedFlags(init.extraArgs ?? [], init.logger),
  ];
}

/**
 * The runner's environment: the base (so PATH, PYTHONPATH, a venv reach it), the cache this product
 * manages, offline mode (a request naming another model must never start a download behind the
 * user's back) and unbuffered output (tracebacks reach the log before the process dies).
 */
export function runnerEnv(base: NodeJS.ProcessEnv, cacheRoot: string): NodeJS.ProcessEnv {
  return { ...base, HF_HUB_CACHE: cacheRoot, HF_HUB_OFFLINE: '1', PYTHONUNBUFFERED: '1' };
}

function withoutOwnedFlags(args: readonly string[], logger: Logger | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = arg.split('=')[0]!;
    if (OWNED_FLAGS.has(flag)) {
      logger?.warn(`[runner] ignoring extra argument ${flag}: the supervisor sets it`);
      if (!arg.includes('=')) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
