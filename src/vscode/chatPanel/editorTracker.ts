import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle/disposable';

/**
 * Remembers the last text editor the user worked in. While the chat panel has focus
 * `window.activeTextEditor` is undefined, yet "include selection" and "Insert at Cursor" mean that editor.
 */
export class EditorTracker extends Disposable {
  private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;

  constructor() {
    super();
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.last = editor;
      }),
    );
  }

  /** The active editor, else the last one if it is still visible, else the first visible one. */
  get editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const visible = vscode.window.visibleTextEditors;
    if (this.last && visible.some((e) => e.document === this.last?.document)) return visible.find((e) => e.document === this.last?.document);
    return visible[0];
  }
}
