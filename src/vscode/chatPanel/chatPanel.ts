import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle/disposable';
import { Emitter } from '../../core/lifecycle/emitter';
import { type ActionId, type HostToWebview, type PanelState, parseWebviewMessage, type WebviewToHost } from '../../shared/protocol';
import { type Settings } from '../config/settings';
import { type InferenceServices } from '../inference/inferenceServices';
import { type ModelServices } from '../models/modelServices';
import { chatHtml, webviewOptions } from './chatHtml';
import { type ChatHistoryStore } from './chatHistoryStore';
import { ChatSession } from './chatSession';
import { insertAtCursor, openInNewFile } from './codeActions';
import { withEditorContext } from './editorContext';
import { type EditorTracker } from './editorTracker';
import { panelState } from './panelState';

export const CHAT_VIEW_TYPE = 'mlx.chat';

export interface ChatPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly settings: Settings;
  readonly services: Promise<ModelServices>;
  readonly inference: Promise<InferenceServices>;
  readonly store: ChatHistoryStore;
  readonly editors: EditorTracker;
  readonly log: vscode.LogOutputChannel;
  readonly version: string;
}

const COMMAND_OF: Record<ActionId, string> = {
  setGeminiKey: 'mlx.setGeminiKey',
  showLogs: 'mlx.showLogs',
  downloadModel: 'mlx.downloadModel',
  openSettings: 'mlx.openSettings',
};

/**
 * The chat in an editor-area webview panel: binds one WebviewPanel to a ChatSession (the conversation
 * lives on the host), validates every message from the webview, and keeps the pickers in sync with the
 * settings the status bar uses. Nothing is posted before the webview says `ready`. Each `ready` (also
 * after the webview reloaded because it was hidden: no retainContextWhenHidden) gets a fresh `init`
 * snapshot, which already holds the effect of anything said while no page listened, so nothing is
 * replayed twice and nothing is missed.
 */
export class ChatPanel extends Disposable {
  readonly session: ChatSession;
  private ready = false;
  private lastState = '';
  private manager: ModelServices['manager'] | undefined;
  private readonly becameReady = this._register(new Emitter<void>());
  /** Fires each time the webview (re)loads and completes the handshake. */
  readonly onDidBecomeReady = this.becameReady.event;
  private readonly sent = this._register(new Emitter<HostToWebview>());
  /** Every message actually posted to the webview (for tests and logs). */
  readonly onDidPostToWebview = this.sent.event;
  private readonly closed = this._register(new Emitter<void>());
  readonly onDidDispose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: ChatPanelDeps,
  ) {
    super();
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlx.svg');
    this.session = this._register(
      new ChatSession({
        store: deps.store,
        inference: deps.inference,
        maxTokens: () => deps.settings.maxTokens,
        systemPrompt: () => deps.settings.systemPrompt,
        selectedModel: () => {
          const repoId = deps.settings.selectedModel;
          return { repoId, downloaded: this.manager?.get(repoId)?.status.kind === 'downloaded' };
        },
        log: deps.log,
      }),
    );
    this._register(this.session.onDidPost((m) => this.post(m)));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(deps.settings.onDidChange(() => this.postState()));
    void deps.services.then((s) => {
      if (this.isDisposed) return;
      this.manager = s.manager;
      this._register(s.manager.onDidChange(() => this.postState()));
      this.postState();
    });
    panel.webview.html = chatHtml(panel.webview, deps.extensionUri);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves once the webview has completed the handshake. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.onDidBecomeReady(() => resolve()));
  }

  /** Handles one message as if the webview had sent it (unknown or malformed ones are dropped). */
  receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn(`[chat] dropped a malformed message from the webview`);
      return;
    }
    void this.handle(message).catch((error: unknown) => {
      this.deps.log.error(`[chat] ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async handle(message: WebviewToHost): Promise<void> {
    const { settings } = this.deps;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.lastState = JSON.stringify(this.state());
        this.send({ type: 'init', history: this.session.history, version: this.deps.version, ...this.state() });
        this.becameReady.fire();
        return;
      case 'send': {
        const context = withEditorContext(message.text, this.deps.editors.editor, { selection: message.includeSelection, activeFile: message.includeActiveFile });
        await this.session.ask({ text: message.text, ...context });
        return;
      }
      case 'stop':
        return this.session.stop();
      case 'regenerate':
        await this.session.regenerate();
        return;
      case 'newChat':
        return this.session.newChat();
      case 'copyCode':
        await vscode.env.clipboard.writeText(message.code);
        return;
      case 'insertCode':
        await insertAtCursor(this.deps.editors.editor, message.code);
        return;
      case 'newFile':
        await openInNewFile(message.code, message.language, this.deps.editors.editor);
        return;
      case 'pickBackend':
        if (message.backend !== settings.backend) await settings.setBackend(message.backend);
        return;
      case 'pickModel':
        // Only models the picker offered: the webview cannot point the setting anywhere else.
        if (this.state().models.some((m) => m.repoId === message.repoId) && message.repoId !== settings.selectedModel) await settings.setSelectedModel(message.repoId);
        return;
      case 'download':
        await vscode.commands.executeCommand('mlx.downloadModel', message.repoId);
        return;
      case 'action':
        await vscode.commands.executeCommand(COMMAND_OF[message.id], ...(message.id === 'downloadModel' ? [settings.selectedModel] : []));
        return;
      case 'openLink': {
        const uri = vscode.Uri.parse(message.url, true);
        if (uri.scheme === 'http' || uri.scheme === 'https') await vscode.env.openExternal(uri);
        return;
      }
    }
  }

  private state(): PanelState {
    return panelState(this.deps.settings, this.manager);
  }

  /** Sends the picker state when it changed (the manager fires often during downloads). */
  private postState(): void {
    const state = this.state();
    const json = JSON.stringify(state);
    if (json === this.lastState) return;
    this.lastState = json;
    this.post({ type: 'state', ...state });
  }

  private post(message: HostToWebview): void {
    if (this.ready) this.send(message);
  }

  private send(message: HostToWebview): void {
    void this.panel.webview.postMessage(message);
    this.sent.fire(message);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.closed.fire();
    super.dispose();
    this.panel.dispose();
  }
}
