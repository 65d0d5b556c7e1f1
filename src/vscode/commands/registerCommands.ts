import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { otherBackend } from '../../core/router/backendKind';
import { type Settings } from '../config/settings';
import { type ModelsTreeProvider } from '../models/modelsTreeProvider';
import { TOGGLE_BACKEND_COMMAND } from '../statusBar/backendStatusBar';

export interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  readonly modelsTree: ModelsTreeProvider;
}

/** Registers every command; each handler is a few lines that delegate to a service. */
export function registerCommands({ log, settings, modelsTree }: CommandDeps): IDisposable[] {
  return [
    vscode.commands.registerCommand('mlx.showLogs', () => log.show(true)),
    vscode.commands.registerCommand(TOGGLE_BACKEND_COMMAND, async () => {
      const next = otherBackend(settings.backend);
      log.info(`[commands] switching backend to ${next}`);
      await settings.setBackend(next);
      return next;
    }),
    vscode.commands.registerCommand('mlx.refreshModels', () => modelsTree.refresh()),
  ];
}
