import * as vscode from 'vscode';
import { findSeedModel } from '../../core/catalog/seedModels';
import { Disposable } from '../../core/lifecycle/disposable';
import { type BackendKind } from '../../core/router/backendKind';

export const TOGGLE_BACKEND_COMMAND = 'mlx.toggleBackend';

/**
 * What the status-bar item shows. A small state machine: later states (starting, ready,
 * fallback, error) join this union as the runner and router arrive.
 */
export type BackendStatus =
  | { readonly kind: 'gemini' }
  | { readonly kind: 'mlx-idle'; readonly modelRepoId: string };

export function statusFor(backend: BackendKind, modelRepoId: string): BackendStatus {
  return backend === 'gemini' ? { kind: 'gemini' } : { kind: 'mlx-idle', modelRepoId };
}

/** The text, tooltip and background for a state; pure so tests can check each state's rendering. */
export function renderStatus(status: BackendStatus): { text: string; tooltip: vscode.MarkdownString; name: string } {
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.isTrusted = { enabledCommands: [TOGGLE_BACKEND_COMMAND, 'mlx.showLogs'] };
  switch (status.kind) {
    case 'gemini':
      tooltip.appendMarkdown('**Chat backend:** Gemini (cloud)\n\n');
      tooltip.appendMarkdown(`[Switch to MLX](command:${TOGGLE_BACKEND_COMMAND}) · [Show logs](command:mlx.showLogs)`);
      return { text: '$(cloud) Gemini', tooltip, name: 'MLX Backend' };
    case 'mlx-idle': {
      const name = shortModelName(status.modelRepoId);
      tooltip.appendMarkdown(`**Chat backend:** MLX (local)\n\n**Model:** ${name}\n\n`);
      tooltip.appendMarkdown(`[Switch to Gemini](command:${TOGGLE_BACKEND_COMMAND}) · [Show logs](command:mlx.showLogs)`);
      return { text: `$(chip) MLX: ${name}`, tooltip, name: 'MLX Backend' };
    }
  }
}

/** Display name of a seed model, or the repo's own name for anything else. */
function shortModelName(repoId: string): string {
  return findSeedModel(repoId)?.displayName ?? repoId.split('/').pop() ?? repoId;
}

/** The status-bar item: shows the selected backend, and a click toggles Gemini ⇄ MLX. */
export class BackendStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private current: BackendStatus;

  constructor(initial: BackendStatus) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('mlx.backend', vscode.StatusBarAlignment.Right, 100));
    this.item.command = TOGGLE_BACKEND_COMMAND;
    this.current = initial;
    this.render();
    this.item.show();
  }

  get status(): BackendStatus {
    return this.current;
  }

  /** The text currently shown, for tests and logs. */
  get text(): string {
    return this.item.text;
  }

  update(status: BackendStatus): void {
    this.current = status;
    this.render();
  }

  private render(): void {
    const view = renderStatus(this.current);
    this.item.name = view.name;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
  }
}
