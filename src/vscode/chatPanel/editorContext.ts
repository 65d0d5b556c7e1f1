import path from 'node:path';
import type * as vscode from 'vscode';

/** Whole files larger than this are cut: a local model's context window is small. */
const MAX_CONTEXT_CHARS = 60_000;

export interface PromptWithContext {
  readonly prompt: string;
  readonly contextLabel?: string;
}

/**
 * Adds the editor's selection and/or whole file to the user's text as fenced blocks. Returns the
 * text unchanged when nothing is asked for or there is no editor.
 */
export function withEditorContext(text: string, editor: vscode.TextEditor | undefined, include: { selection?: boolean; activeFile?: boolean }): PromptWithContext {
  if (!editor || (!include.selection && !include.activeFile)) return { prompt: text };
  const doc = editor.document;
  const name = path.basename(doc.fileName || doc.uri.path) || 'untitled';
  const fence = (body: string) => {
    // A fence longer than any backtick run inside, so code containing ``` cannot end it early.
    const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}${doc.languageId}\n${body}\n${ticks}`;
  };
  const parts: string[] = [];
  const labels: string[] = [];
  const selection = editor.selection;
  if (include.selection && !selection.isEmpty) {
    const lines = `lines ${selection.start.line + 1}–${selection.end.line + 1}`;
    parts.push(`Selected code from \`${name}\` (${lines}):\n${fence(cut(doc.getText(selection)))}`);
    labels.push(`selection of ${name} (${lines})`);
  }
  if (include.activeFile) {
    parts.push(`The file \`${name}\`:\n${fence(cut(doc.getText()))}`);
    labels.push(name);
  }
  if (parts.length === 0) return { prompt: text };
  return { prompt: `${text}\n\n${parts.join('\n\n')}`, contextLabel: labels.join(', ') };
}

function cut(text: string): string {
  return text.length > MAX_CONTEXT_CHARS ? `${text.slice(0, MAX_CONTEXT_CHARS)}\n… (cut)` : text;
}
