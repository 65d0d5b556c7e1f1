import type { Content } from '@google/genai';
import type { ChatMessage } from './chatBackend';

/** What a chat history becomes for `generateContentStream`. */
export interface GeminiRequest {
  readonly contents: Content[];
  /** System prompt plus any `system` messages, or undefined when there are none. */
  readonly systemInstruction: string | undefined;
}

/**
 * Maps a chat history to Gemini's shape: assistant turns become role `model`, system text moves to
 * `systemInstruction` (Gemini has no system role in `contents`), empty turns (a cancelled answer)
 * are dropped because Gemini rejects empty parts, and consecutive turns of one role are merged into
 * one content with several parts, because the API expects user and model turns to alternate.
 */
export function toGeminiRequest(messages: readonly ChatMessage[], systemPrompt?: string): GeminiRequest {
  const system: string[] = systemPrompt?.trim() ? [systemPrompt] : [];
  const contents: Content[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      if (message.content.trim()) system.push(message.content);
      continue;
    }
    if (!message.content) continue;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts = [...(last.parts ?? []), { text: message.content }];
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  return { contents, systemInstruction: system.length ? system.join('\n\n') : undefined };
}
