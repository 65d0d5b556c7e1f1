import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type InferenceServices } from '../inference/inferenceServices';

export interface RunnerCommandDeps {
  readonly inference: Promise<InferenceServices>;
  readonly log: vscode.LogOutputChannel;
}

/** Stop or restart the local mlx_lm runner (freeing its memory, or picking up new settings). */
export function registerRunnerCommands({ inference, log }: RunnerCommandDeps): IDisposable[] {
  return [
    vscode.commands.registerCommand('mlx.stopRunner', async () => {
      const { local } = await inference;
      await local.stop();
      log.info('[runner] stopped on request');
    }),
    vscode.commands.registerCommand('mlx.restartRunner', async () => {
      const { local } = await inference;
      await local.reset();
      const readiness = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Restarting the MLX runner' }, () => local.readiness());
      if (!readiness.ok) void vscode.window.showWarningMessage(`The MLX runner did not start: ${readiness.reason}`, 'Show Logs').then((c) => c && vscode.commands.executeCommand('mlx.showLogs'));
      return readiness.ok;
    }),
  ];
}
