import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The folder of the webview bundle: the only place the webview may load anything from. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** Options every chat webview gets, new or revived: scripts on, resources only from the bundle folder. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot(extensionUri)] };
}

const escapeAttr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The page: a strict CSP (nothing but the bundle's script with this load's nonce, styles from the bundle
 * folder; web components' constructable stylesheets are not governed by style-src), every asset through
 * `asWebviewUri`, and no state in the HTML: the conversation arrives as the `init` message after `ready`.
 */
export function chatHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const root = webviewRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString();
  const styles = webview.asWebviewUri(vscode.Uri.joinPath(root, 'styles.css')).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(styles)}" nonce="${escapeAttr(nonce)}">
<title>MLX Chat</title>
</head>
<body>
<div id="app" aria-busy="true"></div>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(script)}"></script>
</body>
</html>`;
}
