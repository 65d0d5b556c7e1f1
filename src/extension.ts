import * as vscode from 'vscode';
import { type ExtensionApi } from './vscode/api';
import { registerKeyCommands } from './vscode/commands/keyCommands';
import { registerCommands } from './vscode/commands/registerCommands';
import { registerLibraryCommands } from './vscode/commands/libraryCommands';
import { registerModelCommands } from './vscode/commands/modelCommands';
import { ApiKeyStore } from './vscode/config/apiKeyStore';
import { Settings } from './vscode/config/settings';
import { InterruptedDownloads } from './vscode/models/interruptedDownloads';
import { ModelDecorationProvider } from './vscode/models/modelDecorations';
import { type ModelServices } from './vscode/models/modelServices';
import { ModelsTreeProvider } from './vscode/models/modelsTreeProvider';
import { resumeInterrupted } from './vscode/models/resumeInterrupted';
import { scheduleDailyUpdateCheck } from './vscode/models/dailyUpdateCheck';
import { type InferenceServices } from './vscode/inference/inferenceServices';
import { registerRunnerCommands } from './vscode/commands/runnerCommands';
import { registerRuntimeCommands } from './vscode/commands/runtimeCommands';
import { createMlxParticipant } from './vscode/chatParticipant/mlxParticipant';
import { LM_VENDOR, MlxLanguageModelProvider } from './vscode/lmProvider/mlxLanguageModelProvider';
import { BackendStatusBar, statusFor } from './vscode/statusBar/backendStatusBar';
import { StatusController } from './vscode/statusBar/statusController';
import { ChatPanels } from './vscode/chatPanel/chatPanels';

/**
 * Composition root: creates the one log channel first, then each service with explicit
 * arguments, and hands every disposable to `context.subscriptions`. The download side (undici, the
 * Hub client, the cache scanner) loads right after activation through a dynamic import, so
 * activation itself stays in the low milliseconds.
 */
export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('MLX Model Manager', { log: true });
  context.subscriptions.push(log);

  const settings = new Settings();
  context.subscriptions.push(settings);
  const interrupted = new InterruptedDownloads(context.globalState);
  const geminiKey = new ApiKeyStore(context.secrets, 'mlx.geminiApiKey', ['GEMINI_API_KEY', 'GOOGLE_API_KEY']);
  const endpointKey = new ApiKeyStore(context.secrets, 'mlx.endpointApiKey');
  const interruptedAtStart = interrupted.list();

  const services: Promise<ModelServices> = import('./vscode/models/modelServices').then(async ({ ModelServices }) => {
    const created = await ModelServices.create(settings, context, log);
    context.subscriptions.push(created);
    return created;
  });
  services.catch((error: unknown) => log.error(`[activate] the model services failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));

  // The answering side (runner, Gemini SDK, router) loads after the model side, also lazily.
  const inference: Promise<InferenceServices> = services.then(async (models) => {
    const { InferenceServices } = await import('./vscode/inference/inferenceServices');
    const created = new InferenceServices({ settings, models, geminiKey, endpointKey, globalStorage: context.globalStorageUri.fsPath, log });
    context.subscriptions.push(created);
    return created;
  });
  inference.catch((error: unknown) => log.error(`[activate] the inference services failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));

  const modelsTree = new ModelsTreeProvider({ manager: services.then((s) => s.manager), advisor: services.then((s) => s.advisor) });
  context.subscriptions.push(modelsTree);
  const modelsView = vscode.window.createTreeView('mlx.models', { treeDataProvider: modelsTree, showCollapseAll: true });
  context.subscriptions.push(modelsView);
  const decorations = new ModelDecorationProvider();
  context.subscriptions.push(decorations, vscode.window.registerFileDecorationProvider(decorations));

  const statusBar = new BackendStatusBar(statusFor(settings.backend, settings.selectedModel));
  const statusController = new StatusController(statusBar, settings);
  context.subscriptions.push(statusBar, statusController);
  void inference.then((i) => statusController.attach(i));

  context.subscriptions.push(
    settings.onDidChange(() => {
      // A new cache folder or endpoint: re-read the cache (the Hub client rebuilds itself on demand);
      // a new context length or memory budget changes every verdict.
      void services.then((s) => s.manager.refresh());
      modelsTree.refresh();
    }),
  );
  context.subscriptions.push(
    ...registerCommands({ log, settings, refresh: async () => (await services).manager.refresh(), services }),
    ...registerRunnerCommands({ inference, log }),
    ...registerRuntimeCommands({ globalStorage: context.globalStorageUri.fsPath, log, inference, settings }),
    ...registerModelCommands({ services, settings, log, interrupted }),
    ...registerLibraryCommands({ services, settings, log, modelsView, modelsTree, globalState: context.globalState }),
    ...registerKeyCommands({ geminiKey, endpointKey, settings, log }),
  );

  // Chat surfaces: the @mlx participant and local models in VS Code's model picker.
  context.subscriptions.push(createMlxParticipant({ inference, services, settings, extensionUri: context.extensionUri, log }));
  const lmProvider = new MlxLanguageModelProvider(services, inference, settings);
  context.subscriptions.push(lmProvider, vscode.lm.registerLanguageModelChatProvider(LM_VENDOR, lmProvider));

  // The chat panel: its command and the serializer that restores it after a reload (the panel's own
  // module loads when a panel is first shown).
  const chatPanels = new ChatPanels({ extensionUri: context.extensionUri, settings, services, inference, workspaceState: context.workspaceState, log, version: __EXTENSION_VERSION__ });
  context.subscriptions.push(chatPanels);

  void services.then(async (s) => {
    await s.manager.refresh();
    void s.advisor.loadSeedConfigs(s.manager.list());
    await resumeInterrupted(settings, interruptedAtStart, log);
    context.subscriptions.push(scheduleDailyUpdateCheck({ manager: s.manager, settings, state: context.globalState, log }));
  });

  const activationMs = performance.now() - started;
  log.info(`[activate] MLX Model Manager ${__EXTENSION_VERSION__} activated in ${activationMs.toFixed(2)} ms (VS Code ${vscode.version})`);
  return { activationMs, modelsTree, statusBar, services, inference, chatPanels };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions, which VS Code disposes.
}
