import type { GenerateContentResponse } from '@google/genai';
import { ChatError, type ChatEvent, type FinishReason } from './chatBackend';

/** The parts of a streamed `GenerateContentResponse` we read (plain data, so tests can build them). */
export type GeminiChunk = Pick<GenerateContentResponse, 'candidates' | 'usageMetadata' | 'promptFeedback'>;

/**
 * Turns streamed Gemini responses into {@link ChatEvent}s. Pure. Gemini has no end marker: the last
 * chunk carries `finishReason`, so a stream that ends without one broke off.
 */
export class GeminiStreamMapper {
  private finishReason: FinishReason | undefined;
  private rawFinishReason: string | undefined;
  private usage: Extract<ChatEvent, { type: 'usage' }> | undefined;

  /** The finish reason as Gemini wrote it (`SAFETY`, `RECITATION`, …), for logs. */
  get geminiFinishReason(): string | undefined {
    return this.rawFinishReason;
  }

  /** True once a chunk carried a finishReason: the answer is over. */
  get isComplete(): boolean {
    return this.finishReason !== undefined;
  }

  /** Maps one chunk. Throws ChatError `bad-request` when Gemini blocked the prompt itself. */
  map(chunk: GeminiChunk): ChatEvent[] {
    const events: ChatEvent[] = [];
    const blocked = chunk.promptFeedback?.blockReason;
    if (blocked) {
      throw new ChatError('bad-request', `Gemini blocked the prompt (${blocked}): rephrase it and try again.`, { backend: 'gemini' });
    }
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (typeof part.text !== 'string' || !part.text) continue;
      // Thought summaries (Gemini 2.5 with includeThoughts) are reasoning, not answer text.
      events.push({ type: part.thought ? 'reasoning' : 'text', text: part.text });
    }
    if (candidate?.finishReason) {
      this.rawFinishReason = candidate.finishReason;
      this.finishReason = toFinishReason(candidate.finishReason);
    }
    const usage = chunk.usageMetadata;
    if (usage) {
      const promptTokens = usage.promptTokenCount ?? 0;
      // Thinking tokens are billed as output, so they count as completion here.
      const completionTokens = (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
      this.usage = { type: 'usage', promptTokens, completionTokens, totalTokens: usage.totalTokenCount ?? promptTokens + completionTokens };
    }
    return events;
  }

  /** Call when the stream ended without error. Throws ChatError `crashed` when no finishReason came. */
  finish(): ChatEvent[] {
    if (this.finishReason === undefined) {
      throw new ChatError('crashed', 'The Gemini answer broke off before it was complete: try again.', { backend: 'gemini' });
    }
    return [...(this.usage ? [this.usage] : []), { type: 'done', finishReason: this.finishReason }];
  }
}

function toFinishReason(reason: string): FinishReason {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  return 'other';
}
