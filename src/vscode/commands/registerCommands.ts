import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { otherBackend } from '../../core/router/backendKind';
import { type Settings } from '../config/settings';
import { type ModelServices } from '../models/modelServices';
import { TOGGLE_BACKEND_COMMAND } from '../statusBar/backendStatusBar';

export interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  /** Re-reads the cache and redraws the Models view. */
  readonly refresh: () => Promise<void>;
  readonly services: Promise<ModelServices>;
}

/** General commands: logs, backend toggle, refresh, settings. Model commands live in modelCommands.ts. */
export function registerCommands({ log, settings, refresh, services }: CommandDeps): IDisposable[] {
  return [
    vscode.commands.registerCommand('mlx.showLogs', () => log.show(true)),
    vscode.commands.registerCommand(TOGGLE_BACKEND_COMMAND, async () => {
      const next = otherBackend(settings.backend);
      log.info(`[commands] switching backend to ${next}`);
      await settings.setBackend(next);
      if (next === 'mlx') void offerModelIfMissing(settings, services);
      return next;
    }),
    vscode.commands.registerCommand('mlx.refreshModels', refresh),
    vscode.commands.registerCommand('mlx.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:mlxmm.mlx-model-manager')),
  ];
}

/** Switching to MLX with nothing to run: offer to download the selected model or pick another. */
async function offerModelIfMissing(settings: Settings, services: Promise<ModelServices>): Promise<void> {
  const { manager } = await services;
  const entry = manager.get(settings.selectedModel);
  if (entry?.status.kind === 'downloaded') return;
  const anyDownloaded = manager.list().some((e) => e.status.kind === 'downloaded');
  const actions = anyDownloaded ? ['Download', 'Select Another Model'] : ['Download'];
  const choice = await vscode.window.showInformationMessage(`${entry?.displayName ?? settings.selectedModel} is not downloaded yet: MLX can't answer until it is.`, ...actions);
  if (choice === 'Download') void vscode.commands.executeCommand('mlx.downloadModel', settings.selectedModel);
  if (choice === 'Select Another Model') void vscode.commands.executeCommand('mlx.selectModel');
}
