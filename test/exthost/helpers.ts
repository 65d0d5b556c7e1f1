import * as vscode from 'vscode';
import { type ExtensionApi } from '../../src/vscode/api';

export const EXTENSION_ID = 'mlxmm.mlx-model-manager';

/** Activates the extension under test and returns what `activate()` returned. */
export async function getApi(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return extension.activate();
}

/** Resolves on the next configuration change of `section` (awaits the event, no polling). */
export function nextConfigChange(section: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(section)) {
        listener.dispose();
        resolve();
      }
    });
  });
}
