import os from 'node:os';
import path from 'node:path';

/**
 * Where huggingface_hub keeps its files, resolved exactly like its `constants.py`, so this product and
 * huggingface-cli / mlx_lm / transformers share one cache:
 * `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`; `HF_HOME` defaults to
 * `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` — on every OS, macOS and Windows included.
 *
 * One deliberate difference: Python treats a variable set to the empty string as set (and then uses a
 * path relative to the working directory); we treat it as unset, which is what the user meant.
 */
export function resolveHubCacheDir(env: NodeJS.ProcessEnv, homeDir: string = os.homedir()): string {
  const explicit = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  if (explicit !== undefined) return absolute(expandPath(explicit, env, homeDir));
  return path.join(resolveHfHome(env, homeDir), 'hub');
}

/** `HF_HOME` as huggingface_hub resolves it (also where its `token` file lives). */
export function resolveHfHome(env: NodeJS.ProcessEnv, homeDir: string = os.homedir()): string {
  const explicit = nonEmpty(env.HF_HOME);
  if (explicit !== undefined) return absolute(expandPath(explicit, env, homeDir));
  const xdg = nonEmpty(env.XDG_CACHE_HOME) ?? path.join(homeDir, '.cache');
  return absolute(expandPath(path.join(xdg, 'huggingface'), env, homeDir));
}

/**
 * Python's `os.path.expandvars(os.path.expanduser(p))`: a leading `~` (alone or followed by a
 * separator) becomes the home folder, then `$VAR` and `${VAR}` are replaced; unknown variables stay
 * as written, as Python leaves them.
 */
export function expandPath(input: string, env: NodeJS.ProcessEnv, homeDir: string): string {
  let out = input;
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = homeDir + out.slice(1);
  return out.replace(/\$(?:\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const value = env[(braced ?? bare)!];
    return value === undefined ? whole : value;
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function absolute(p: string): string {
  return path.resolve(p);
}
