import * as vscode from 'vscode';
import { type ChatMessage } from '../../core/chat/chatBackend';

/**
 * The participant's earlier turns as chat messages (VS Code gives a participant only its own turns;
 * the prompt must carry them for the model to follow the conversation).
 */
export function historyToMessages(history: vscode.ChatContext['history']): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const turn of history) {
    if (turn instanceof vscode.ChatRequestTurn) {
      messages.push({ role: 'user', content: turn.prompt });
    } else if (turn instanceof vscode.ChatResponseTurn) {
      const text = turn.response
        .map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
        .join('')
        // Reasoning was shown as a quote and notices in italics; only the answer is history.
        .replace(/^> .*$/gm, '')
        .trim();
      if (text) messages.push({ role: 'assistant', content: text });
    }
  }
  return messages;
}
