import path from 'node:path';
import * as vscode from 'vscode';
import { type ChatBackend } from '../../core/chat/chatBackend';
import { ChatRouter, type MlxReadiness } from '../../core/chat/chatRouter';
import { GeminiBackend } from '../../core/chat/geminiBackend';
import { LocalMlx } from '../../core/chat/localMlx';
import { clearRunnerRecord, reapStaleRunner, recordRunner } from '../../core/runner/staleRunner';
import { venvPython } from '../../core/runtime/venvPython';
import { OpenAiCompatibleBackend } from '../../core/chat/openAiCompatibleBackend';
import { sharedDispatcher } from '../../core/http/sharedDispatcher';
import { Disposable } from '../../core/lifecycle/disposable';
import { Emitter } from '../../core/lifecycle/emitter';
import { type ApiKeyStore } from '../config/apiKeyStore';
import { readProxySettings } from '../config/proxySettings';
import { type Settings } from '../config/settings';
import { type ModelServices } from '../models/modelServices';

export interface InferenceDeps {
  readonly settings: Settings;
  readonly models: ModelServices;
  readonly geminiKey: ApiKeyStore;
  readonly endpointKey: ApiKeyStore;
  readonly globalStorage: string;
  readonly log: vscode.LogOutputChannel;
}

/**
 * The answering side of the extension: the local runner (or a remote OpenAI-compatible endpoint),
 * Gemini, and the router in front of them. Loaded lazily (the Gemini SDK is large); the chat panel,
 * the @mlx participant and the language-model provider all stream through `router`.
 */
export class InferenceServices extends Disposable {
  readonly local: LocalMlx;
  readonly router: ChatRouter;
  private readonly spoke = this._register(new Emitter<number>());
  /** Tokens per second of each finished reply (for the status bar). */
  readonly onDidReportSpeed = this.spoke.event;
  private gemini?: { key: string; baseUrl: string | undefined; model: string; backend: GeminiBackend };
  private remote?: { key: string; backend: OpenAiCompatibleBackend };

  constructor(private readonly deps: InferenceDeps) {
    super();
    const { settings, models, log } = deps;
    this.local = this._register(
      new LocalMlx({
        model: () => settings.selectedModel,
        cacheRoot: () => models.cacheRoot(),
        pythonPath: () => settings.pythonPath,
        managedVenvPython: () => venvPython(path.join(deps.globalStorage, 'runtime')),
        extraArgs: () => settings.runnerExtraArgs,
        idleUnloadMs: () => settings.idleUnloadMs,
        logger: log,
      }),
    );
    // A runner a killed editor left behind is stopped first; the one we start is recorded.
    const record = path.join(deps.globalStorage, 'runner.json');
    void reapStaleRunner(record, log).catch(() => undefined);
    this._register(
      this.local.onDidChangeState((state) => {
        if (state.kind === 'ready') void recordRunner(record, state.pid).catch(() => undefined);
        if (state.kind === 'stopped' || state.kind === 'failed') void clearRunnerRecord(record).catch(() => undefined);
      }),
    );
    // Settings that shape the runner's command line take effect with a restart: stop it now, and the
    // next request starts it with the new settings.
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!['mlx.runner', 'mlx.cacheDirectory'].some((section) => e.affectsConfiguration(section))) return;
        void this.local.reset().then(() => log.info('[runner] runner settings changed: it restarts with them on the next request'));
      }),
    );
    this.router = new ChatRouter({
      choice: () => settings.backend,
      fallbackEnabled: () => settings.fallbackToGemini,
      mlx: (_signal, model) => this.mlxReadiness(model),
      gemini: () => this.geminiBackend(),
      geminiModel: () => settings.geminiModel,
      logger: log,
    });
    this._register({ dispose: () => this.router.dispose() });
  }

  reportSpeed(tokensPerSecond: number): void {
    this.spoke.fire(tokensPerSecond);
  }

  /** A remote endpoint, when configured, replaces the local runner (how users outgrow one machine). */
  private async mlxReadiness(model?: string): Promise<MlxReadiness> {
    const endpoint = this.deps.settings.remoteEndpoint;
    if (!endpoint) return this.local.readiness(model);
    const apiKey = await this.deps.endpointKey.get();
    const key = JSON.stringify([endpoint, apiKey ?? '']);
    if (this.remote?.key !== key) {
      void this.remote?.backend.dispose();
      this.remote = {
        key,
        backend: new OpenAiCompatibleBackend({ baseUrl: endpoint, apiKey, id: 'openai-compatible', dispatcher: sharedDispatcher(readProxySettings()), logger: this.deps.log }),
      };
    }
    return { ok: true, backend: this.remote.backend, model: model ?? this.deps.settings.selectedModel };
  }

  private async geminiBackend(): Promise<ChatBackend | undefined> {
    const apiKey = await this.deps.geminiKey.get();
    if (!apiKey) return undefined;
    const { geminiBaseUrl: baseUrl, geminiModel: model } = this.deps.settings;
    if (this.gemini?.key !== apiKey || this.gemini.baseUrl !== baseUrl || this.gemini.model !== model) {
      this.gemini = { key: apiKey, baseUrl, model, backend: new GeminiBackend({ apiKey, baseUrl, model, logger: this.deps.log }) };
    }
    return this.gemini.backend;
  }

  override dispose(): void {
    void this.remote?.backend.dispose();
    super.dispose();
  }
}
