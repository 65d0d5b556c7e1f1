import * as vscode from 'vscode';
import { type ModelEntry } from '../../core/models/modelEntry';

export const MODEL_URI_SCHEME = 'mlx-model';

/**
 * The tree item's `resourceUri`: carries only the state, so the decoration provider can colour it.
 * No progress in it: a new URI on every progress event makes VS Code redraw the row without a badge
 * until the provider answers, and the badge blinks.
 */
export function modelUri(entry: ModelEntry): vscode.Uri {
  const state = entry.updateAvailable ? 'update' : entry.status.kind;
  return vscode.Uri.from({ scheme: MODEL_URI_SCHEME, path: `/${entry.repoId}`, query: new URLSearchParams({ state }).toString() });
}

/** The coloured status badge of a model row (badges are at most two characters). */
export function decorationFor(uri: vscode.Uri): vscode.FileDecoration | undefined {
  if (uri.scheme !== MODEL_URI_SCHEME) return undefined;
  const query = new URLSearchParams(uri.query);
  const state = query.get('state');
  switch (state) {
    case 'downloaded':
      return new vscode.FileDecoration('✓', 'Downloaded', new vscode.ThemeColor('charts.green'));
    case 'downloading':
      return new vscode.FileDecoration('↓', 'Downloading', new vscode.ThemeColor('charts.blue'));
    case 'queued':
      return new vscode.FileDecoration('…', 'Queued', new vscode.ThemeColor('charts.blue'));
    case 'partial':
      return new vscode.FileDecoration('‖', 'Paused: resumable', new vscode.ThemeColor('charts.yellow'));
    case 'failed':
    case 'corrupted':
      return new vscode.FileDecoration('!', state === 'failed' ? 'Download failed' : 'Corrupted in the cache', new vscode.ThemeColor('errorForeground'));
    case 'update':
      return new vscode.FileDecoration('↑', 'Update available', new vscode.ThemeColor('charts.purple'));
    default:
      return undefined;
  }
}

/** Colours the model rows by status; refreshed whenever the model list changes. */
export class ModelDecorationProvider implements vscode.FileDecorationProvider {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return decorationFor(uri);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
