import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type * as vscode from 'vscode';
import { resolveHubCacheDir } from '../../core/cache/cacheLocation';
import { dispatchFetch } from '../../core/http/dispatchFetch';
import { sharedDispatcher } from '../../core/http/sharedDispatcher';
import { HubClient } from '../../core/hub/hubClient';
import { resolveHubConfig } from '../../core/hub/hubConfig';
import { Disposable } from '../../core/lifecycle/disposable';
import { machineMemory } from '../../core/models/memory/machineMemory';
import { MemoryAdvisor } from '../../core/models/memory/memoryAdvisor';
import { ModelManager } from '../../core/models/modelManager';
import { downloadModel } from '../../core/snapshot/downloadModel';
import { DownloadQueue } from '../../core/snapshot/downloadQueue';
import { type Settings } from '../config/settings';
import { readProxySettings } from '../config/proxySettings';
import { ApiKeyStore } from '../config/apiKeyStore';

/**
 * The download side of the extension: Hub client, cache location, download queue and model manager,
 * built from settings, the environment and SecretStorage. Loaded lazily after activation (it pulls in
 * undici), so activation stays fast.
 */
export class ModelServices extends Disposable {
  readonly manager: ModelManager;
  readonly advisor: MemoryAdvisor;
  /** The Hugging Face token (HF_TOKEN and friends are read by hubConfig when none is stored). */
  readonly tokens: ApiKeyStore;
  private token: string | undefined;
  private readonly queue: DownloadQueue;
  /** Set while the extension shuts down: downloads stopped now are interrupted, not cancelled by the user. */
  shuttingDown = false;
  private client: { key: string; hub: HubClient } | undefined;

  private constructor(
    private readonly settings: Settings,
    secrets: vscode.SecretStorage,
    store: vscode.Memento,
    log: vscode.LogOutputChannel,
  ) {
    super();
    this.tokens = new ApiKeyStore(secrets, 'mlx.huggingFaceToken');
    const queue = (this.queue = new DownloadQueue({
      maxConcurrent: settings.maxParallelModels,
      start: (request, signal, onEvent) =>
        downloadModel({
          hub: this.hub(),
          cacheRoot: this.cacheRoot(),
          repoId: request.repoId,
          revision: request.revision,
          dispatcher: sharedDispatcher(readProxySettings()),
          token: this.hubToken(),
          connectionsPerFile: settings.connectionsPerFile,
          parallelFiles: settings.parallelFiles,
          syncToDisk: settings.syncToDisk,
          signal,
          onEvent,
          logger: log,
        }),
    }));
    this.manager = this._register(
      new ModelManager({ cacheRoot: () => this.cacheRoot(), hub: () => this.hub(), queue, store, selectedModel: () => settings.selectedModel, logger: log }),
    );
    this.advisor = this._register(
      new MemoryAdvisor({
        readConfig: async (entry) =>
          entry.status.kind === 'downloaded'
            ? fs.readFile(path.join(entry.status.snapshotPath, 'config.json'), 'utf8')
            : this.hub().readTextFile(entry.repoId, 'main', 'config.json'),
        contextTokens: () => settings.contextLength,
        machine: () => machineMemory({ workingSetFraction: settings.budgetFraction }),
        logger: log,
      }),
    );
    this._register(this.tokens.onDidChange(() => void this.loadToken()));
  }

  static async create(settings: Settings, context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<ModelServices> {
    const services = new ModelServices(settings, context.secrets, context.globalState, log);
    await services.loadToken();
    return services;
  }

  cacheRoot(): string {
    return this.settings.cacheDirectory ?? resolveHubCacheDir(process.env, homedir());
  }

  get endpoint(): string {
    return this.settings.hubEndpoint ?? resolveHubConfig(process.env).endpoint;
  }

  /** The token for the Hub: SecretStorage first, then HF_TOKEN / HUGGING_FACE_HUB_TOKEN / $HF_HOME/token. */
  hubToken(): string | undefined {
    return this.token ?? resolveHubConfig(process.env).token;
  }

  /** A Hub client for the current endpoint, token and proxy settings (rebuilt when they change). */
  hub(): HubClient {
    const proxy = readProxySettings();
    const key = JSON.stringify([this.endpoint, this.hubToken() ?? '', proxy]);
    if (this.client?.key !== key) {
      const fetchWith = dispatchFetch(sharedDispatcher(proxy));
      this.client = {
        key,
        hub: new HubClient({ endpoint: this.endpoint, token: this.hubToken(), offline: resolveHubConfig(process.env).offline, fetch: fetchWith }),
      };
    }
    return this.client.hub;
  }

  /**
   * On shutdown (window reload, quit) running downloads are stopped so each records the bytes it has;
   * they stay in the interrupted list and resume on the next start.
   */
  override dispose(): void {
    this.shuttingDown = true;
    void this.queue.cancelAll();
    super.dispose();
  }

  private async loadToken(): Promise<void> {
    this.token = (await this.tokens.get()) || undefined;
  }
}
