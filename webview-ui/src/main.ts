// Chat panel entry point (bundled to dist/webview/main.js). For now it completes the ready
// handshake; the chat UI is built on this with @vscode-elements/elements.
import { parseHostMessage, type WebviewToHost } from '../../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  if (message.type === 'init') {
    document.body.dataset.version = message.version;
  }
});

vscode.postMessage({ type: 'ready' });
