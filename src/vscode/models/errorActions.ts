import * as vscode from 'vscode';
import { InsufficientDiskSpaceError } from '../../core/download/diskSpace';
import { DiskFullError, HashMismatchError, TransferFailedError } from '../../core/download/transferErrors';
import { GatedRepoError, HubAuthError, HubUnavailableError, OfflineModeError, RepoNotFoundError } from '../../core/hub/hubErrors';

export type ErrorAction = 'Retry' | 'Set Token' | 'Open on Hugging Face' | 'Show Storage' | 'Show Logs';

/** Which actions help with a failure: a token for gated repos, space for a full disk, a retry for the network. */
export function actionsFor(error: unknown): ErrorAction[] {
  if (error instanceof GatedRepoError) return ['Set Token', 'Open on Hugging Face', 'Retry'];
  if (error instanceof HubAuthError) return ['Set Token', 'Retry'];
  if (error instanceof RepoNotFoundError) return ['Open on Hugging Face', 'Set Token'];
  if (error instanceof InsufficientDiskSpaceError || error instanceof DiskFullError) return ['Show Storage', 'Retry'];
  if (error instanceof HashMismatchError) return ['Retry', 'Show Logs'];
  if (error instanceof OfflineModeError) return ['Show Logs'];
  if (error instanceof HubUnavailableError || error instanceof TransferFailedError) return ['Retry', 'Show Logs'];
  return ['Retry', 'Show Logs'];
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return (error as { userMessage?: string }).userMessage ?? error.message;
  return String(error);
}

/**
 * A failure as a notification with the actions that help; runs the chosen one. Errors never open the
 * log by themselves: "Show Logs" is offered instead.
 */
export async function showErrorWithActions(
  what: string,
  error: unknown,
  handlers: { retry?: () => unknown; repoId?: string; hubEndpoint?: string },
): Promise<void> {
  const actions = actionsFor(error).filter((a) => a !== 'Retry' || handlers.retry);
  const choice = await vscode.window.showErrorMessage(`${what}: ${messageOf(error)}`, ...actions);
  switch (choice) {
    case 'Retry':
      await handlers.retry?.();
      break;
    case 'Set Token':
      await vscode.commands.executeCommand('mlx.setHfToken');
      break;
    case 'Open on Hugging Face':
      if (handlers.repoId) await vscode.env.openExternal(vscode.Uri.parse(`${handlers.hubEndpoint ?? 'https://huggingface.co'}/${handlers.repoId}`));
      break;
    case 'Show Storage':
      await vscode.commands.executeCommand('mlx.showStorage');
      break;
    case 'Show Logs':
      await vscode.commands.executeCommand('mlx.showLogs');
      break;
  }
}
