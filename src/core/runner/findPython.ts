import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PythonNotFoundError } from './runnerErrors';

/** How the interpreter was found, for the log and for messages ("the Python in your settings…"). */
export type PythonSource = 'setting' | 'managed-venv' | 'path';

export interface FoundPython {
  readonly executable: string;
  readonly source: PythonSource;
}

export interface FindPythonOptions {
  /**
   * The Python setting or `--python` flag: a path (`~` allowed) or a command name looked up on PATH.
   * When given it must work; falling back silently would run a Python the user did not choose.
   */
  readonly explicitPath?: string;
  /** The interpreter of the managed venv ("MLX: Set Up Local Runtime"); skipped while it does not exist. */
  readonly managedVenvPython?: string;
  /** Where PATH (and PATHEXT on Windows) come from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
}

/** Finds the Python to run mlx_lm with: the explicit setting, then the managed venv, then `python3`/`python` on PATH. */
export async function findPython(options: FindPythonOptions = {}): Promise<FoundPython> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const searched: string[] = [];

  const explicit = options.explicitPath?.trim();
  if (explicit) {
    const expanded = explicit === '~' || explicit.startsWith('~/') ? os.homedir() + explicit.slice(1) : explicit;
    const hasSeparator = expanded.includes('/') || (platform === 'win32' && expanded.includes('\\'));
    const found = hasSeparator ? await executableOrUndefined(path.resolve(expanded), platform) : await searchPath([expanded], env, platform, searched);
    if (found) return { executable: found, source: 'setting' };
    if (hasSeparator) searched.push(expanded);
    throw new PythonNotFoundError({
      searched,
      userMessage: `The configured Python "${explicit}" was not found or is not executable. Fix the setting, or clear it to use the managed environment or the Python on PATH.`,
    });
  }

  if (options.managedVenvPython) {
    const found = await executableOrUndefined(options.managedVenvPython, platform);
    if (found) return { executable: found, source: 'managed-venv' };
    searched.push(options.managedVenvPython);
  }

  const onPath = await searchPath(['python3', 'python'], env, platform, searched);
  if (onPath) return { executable: onPath, source: 'path' };
  throw new PythonNotFoundError({ searched });
}

/** Every PATH folder for the first name, then for the next (so a `python3` anywhere beats a `python`). */
async function searchPath(names: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform, searched: string[]): Promise<string | undefined> {
  const pathValue = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const dirs = pathValue.split(delimiter).filter(Boolean);
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  for (const name of names) {
    for (const dir of dirs) {
      for (const ext of extensions) {
        const candidate = path.join(dir, name + ext);
        const found = await executableOrUndefined(candidate, platform);
        if (found) return found;
      }
    }
    searched.push(`${name} on PATH`);
  }
  return undefined;
}

async function executableOrUndefined(file: string, platform: NodeJS.Platform): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return undefined;
    // Windows has no execute bit; existing is what counts there.
    if (platform !== 'win32') await fs.access(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}
