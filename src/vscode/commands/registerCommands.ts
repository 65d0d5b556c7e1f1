import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { otherBackend } from '../../core/router/backendKind';
import { type Settings } from '../config/settings';
import { TOGGLE_BACKEND_COMMAND } from '../statusBar/backendStatusBar';

export interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  /** Re-reads the cache and redraws the Models view. */
  readonly refresh: () => Promise<void>;
}

/** General commands: logs, backend toggle, refresh, settings. Model commands live in modelCommands.ts. */
export function registerCommands({ log, settings, refresh }: CommandDeps): IDisposable[] {
  return [
    vscode.commands.registerCommand('mlx.showLogs', () => log.show(true)),
    vscode.commands.registerCommand(TOGGLE_BACKEND_COMMAND, async () => {
      const next = otherBackend(settings.backend);
      log.info(`[commands] switching backend to ${next}`);
      await settings.setBackend(next);
      return next;
    }),
    vscode.commands.registerCommand('mlx.refreshModels', refresh),
    vscode.commands.registerCommand('mlx.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:mlxmm.mlx-model-manager')),
  ];
}
