import { homedir } from 'node:os';
import path from 'node:path';
import { type Dispatcher } from 'undici';
import { dispatchFetch } from '../core/http/dispatchFetch';
import { resolveHubCacheDir } from '../core/cache/cacheLocation';
import { sharedDispatcher } from '../core/http/sharedDispatcher';
import { HubClient } from '../core/hub/hubClient';
import { resolveHubConfig } from '../core/hub/hubConfig';
import { type Logger } from '../core/logging/logger';

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

/** What the commands share: where the cache is and how to reach the Hub. Built lazily per command. */
export class CliContext {
  private hubClient?: HubClient;
  private composed?: { base: Dispatcher; dispatcher: Dispatcher };

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {}

  get cacheRoot(): string {
    return this.options.cacheDir ? path.resolve(this.options.cacheDir) : resolveHubCacheDir(this.io.env, homedir());
  }

  get hubConfig() {
    const config = resolveHubConfig(this.io.env);
    return this.options.endpoint ? { ...config, endpoint: this.options.endpoint.replace(/\/+$/, '') } : config;
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
