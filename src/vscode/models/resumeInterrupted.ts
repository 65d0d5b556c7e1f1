import * as vscode from 'vscode';
import { type Settings } from '../config/settings';

/**
 * On activation: resume downloads a reload or crash interrupted, as the `autoResume` setting says.
 * `pending` is the list as it was when the window opened (read before any new download could add to it).
 */
export async function resumeInterrupted(settings: Settings, pending: readonly string[], log: vscode.LogOutputChannel): Promise<void> {
  if (pending.length === 0) return;
  const mode = settings.autoResume;
  log.info(`[download] ${pending.length} interrupted download(s): ${pending.join(', ')} (autoResume: ${mode})`);
  if (mode === 'never') return;
  if (mode === 'ask') {
    const names = pending.map((r) => r.split('/').pop()).join(', ');
    const choice = await vscode.window.showInformationMessage(`Resume interrupted download${pending.length > 1 ? 's' : ''}: ${names}?`, 'Resume', 'Not Now');
    if (choice !== 'Resume') return;
  }
  for (const repoId of pending) void vscode.commands.executeCommand('mlx.resumeDownload', repoId);
}
