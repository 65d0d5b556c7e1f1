import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveHfHome } from '../cache/cacheLocation';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Where and how to reach the Hub, read the same way the Python tools read it. */
export interface HubConfig {
  /** `HF_ENDPOINT` without a trailing slash. @default 'https://huggingface.co' */
  readonly endpoint: string;
  /** `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the file `$HF_HOME/token`; trimmed. Never log it. */
  readonly token: string | undefined;
  /** `HF_HUB_OFFLINE` is 1/ON/YES/TRUE (any case): no network calls at all. */
  readonly offline: boolean;
  /** Where the token came from, for messages ("set in HF_TOKEN"); never the token itself. */
  readonly tokenSource: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'file' | undefined;
}

/**
 * Reads the Hub settings from an environment. `readFile` is injectable for tests; a missing or
 * unreadable token file just means no token. `HF_HOME` is resolved by the cache module, so the
 * token file and the cache can never disagree about where huggingface_hub lives.
 */
export function resolveHubConfig(env: NodeJS.ProcessEnv, readFile: (file: string) => string = (file) => readFileSync(file, 'utf8')): HubConfig {
  const endpoint = (env.HF_ENDPOINT?.trim() || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const offline = ['1', 'ON', 'YES', 'TRUE'].includes((env.HF_HUB_OFFLINE ?? '').trim().toUpperCase());
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'] as const) {
    const token = env[name]?.trim();
    if (token) return { endpoint, token, offline, tokenSource: name };
  }
  let token: string | undefined;
  try {
    token = readFile(path.join(resolveHfHome(env), 'token')).trim() || undefined;
  } catch {
    token = undefined;
  }
  return { endpoint, token, offline, tokenSource: token ? 'file' : undefined };
}
