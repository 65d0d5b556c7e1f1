import * as vscode from 'vscode';
import { ChatError } from '../../core/chat/chatBackend';
import { formatBytes } from '../../core/format/formatBytes';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type ModelEntry } from '../../core/models/modelEntry';
import { type Settings } from '../config/settings';
import { type InferenceServices } from '../inference/inferenceServices';
import { type ModelServices } from '../models/modelServices';
import { historyToMessages } from './historyToMessages';

export const PARTICIPANT_ID = 'mlx.chat';

export interface ParticipantDeps {
  readonly inference: Promise<InferenceServices>;
  readonly services: Promise<ModelServices>;
  readonly settings: Settings;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
}

/** `@mlx`: answers through the router (so fallback, cancel and metrics behave as everywhere else). */
export function createMlxParticipant(deps: ParticipantDeps): IDisposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, context, stream, token) => handleRequest(deps, request, context, stream, token));
  participant.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlx.svg');
  participant.followupProvider = {
    provideFollowups: (result) =>
      (result.metadata as { command?: string } | undefined)?.command === 'models'
        ? []
        : [
            { prompt: 'Explain that in more detail', label: 'More detail' },
            { prompt: '', command: 'models', label: 'Switch model' },
          ],
  };
  return participant;
}

/** The request handler, exported so extension-host tests can call it with their own request objects. */
export async function handleRequest(
  deps: ParticipantDeps,
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  if (request.command === 'models') return listModels(deps, stream);
  if (request.command === 'use') return useModel(deps, request.prompt, stream);

  const inference = await deps.inference;
  const controller = new AbortController();
  const cancel = token.onCancellationRequested(() => controller.abort());
  let inReasoning = false;
  let backend = 'unknown';
  try {
    const messages = [...historyToMessages(context.history), { role: 'user' as const, content: request.prompt }];
    const options = { maxTokens: deps.settings.maxTokens, ...(deps.settings.systemPrompt ? { systemPrompt: deps.settings.systemPrompt } : {}) };
    for await (const event of inference.router.stream(messages, options, controller.signal)) {
      switch (event.type) {
        case 'route':
          backend = event.route.backend;
          if (event.route.backend === 'mlx') stream.progress(`Asking ${event.route.model.split('/').pop()}…`);
          if (event.route.backend === 'gemini' && event.route.fallbackReason) {
            stream.markdown(`*${event.route.fallbackReason} — answered by Gemini.*\n\n`);
            if (/not downloaded/.test(event.route.fallbackReason)) stream.button({ command: 'mlx.downloadModel', arguments: [deps.settings.selectedModel], title: 'Download the model' });
          }
          break;
        case 'reasoning':
          // Thinking shows as a quote, so it reads apart from the answer (and is left out of history).
          stream.markdown(`${inReasoning ? '' : '> 💭 '}${event.text.replace(/\n/g, '\n> ')}`);
          inReasoning = true;
          break;
        case 'text':
          if (inReasoning) stream.markdown('\n\n');
          inReasoning = false;
          stream.markdown(event.text);
          break;
        case 'metrics':
          if (event.tokensPerSecond !== undefined) inference.reportSpeed(event.tokensPerSecond);
          break;
      }
    }
    return { metadata: { backend } };
  } catch (error) {
    if (controller.signal.aborted || (error instanceof ChatError && error.kind === 'cancelled')) return { metadata: { backend, cancelled: true } };
    const message = error instanceof ChatError ? error.userMessage : error instanceof Error ? error.message : String(error);
    deps.log.warn(`[chat] @mlx failed: ${message}`);
    if (error instanceof ChatError && error.kind === 'auth') stream.button({ command: 'mlx.setGeminiKey', title: 'Set Gemini API Key' });
    if (error instanceof ChatError && error.kind === 'unavailable') stream.button({ command: 'mlx.downloadModel', arguments: [deps.settings.selectedModel], title: 'Download the model' });
    stream.button({ command: 'mlx.showLogs', title: 'Show Logs' });
    return { errorDetails: { message }, metadata: { backend } };
  } finally {
    cancel.dispose();
  }
}

async function listModels(deps: ParticipantDeps, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
  const { manager } = await deps.services;
  const entries = manager.list();
  const downloaded = entries.filter((e) => e.status.kind === 'downloaded');
  stream.markdown(downloaded.length ? '**Downloaded models**\n\n' : 'No model is downloaded yet.\n\n');
  for (const entry of downloaded) {
    stream.markdown(`- ${entry.displayName}${entry.selected ? ' — *active*' : ''} (${formatBytes(entry.sizeOnDisk)})\n`);
    if (!entry.selected) stream.button({ command: 'mlx.selectModel', arguments: [entry.repoId], title: `Use ${entry.displayName}` });
  }
  const available = entries.filter((e) => e.seed && e.status.kind !== 'downloaded');
  if (available.length) stream.markdown('\n**Available to download**\n\n');
  for (const entry of available) {
    stream.markdown(`- ${entry.displayName}${entry.downloadSizeBytes ? ` (${formatBytes(entry.downloadSizeBytes)})` : ''}\n`);
    stream.button({ command: 'mlx.downloadModel', arguments: [entry.repoId], title: `Download ${entry.displayName}` });
  }
  return { metadata: { command: 'models' } };
}

async function useModel(deps: ParticipantDeps, query: string, stream: vscode.ChatResponseStream): Promise<vscode.ChatResult> {
  const { manager } = await deps.services;
  const match = findModel(manager.list(), query);
  if (!match) {
    stream.markdown(`No model matches "${query.trim()}". Try \`/models\`.`);
    return { metadata: { command: 'use' } };
  }
  if (match.status.kind !== 'downloaded') {
    stream.markdown(`${match.displayName} is not downloaded yet.`);
    stream.button({ command: 'mlx.downloadModel', arguments: [match.repoId], title: `Download ${match.displayName}` });
    return { metadata: { command: 'use' } };
  }
  await deps.settings.setSelectedModel(match.repoId);
  stream.markdown(`Now using **${match.displayName}**.`);
  return { metadata: { command: 'use', model: match.repoId } };
}

/** By repo id, then by words of the display name ("3b", "r1 qwen 8-bit"). */
export function findModel(entries: readonly ModelEntry[], query: string): ModelEntry | undefined {
  const q = query.trim().toLowerCase();
  if (!q) return undefined;
  const exact = entries.find((e) => e.repoId.toLowerCase() === q || e.displayName.toLowerCase() === q);
  if (exact) return exact;
  const words = q.split(/\s+/);
  const matches = entries.filter((e) => words.every((w) => `${e.displayName} ${e.repoId}`.toLowerCase().includes(w)));
  return matches.find((e) => e.status.kind === 'downloaded') ?? matches[0];
}
