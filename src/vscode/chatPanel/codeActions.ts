import * as vscode from 'vscode';

/** Markdown fence names that differ from VS Code language ids. */
const ALIASES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescriptreact',
  js: 'javascript',
  jsx: 'javascriptreact',
  py: 'python',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  shell: 'shellscript',
  md: 'markdown',
  yml: 'yaml',
  rs: 'rust',
  'c++': 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  kt: 'kotlin',
};

/** The VS Code language id for a fence name, or plaintext for anything VS Code does not know. */
export async function languageIdFor(fence: string): Promise<string> {
  const wanted = ALIASES[fence.toLowerCase()] ?? fence.toLowerCase();
  if (!wanted) return 'plaintext';
  const known = await vscode.languages.getLanguages();
  return known.includes(wanted) ? wanted : 'plaintext';
}

/** Replaces each selection of the editor with the code (an empty selection is the cursor). */
export async function insertAtCursor(editor: vscode.TextEditor | undefined, code: string): Promise<boolean> {
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file first: the code goes where its cursor is.');
    return false;
  }
  const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection });
  return shown.edit((edit) => {
    for (const selection of shown.selections) edit.replace(selection, code);
  });
}

/**
 * Opens the code in a new untitled editor with its language: in the column of the editor the user worked
 * in, else beside the chat, so the chat stays in view.
 */
export async function openInNewFile(code: string, fence: string, near: vscode.TextEditor | undefined): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ content: code, language: await languageIdFor(fence) });
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: near?.viewColumn ?? vscode.ViewColumn.Beside });
  return document;
}
