import * as vscode from 'vscode';
import { type BackendKind, isBackendKind } from '../../core/router/backendKind';
import { defaultSeedModel } from '../../core/catalog/seedModels';
import { Disposable } from '../../core/lifecycle/disposable';

const SECTION = 'mlx';

/** The one place that reads and writes the extension's settings, with types and defaults. */
export class Settings extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when any `mlx.*` setting changes. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.changed.fire();
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
}
