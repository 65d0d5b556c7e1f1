// Texts the chat shows for metrics, routes and error actions.
import { type ActionId, type TurnMetrics, type TurnRoute } from '../../src/shared/protocol';

export const ACTION_LABELS: Record<ActionId, string> = {
  setGeminiKey: 'Set API Key',
  showLogs: 'Show Logs',
  downloadModel: 'Download Model',
  openSettings: 'Open Settings',
};

/** The last part of a repo id, as a short model name ("Llama-3.2-1B-Instruct-4bit"). */
export function shortModel(model: string): string {
  return model.split('/').pop() ?? model;
}

/** "Llama 3.1 8B Instruct 4-bit is not downloaded — answered by Gemini" */
export function fallbackNotice(route: TurnRoute): string {
  return `${(route.fallbackReason ?? '').trim().replace(/\.$/, '')} — answered by Gemini`;
}

/** The reply footer: who answered, time to first token, speed, tokens. */
export function footerText(route: TurnRoute | undefined, metrics: TurnMetrics | undefined, status: string): string {
  const parts: string[] = [];
  if (route) parts.push(route.backend === 'gemini' ? `Gemini · ${route.model}` : `MLX · ${shortModel(route.model)}`);
  if (metrics?.timeToFirstTokenMs !== undefined) parts.push(`${(metrics.timeToFirstTokenMs / 1000).toFixed(2)} s to first token`);
  if (metrics?.tokensPerSecond !== undefined) parts.push(`${metrics.tokensPerSecond.toFixed(1)} tokens/s`);
  if (metrics?.completionTokens !== undefined) parts.push(`${metrics.completionTokens} tokens`);
  if (status === 'cancelled') parts.push('stopped');
  return parts.join(' · ');
}
