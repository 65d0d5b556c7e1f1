import assert from 'node:assert/strict';
import { type ChatBackend, ChatError, type ChatEvent } from '../../../../src/core/chat/chatBackend';
import { ChatRouter, type MlxReadiness, type RouteDecision, type RoutedEvent } from '../../../../src/core/chat/chatRouter';
import { type BackendKind } from '../../../../src/core/router/backendKind';

/** A backend that answers with fixed events: the router's behaviour is what is tested, not a backend. */
function scripted(id: string, events: ChatEvent[]): ChatBackend & { calls: number } {
  const backend = {
    id,
    calls: 0,
    async *stream() {
      backend.calls++;
      for (const e of events) yield e;
    },
  };
  return backend;
}

const answer = (text: string): ChatEvent[] => [
  { type: 'text', text },
  { type: 'text', text: '!' },
  { type: 'usage', promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  { type: 'done', finishReason: 'stop' },
];

async function collect(stream: AsyncIterable<RoutedEvent>): Promise<RoutedEvent[]> {
  const out: RoutedEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe('ChatRouter', () => {
  let choice: BackendKind;
  let mlxState: MlxReadiness;
  let fallback: boolean;
  let geminiKey: boolean;
  const mlx = scripted('mlx', answer('local'));
  const gemini = scripted('gemini', answer('cloud'));
  const router = new ChatRouter({
    choice: () => choice,
    fallbackEnabled: () => fallback,
    mlx: async () => mlxState,
    gemini: async () => (geminiKey ? gemini : undefined),
    geminiModel: () => 'gemini-2.5-flash',
  });

  beforeEach(() => {
    choice = 'mlx';
    mlxState = { ok: true, backend: mlx, model: 'mlx-community/Llama-3.2-3B-Instruct-4bit' };
    fallback = true;
    geminiKey = true;
  });

  it('answers with MLX when it can serve, announcing the route first and metrics last', async () => {
    const events = await collect(router.stream([{ role: 'user', content: 'hi' }], {}));
    assert.deepEqual(events[0], { type: 'route', route: { backend: 'mlx', model: 'mlx-community/Llama-3.2-3B-Instruct-4bit' } });
    assert.deepEqual(
      events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text),
      ['local', '!'],
    );
    const metrics = events.at(-1)!;
    assert.equal(metrics.type, 'metrics');
    assert.ok((metrics as { timeToFirstTokenMs?: number }).timeToFirstTokenMs !== undefined);
  });

  it('falls back to Gemini with the reason, and returns to MLX once it can serve again', async () => {
    const routes: RouteDecision[] = [];
    const listener = router.onDidRoute((r) => routes.push(r));
    mlxState = { ok: false, reason: 'Llama 3.2 3B is not downloaded.' };
    const fallbackAnswer = await collect(router.stream([{ role: 'user', content: 'hi' }], {}));
    assert.deepEqual(fallbackAnswer[0], { type: 'route', route: { backend: 'gemini', model: 'gemini-2.5-flash', fallbackReason: 'Llama 3.2 3B is not downloaded.' } });
    assert.equal((fallbackAnswer[1] as { text: string }).text, 'cloud');

    mlxState = { ok: true, backend: mlx, model: 'm' };
    await collect(router.stream([{ role: 'user', content: 'hi' }], {}));
    listener.dispose();
    assert.deepEqual(
      routes.map((r) => r.backend),
      ['gemini', 'mlx'],
    );
  });

  it('says what to do when MLX cannot serve and fallback is off, or Gemini has no key', async () => {
    mlxState = { ok: false, reason: 'mlx_lm is not installed.' };
    fallback = false;
    await assert.rejects(collect(router.stream([], {})), (e: unknown) => e instanceof ChatError && e.kind === 'unavailable' && e.message === 'mlx_lm is not installed.');
    fallback = true;
    geminiKey = false;
    await assert.rejects(collect(router.stream([], {})), (e: unknown) => e instanceof ChatError && /Set Gemini API Key/.test(e.message));
    choice = 'gemini';
    await assert.rejects(collect(router.stream([], {})), (e: unknown) => e instanceof ChatError && e.kind === 'auth');
  });

  it('uses Gemini when chosen, without touching MLX', async () => {
    choice = 'gemini';
    const before = mlx.calls;
    const events = await collect(router.stream([{ role: 'user', content: 'hi' }], {}));
    assert.equal((events[0] as { route: RouteDecision }).route.backend, 'gemini');
    assert.equal(mlx.calls, before);
  });
});
