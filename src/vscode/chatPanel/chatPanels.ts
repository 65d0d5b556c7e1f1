import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle/disposable';
import { Emitter } from '../../core/lifecycle/emitter';
import { type ChatPanel, type ChatPanelDeps } from './chatPanel';
import { webviewOptions } from './chatHtml';
import { ChatHistoryStore } from './chatHistoryStore';
import { EditorTracker } from './editorTracker';

export const OPEN_CHAT_COMMAND = 'mlx.openChat';
const VIEW_TYPE = 'mlx.chat';

export interface ChatPanelsDeps extends Omit<ChatPanelDeps, 'store' | 'editors'> {
  readonly workspaceState: vscode.Memento;
}

/**
 * Owns the one chat panel: the "MLX: Open Chat" command, and the serializer that brings the panel back
 * after a window reload. The panel's module loads only when a panel is first shown.
 */
export class ChatPanels extends Disposable {
  private panel: ChatPanel | undefined;
  private readonly editors = this._register(new EditorTracker());
  private readonly store: ChatHistoryStore;
  private readonly opened = this._register(new Emitter<ChatPanel>());
  /** Fires with each new panel (opened by the command or revived after a reload). */
  readonly onDidOpen = this.opened.event;

  constructor(private readonly deps: ChatPanelsDeps) {
    super();
    this.store = new ChatHistoryStore(deps.workspaceState);
    this._register(vscode.commands.registerCommand(OPEN_CHAT_COMMAND, () => this.open()));
    this._register(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (webviewPanel) => {
          await this.adopt(webviewPanel);
        },
      }),
    );
  }

  get current(): ChatPanel | undefined {
    return this.panel;
  }

  /** Shows the panel, creating it if needed. */
  async open(): Promise<ChatPanel> {
    if (this.panel) {
      this.panel.panel.reveal();
      return this.panel;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, 'MLX Chat', { viewColumn: column, preserveFocus: false }, { ...webviewOptions(this.deps.extensionUri), retainContextWhenHidden: false });
    return this.adopt(webviewPanel);
  }

  private async adopt(webviewPanel: vscode.WebviewPanel): Promise<ChatPanel> {
    const { ChatPanel } = await import('./chatPanel');
    // A second revived panel (two were open before a reload) replaces the first: one conversation, one view.
    this.panel?.dispose();
    const panel = new ChatPanel(webviewPanel, { ...this.deps, store: this.store, editors: this.editors });
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.opened.fire(panel);
    return panel;
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}
