import type * as vscode from 'vscode';
import { type ChatTurn, parseHistory } from '../../shared/protocol';

const KEY = 'mlx.chat.history';
/** Old turns beyond this are dropped from storage (the model's context would not hold them anyway). */
const MAX_STORED_TURNS = 200;

/**
 * The conversation, stored per workspace in `workspaceState`, so it survives closing the panel and
 * reloading the window. The webview never holds it: it gets a copy in `init`.
 */
export class ChatHistoryStore {
  constructor(private readonly state: vscode.Memento) {}

  /** Stored turns; a turn still streaming when the window went away comes back as cancelled. */
  load(): ChatTurn[] {
    const turns = parseHistory(this.state.get<unknown>(KEY)) ?? [];
    return turns.map((t) => (t.status === 'streaming' ? { ...t, status: 'cancelled' } : t));
  }

  async save(turns: readonly ChatTurn[]): Promise<void> {
    await this.state.update(KEY, turns.slice(-MAX_STORED_TURNS));
  }
}
