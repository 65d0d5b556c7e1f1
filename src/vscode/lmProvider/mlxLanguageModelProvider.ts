import * as vscode from 'vscode';
import { type ChatMessage } from '../../core/chat/chatBackend';
import { formatBytes } from '../../core/format/formatBytes';
import { Disposable } from '../../core/lifecycle/disposable';
import { type Settings } from '../config/settings';
import { type InferenceServices } from '../inference/inferenceServices';
import { type ModelServices } from '../models/modelServices';

export const LM_VENDOR = 'mlx';

/** Context length when a model's config.json can't tell (mlx_lm's own default prompt budget is similar). */
const FALLBACK_CONTEXT_TOKENS = 8192;

/**
 * Offers every downloaded MLX model in VS Code's model picker (vendor `mlx`), so the editor's own
 * chat and agent features can use them. Answers stream through the router with that model chosen.
 */
export class MlxLanguageModelProvider extends Disposable implements vscode.LanguageModelChatProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;

  constructor(
    private readonly services: Promise<ModelServices>,
    private readonly inference: Promise<InferenceServices>,
    private readonly settings: Settings,
  ) {
    super();
    // The list follows downloads and deletes (and configs arriving for maxInputTokens).
    void services.then((s) => {
      let last = '';
      const fireIfChanged = () => {
        const now = s.manager
          .list()
          .filter((e) => e.status.kind === 'downloaded')
          .map((e) => `${e.repoId}:${s.advisor.config(e.repoId)?.contextLength ?? ''}`)
          .join(',');
        if (now !== last) {
          last = now;
          this.changed.fire();
        }
      };
      this._register(s.manager.onDidChange(fireIfChanged));
      this._register(s.advisor.onDidChange(fireIfChanged));
    });
  }

  async provideLanguageModelChatInformation(): Promise<vscode.LanguageModelChatInformation[]> {
    const { manager, advisor } = await this.services;
    const downloaded = manager.list().filter((e) => e.status.kind === 'downloaded');
    await Promise.all(downloaded.map((e) => advisor.ensureConfig(e)));
    return downloaded.map((entry) => {
      const config = advisor.config(entry.repoId);
      const context = config?.contextLength ?? config?.maxPositionEmbeddings ?? FALLBACK_CONTEXT_TOKENS;
      const maxOutputTokens = Math.min(this.settings.maxTokens, context);
      return {
        id: entry.repoId,
        name: entry.displayName,
        family: config?.modelType ?? 'mlx',
        version: entry.status.kind === 'downloaded' ? entry.status.commit.slice(0, 8) : 'local',
        maxInputTokens: Math.max(1, context - maxOutputTokens),
        maxOutputTokens,
        tooltip: `${entry.repoId} — runs locally with mlx_lm`,
        detail: `local · ${formatBytes(entry.sizeOnDisk)}`,
        capabilities: {},
      };
    });
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    _options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const inference = await this.inference;
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const stream = inference.router.stream(toChatMessages(messages), { maxTokens: model.maxOutputTokens }, controller.signal, { backend: 'mlx', mlxModel: model.id });
      for await (const event of stream) {
        // Reasoning stays out: callers of the LM API expect the answer only.
        if (event.type === 'text') progress.report(new vscode.LanguageModelTextPart(event.text));
        if (event.type === 'metrics' && event.tokensPerSecond !== undefined) inference.reportSpeed(event.tokensPerSecond);
      }
    } finally {
      cancel.dispose();
    }
  }

  /** About four characters per token for English and code: close enough for budgeting prompts. */
  async provideTokenCount(_model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    const value = typeof text === 'string' ? text : textOf(text);
    return Math.ceil(value.length / 4);
  }
}

function toChatMessages(messages: readonly vscode.LanguageModelChatRequestMessage[]): ChatMessage[] {
  return messages
    .map((m): ChatMessage => ({ role: m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user', content: textOf(m) }))
    .filter((m) => m.content.length > 0);
}

function textOf(message: vscode.LanguageModelChatRequestMessage): string {
  return message.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}
