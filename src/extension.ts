import * as vscode from 'vscode';
import { type ExtensionApi } from './vscode/api';
import { registerCommands } from './vscode/commands/registerCommands';
import { Settings } from './vscode/config/settings';
import { ModelsTreeProvider } from './vscode/models/modelsTreeProvider';
import { BackendStatusBar, statusFor } from './vscode/statusBar/backendStatusBar';

/**
 * Composition root: creates the one log channel first, then each service with explicit
 * arguments, and hands every disposable to `context.subscriptions`. Nothing heavy runs here.
 */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MLX Model Manager', { log: true });
  context.subscriptions.push(log);

  const settings = new Settings();
  context.subscriptions.push(settings);

  const modelsTree = new ModelsTreeProvider({ selectedModel: () => settings.selectedModel });
  context.subscriptions.push(modelsTree);
  const modelsView = vscode.window.createTreeView('mlx.models', { treeDataProvider: modelsTree, showCollapseAll: true });
  context.subscriptions.push(modelsView);

  const statusBar = new BackendStatusBar(statusFor(settings.backend, settings.selectedModel));
  context.subscriptions.push(statusBar);

  context.subscriptions.push(
    settings.onDidChange(() => {
      statusBar.update(statusFor(settings.backend, settings.selectedModel));
      modelsTree.refresh();
    }),
  );
  context.subscriptions.push(...registerCommands({ log, settings, modelsTree }));

  const activationMs = performance.now() - started;
  log.info(`[activate] MLX Model Manager ${__EXTENSION_VERSION__} activated in ${activationMs.toFixed(2)} ms (VS Code ${vscode.version})`);
  return { activationMs, modelsTree, statusBar };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions, which VS Code disposes.
}
