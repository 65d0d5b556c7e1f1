import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runLogged } from './runLogged';
import { VenvCreationError } from './runtimeErrors';
import { venvPython } from './venvPython';

export interface CreateVenvOptions {
  /** The venv folder (created with its parents). */
  readonly dir: string;
  /** The interpreter that creates it (its version becomes the venv's). */
  readonly basePython: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onLine: (line: string) => void;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
}

/**
 * Makes sure `dir` is a venv with pip (`python -m venv`, which bundles pip through ensurepip, offline).
 * A venv that is already there is kept, so running the setup again only upgrades; one whose
 * interpreter is gone (its base Python was removed or upgraded) is recreated with `--clear`.
 */
export async function createVenv(options: CreateVenvOptions): Promise<{ python: string; created: boolean }> {
  const { dir, basePython } = options;
  const python = venvPython(dir, options.platform);
  if (await isVenv(dir, python)) return { python, created: false };

  const result = await runLogged({ command: basePython, args: ['-m', 'venv', '--clear', dir], env: options.env, signal: options.signal, onLine: options.onLine });
  if (result.spawnError) {
    throw new VenvCreationError({ basePython, dir, lastLines: [`${basePython}: ${result.spawnError.message}`], cause: result.spawnError });
  }
  if (result.code !== 0 || !(await isVenv(dir, python))) {
    throw new VenvCreationError({ basePython, dir, lastLines: [...result.lastLines, `(exit code ${result.code ?? result.signal})`] });
  }
  return { python, created: true };
}

/** `stat` follows the interpreter's symlink, so a venv whose base Python is gone does not count. */
async function isVenv(dir: string, python: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, 'pyvenv.cfg'));
    return (await fs.stat(python)).isFile();
  } catch {
    return false;
  }
}
