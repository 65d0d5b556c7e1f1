import * as vscode from 'vscode';
import { findSeedModel } from '../../core/catalog/seedModels';
import { Disposable } from '../../core/lifecycle/disposable';
import { displayNameOf } from '../../core/models/cachedMlxModel';
import { type BackendKind } from '../../core/router/backendKind';

export const TOGGLE_BACKEND_COMMAND = 'mlx.toggleBackend';

/** What the status-bar item shows: a small state machine fed by settings, the runner and the router. */
export type BackendStatus =
  | { readonly kind: 'gemini'; readonly tokensPerSecond?: number }
  /** MLX chosen, runner not started yet (it starts with the first request). */
  | { readonly kind: 'mlx-idle'; readonly modelRepoId: string }
  | { readonly kind: 'mlx-starting'; readonly modelRepoId: string }
  | { readonly kind: 'mlx-ready'; readonly modelRepoId: string; readonly tokensPerSecond?: number }
  /** MLX chosen but it could not serve: Gemini answered. */
  | { readonly kind: 'mlx-fallback'; readonly modelRepoId: string; readonly reason: string }
  | { readonly kind: 'error'; readonly message: string };

export function statusFor(backend: BackendKind, modelRepoId: string): BackendStatus {
  return backend === 'gemini' ? { kind: 'gemini' } : { kind: 'mlx-idle', modelRepoId };
}

const LINKS = [
  ['Open chat', 'mlx.openChat'],
  ['Select model', 'mlx.selectModel'],
  ['Show logs', 'mlx.showLogs'],
  ['Stop runner', 'mlx.stopRunner'],
] as const;

export interface StatusView {
  readonly text: string;
  readonly tooltip: vscode.MarkdownString;
  readonly name: string;
  /** Warning or error background for degraded states, as VS Code's own items do. */
  readonly backgroundColor?: vscode.ThemeColor;
}

/** The text, tooltip and background for a state; pure so tests can check each state's rendering. */
export function renderStatus(status: BackendStatus): StatusView {
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.supportThemeIcons = true;
  tooltip.isTrusted = { enabledCommands: [TOGGLE_BACKEND_COMMAND, ...LINKS.map(([, id]) => id)] };
  const speed = (tps?: number) => (tps !== undefined ? `\n\n**Last reply:** ${tps.toFixed(1)} tokens/s` : '');
  const links = (toggleTo: string) =>
    `\n\n---\n\n[Switch to ${toggleTo}](command:${TOGGLE_BACKEND_COMMAND}) · ` + LINKS.map(([title, id]) => `[${title}](command:${id})`).join(' · ');
  const name = 'MLX Backend';
  switch (status.kind) {
    case 'gemini':
      tooltip.appendMarkdown(`**Chat backend:** Gemini (cloud)${speed(status.tokensPerSecond)}${links('MLX')}`);
      return { text: '$(cloud) Gemini', tooltip, name };
    case 'mlx-idle':
      tooltip.appendMarkdown(`**Chat backend:** MLX (local)\n\n**Model:** ${modelName(status.modelRepoId)}\n\nThe runner starts with the first request.${links('Gemini')}`);
      return { text: `$(chip) MLX: ${modelName(status.modelRepoId)}`, tooltip, name };
    case 'mlx-starting':
      tooltip.appendMarkdown(`**Chat backend:** MLX (local)\n\n$(loading~spin) Starting the runner with **${modelName(status.modelRepoId)}**…${links('Gemini')}`);
      return { text: `$(loading~spin) MLX: starting ${modelName(status.modelRepoId)}`, tooltip, name };
    case 'mlx-ready':
      tooltip.appendMarkdown(`**Chat backend:** MLX (local), runner ready\n\n**Model:** ${modelName(status.modelRepoId)}${speed(status.tokensPerSecond)}${links('Gemini')}`);
      return { text: `$(chip) MLX: ${modelName(status.modelRepoId)}`, tooltip, name };
    case 'mlx-fallback':
      tooltip.appendMarkdown(`**Chat backend:** MLX chosen, **Gemini answered**\n\n$(warning) ${escape(status.reason)}${links('Gemini')}`);
      return { text: '$(warning) MLX → Gemini', tooltip, name, backgroundColor: new vscode.ThemeColor('statusBarItem.warningBackground') };
    case 'error':
      tooltip.appendMarkdown(`$(error) ${escape(status.message)}${links('Gemini')}`);
      return { text: '$(error) MLX', tooltip, name, backgroundColor: new vscode.ThemeColor('statusBarItem.errorBackground') };
  }
}

/** Display name of a seed model, or the repo's own name for anything else. */
function modelName(repoId: string): string {
  return findSeedModel(repoId)?.displayName ?? displayNameOf(repoId);
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The status-bar item: shows the chat backend's live state, and a click toggles Gemini ⇄ MLX. */
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

  get backgroundColor(): vscode.ThemeColor | undefined {
    return this.item.backgroundColor;
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
    this.item.backgroundColor = view.backgroundColor;
    this.item.accessibilityInformation = { label: view.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
  }
}
