import * as vscode from 'vscode';
import { type BackendKind, isBackendKind } from '../../core/router/backendKind';
import { defaultSeedModel } from '../../core/catalog/seedModels';
import { Disposable } from '../../core/lifecycle/disposable';

const SECTION = 'mlx';

/** The one place that reads and writes the extension's settings, with types and defaults. */
export class Settings extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when any `mlx.*` setting (or VS Code's `http.*` proxy settings) changes. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION) || e.affectsConfiguration('http')) this.changed.fire();
      }),
    );
  }

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  get backend(): BackendKind {
    const value = this.config.get<string>('backend');
    return isBackendKind(value) ? value : 'mlx';
  }

  async setBackend(kind: BackendKind): Promise<void> {
    await this.config.update('backend', kind, vscode.ConfigurationTarget.Global);
  }

  /** The repo id of the active local model; the catalog's default when none was chosen. */
  get selectedModel(): string {
    return this.config.get<string>('selectedModel')?.trim() || defaultSeedModel().repoId;
  }

  async setSelectedModel(repoId: string): Promise<void> {
    await this.config.update('selectedModel', repoId, vscode.ConfigurationTarget.Global);
  }

  /** Explicit cache folder, or undefined for the shared HF cache. */
  get cacheDirectory(): string | undefined {
    return this.config.get<string>('cacheDirectory')?.trim() || undefined;
  }

  /** Explicit Hub endpoint, or undefined for HF_ENDPOINT / huggingface.co. */
  get hubEndpoint(): string | undefined {
    return this.config.get<string>('hubEndpoint')?.trim().replace(/\/+$/, '') || undefined;
  }

  get maxParallelModels(): number {
    return clampInt(this.config.get<number>('download.maxParallelModels'), 1, 8, 2);
  }

  get parallelFiles(): number {
    return clampInt(this.config.get<number>('download.parallelFiles'), 1, 16, 4);
  }

  get syncToDisk(): boolean {
    return this.config.get<boolean>('download.syncToDisk') === true;
  }

  get connectionsPerFile(): number {
    return clampInt(this.config.get<number>('download.connectionsPerFile'), 1, 16, 16);
  }

  get autoResume(): 'auto' | 'ask' | 'never' {
    const value = this.config.get<string>('download.autoResume');
    return value === 'ask' || value === 'never' ? value : 'auto';
  }

  get contextLength(): number {
    return clampInt(this.config.get<number>('memory.contextLength'), 512, 1_048_576, 8192);
  }

  get budgetFraction(): number | undefined {
    const value = this.config.get<number | null>('memory.budgetFraction');
    return typeof value === 'number' && value >= 0.1 && value <= 1 ? value : undefined;
  }

  get checkUpdatesDaily(): boolean {
    return this.config.get<boolean>('updates.checkDaily') ?? true;
  }

  get fallbackToGemini(): boolean {
    return this.config.get<boolean>('fallbackToGemini') ?? true;
  }

  get geminiModel(): string {
    return this.config.get<string>('gemini.model')?.trim() || 'gemini-2.5-flash';
  }

  /** The setting wins over `GOOGLE_GEMINI_BASE_URL`; undefined leaves the SDK's default. */
  get geminiBaseUrl(): string | undefined {
    return this.config.get<string>('gemini.baseUrl')?.trim() || process.env.GOOGLE_GEMINI_BASE_URL?.trim() || undefined;
  }

  get pythonPath(): string | undefined {
    return this.config.get<string>('runner.pythonPath')?.trim() || undefined;
  }

  get runnerExtraArgs(): string[] {
    return (this.config.get<unknown[]>('runner.extraArgs') ?? []).filter((a): a is string => typeof a === 'string');
  }

  /** Milliseconds; 0 means never unload. */
  get idleUnloadMs(): number {
    return clampInt(this.config.get<number>('runner.idleUnloadMinutes'), 0, 1440, 15) * 60_000;
  }

  /** An OpenAI-compatible endpoint that replaces the local runner, when set. */
  get remoteEndpoint(): string | undefined {
    return this.config.get<string>('runner.endpoint')?.trim().replace(/\/+$/, '') || undefined;
  }

  get maxTokens(): number {
    return clampInt(this.config.get<number>('chat.maxTokens'), 16, 131_072, 2048);
  }

  get systemPrompt(): string | undefined {
    return this.config.get<string>('chat.systemPrompt')?.trim() || undefined;
  }
}

function clampInt(value: number | undefined, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}
