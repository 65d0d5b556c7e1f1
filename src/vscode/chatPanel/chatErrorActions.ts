import { ChatError } from '../../core/chat/chatBackend';
import { type ActionId, type TurnError } from '../../shared/protocol';

/** An error card for a failed turn: the user-facing message and the actions that can fix it. */
export function errorCardFor(error: unknown): TurnError {
  if (error instanceof ChatError) {
    switch (error.kind) {
      case 'auth':
        return { message: error.userMessage, actions: ['setGeminiKey', 'openSettings'] };
      case 'unavailable':
        return { message: error.userMessage, actions: ['downloadModel', 'showLogs'] };
      default:
        return { message: error.userMessage, actions: ['showLogs'] };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `The chat failed: ${message}`, actions: ['showLogs'] satisfies ActionId[] };
}
