import { type ChatBackend, ChatError } from '../../core/chat/chatBackend';
import { ChatRouter } from '../../core/chat/chatRouter';
import { LocalMlx } from '../../core/chat/localMlx';
import { defaultSeedModel } from '../../core/catalog/seedModels';
import { type BackendKind } from '../../core/router/backendKind';
import { type CliContext } from '../cliContext';

export interface ChatCommandOptions {
  readonly backend: BackendKind;
  readonly prompt: string;
  readonly model?: string;
  readonly python?: string;
  readonly system?: string;
  readonly maxTokens?: number;
  readonly fallback: boolean;
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/**
 * `chat "prompt"`: one answer through the same router, runner supervisor and clients as the extension.
 * Text streams to stdout (reasoning dimmed on a terminal); usage and tokens/s go to stderr at the end;
 * `--json` prints every event as a line. The runner is stopped afterwards (a CLI run leaves nothing behind).
 */
export async function chatCommand(ctx: CliContext, options: ChatCommandOptions): Promise<number> {
  const env = ctx.io.env;
  const model = options.model ?? defaultSeedModel().repoId;
  const local = new LocalMlx({
    model: () => model,
    cacheRoot: () => ctx.cacheRoot,
    pythonPath: () => options.python ?? env.MLX_PYTHON,
    env,
    logger: ctx.io.logger,
  });
  const geminiKey = env.GEMINI_API_KEY?.trim() || env.GOOGLE_API_KEY?.trim();
  let gemini: ChatBackend | undefined;
  const router = new ChatRouter({
    choice: () => options.backend,
    fallbackEnabled: () => options.fallback,
    mlx: () => local.readiness(),
    gemini: async () => {
      if (!geminiKey) return undefined;
      // Loaded only when Gemini is used: the SDK is large.
      const { GeminiBackend } = await import('../../core/chat/geminiBackend');
      gemini ??= new GeminiBackend({ apiKey: geminiKey, baseUrl: env.GOOGLE_GEMINI_BASE_URL?.trim() || undefined, logger: ctx.io.logger });
      return gemini;
    },
    geminiModel: () => (options.backend === 'gemini' && options.model) || 'gemini-2.5-flash',
    logger: ctx.io.logger,
  });

  const dim = ctx.io.isTTY && !ctx.options.json;
  let inReasoning = false;
  let usage: string | undefined;
  let finishReason: string | undefined;
  try {
    const messages = [{ role: 'user' as const, content: options.prompt }];
    const stream = router.stream(messages, { ...(options.system ? { systemPrompt: options.system } : {}), ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}) }, ctx.io.signal);
    let activity: { dispose(): void } | undefined;
    for await (const event of stream) {
      if (ctx.options.json) {
        ctx.io.stdout(JSON.stringify(event) + '\n');
        continue;
      }
      switch (event.type) {
        case 'route':
          activity = event.route.backend === 'mlx' ? local.beginActivity() : undefined;
          if (event.route.backend === 'gemini' && event.route.fallbackReason) ctx.io.stderr(`(MLX can't answer: ${event.route.fallbackReason} Answering with Gemini.)\n`);
          break;
        case 'reasoning':
          if (!inReasoning) ctx.io.stdout(dim ? DIM : '[thinking] ');
          inReasoning = true;
          ctx.io.stdout(event.text);
          break;
        case 'text':
          if (inReasoning) ctx.io.stdout(dim ? `${RESET}\n` : '\n[answer] ');
          inReasoning = false;
          ctx.io.stdout(event.text);
          break;
        case 'usage':
          usage = `${event.promptTokens} prompt + ${event.completionTokens} completion tokens`;
          break;
        case 'done':
          if (inReasoning && dim) ctx.io.stdout(RESET);
          ctx.io.stdout('\n');
          finishReason = event.finishReason;
          break;
        case 'metrics': {
          // One closing line on stderr, so stdout holds only the answer.
          const parts = [usage, event.tokensPerSecond !== undefined ? `${event.tokensPerSecond.toFixed(1)} tokens/s` : undefined, event.timeToFirstTokenMs !== undefined ? `first token after ${Math.round(event.timeToFirstTokenMs)} ms` : undefined];
          ctx.io.stderr(`${parts.filter(Boolean).join(' · ')}\n`);
          if (finishReason === 'length') ctx.io.stderr('(stopped at the token limit: use --max-tokens for longer answers)\n');
          break;
        }
      }
    }
    activity?.dispose();
    return 0;
  } catch (error) {
    if (inReasoning && dim) ctx.io.stdout(RESET);
    if (error instanceof ChatError && error.kind !== 'cancelled') throw new ChatCliError(error.userMessage);
    throw error;
  } finally {
    router.dispose();
    await local.reset();
    local.dispose();
  }
}

/** A chat failure, printed as one line (exit 1). */
class ChatCliError extends Error {
  override readonly name = 'ChatCliError';
}
