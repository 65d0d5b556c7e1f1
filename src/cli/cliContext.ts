import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { type Dispatcher } from 'undici';
import { dispatchFetch } from '../core/http/dispatchFetch';
import { resolveHubCacheDir } from '../core/cache/cacheLocation';
import { sharedDispatcher } from '../core/http/sharedDispatcher';
import { HubClient } from '../core/hub/hubClient';
import { resolveHubConfig } from '../core/hub/hubConfig';
import { type Logger } from '../core/logging/logger';
import { UsageError } from './cliError';

/** Options every command takes. */
export interface GlobalOptions {
  readonly cacheDir?: string;
  readonly endpoint?: string;
  readonly json: boolean;
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (live progress bar). */
  readonly isTTY: boolean;
  /**
   * The width of that terminal now, read at every redraw of the progress bar.
   * @default the width of process.stderr, else COLUMNS, else 80
   */
  readonly columns?: () => number;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Wraps every request of this process (the CLI entry's memory relief). Absent in tests that run
   * the CLI in-process, which must not force garbage collections on the test runner.
   */
  readonly interceptor?: Dispatcher.DispatcherComposeInterceptor;
}

/** Throws a UsageError unless `value` is an http(s) URL; `source` names where it came from (`--endpoint`, `HF_ENDPOINT`). */
export function checkEndpoint(value: string, source: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`${source} must be an http(s) URL, got '${value}'`);
}

/**
 * The cache folder, or the nearest part of it that exists, when that is not a folder (a file where the
 * cache should be, or above it): every command would fail on it with a raw EEXIST / ENOTDIR, or worse,
 * `scan` would report an empty cache. Undefined when the folder exists or can be created.
 */
function fileInTheWay(dir: string): string | undefined {
  for (let probe = dir; ; probe = path.dirname(probe)) {
    try {
      return statSync(probe).isDirectory() ? undefined : probe;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') continue; // a file further up: found on the way there
      if (code !== 'ENOENT' || path.dirname(probe) === probe) return undefined; // not ours to judge (EACCES…): the command says
    }
  }
}

/** Where the cache location came from, for messages. */
function cacheSource(cacheDirOption: string | undefined, env: NodeJS.ProcessEnv): string {
  if (cacheDirOption) return '--cache-dir';
  const named = ['HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME'].find((name) => env[name]?.trim());
  return named ?? 'the default location';
}

/** What the commands share: where the cache is and how to reach the Hub. Built lazily per command. */
export class CliContext {
  private hubClient?: HubClient;
  private checkedCacheRoot?: string;
  private composed?: { base: Dispatcher; dispatcher: Dispatcher };

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {}

  /** The cache folder; a bad argument (exit 2) when a file stands where it is or would be created. */
  get cacheRoot(): string {
    if (this.checkedCacheRoot === undefined) {
      const root = this.options.cacheDir ? path.resolve(this.options.cacheDir) : resolveHubCacheDir(this.io.env, homedir());
      const file = fileInTheWay(root);
      if (file !== undefined) {
        const where = file === root ? `${root} is a file, not a folder` : `${file} is a file, so ${root} cannot be created`;
        throw new UsageError(`the Hugging Face cache folder (from ${cacheSource(this.options.cacheDir, this.io.env)}) cannot be used: ${where}`);
      }
      this.checkedCacheRoot = root;
    }
    return this.checkedCacheRoot;
  }

  get hubConfig() {
    const config = resolveHubConfig(this.io.env);
    if (this.options.endpoint) return { ...config, endpoint: this.options.endpoint.replace(/\/+$/, '') };
    // A malformed HF_ENDPOINT is told apart from an unreachable one, like a malformed --endpoint.
    if (this.io.env.HF_ENDPOINT?.trim()) checkEndpoint(config.endpoint, 'HF_ENDPOINT');
    return config;
  }

  get dispatcher(): Dispatcher {
    const base = sharedDispatcher({ env: this.io.env });
    const { interceptor } = this.io;
    if (!interceptor) return base;
    // One wrapper per shared dispatcher, so every caller gets the same object.
    if (this.composed?.base !== base) this.composed = { base, dispatcher: base.compose(interceptor) };
    return this.composed.dispatcher;
  }

  get hub(): HubClient {
    if (!this.hubClient) {
      const { endpoint, token, offline } = this.hubConfig;
      this.hubClient = new HubClient({ endpoint, token, offline, fetch: dispatchFetch(this.dispatcher), logger: this.io.logger });
    }
    return this.hubClient;
  }

  /** One result: a JSON line with --json, else the human text. */
  print(json: unknown, text: string): void {
    this.io.stdout(this.options.json ? JSON.stringify(json) + '\n' : text.endsWith('\n') ? text : text + '\n');
  }
}
