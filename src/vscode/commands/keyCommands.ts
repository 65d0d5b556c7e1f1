import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type ApiKeyStore } from '../config/apiKeyStore';
import { type Settings } from '../config/settings';

export interface KeyCommandDeps {
  readonly geminiKey: ApiKeyStore;
  readonly endpointKey: ApiKeyStore;
  readonly settings: Settings;
  readonly log: vscode.LogOutputChannel;
}

/** Commands that store API keys in SecretStorage (never settings, never the log). */
export function registerKeyCommands({ geminiKey, endpointKey, settings, log }: KeyCommandDeps): IDisposable[] {
  return [
    vscode.commands.registerCommand('mlx.setGeminiKey', async (keyArg?: string) => {
      const key =
        keyArg ??
        (await vscode.window.showInputBox({
          title: 'Set Gemini API Key',
          prompt: 'From Google AI Studio (aistudio.google.com/apikey). Stored in VS Code\'s secret storage; leave empty to remove it.',
          password: true,
          ignoreFocusOut: true,
        }));
      if (key === undefined) return false;
      if (!key.trim()) {
        await geminiKey.set(undefined);
        void vscode.window.showInformationMessage('Gemini API key removed.');
        return true;
      }
      // Loaded on demand: the Gemini SDK is not needed until someone uses Gemini.
      const { checkGeminiKey } = await import('../../core/chat/checkGeminiKey');
      const check = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Checking the Gemini API key…' }, () =>
        checkGeminiKey({ apiKey: key.trim(), baseUrl: settings.geminiBaseUrl }),
      );
      if (!check.ok) {
        log.warn(`[gemini] key check failed: ${check.error.kind}`);
        void vscode.window.showErrorMessage(`The key was not saved: ${check.error.userMessage}`, 'Try Again').then((retry) => {
          if (retry) void vscode.commands.executeCommand('mlx.setGeminiKey');
        });
        return false;
      }
      await geminiKey.set(key.trim());
      log.info(`[gemini] key saved (${check.models.length} models available)`);
      void vscode.window.showInformationMessage(`Gemini API key saved: ${check.models.includes(settings.geminiModel) ? `${settings.geminiModel} is available` : `${check.models.length} models available`}.`);
      return true;
    }),
    vscode.commands.registerCommand('mlx.setRemoteEndpointKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'Set Remote Endpoint API Key',
        prompt: `Sent as "Authorization: Bearer" to ${settings.remoteEndpoint ?? 'the endpoint in mlx.runner.endpoint'}. Leave empty to remove it.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      await endpointKey.set(key.trim() || undefined);
      void vscode.window.showInformationMessage(key.trim() ? 'Endpoint API key saved.' : 'Endpoint API key removed.');
    }),
  ];
}
