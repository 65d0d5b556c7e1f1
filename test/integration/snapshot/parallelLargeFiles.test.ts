import assert from 'node:assert/strict';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { MiB, type ModelEnv, startModelEnv } from './modelHarness';
import { type FixtureRepo } from '../../fixtures/hubStandin';

const REPO = 'mlx-community/Sharded-4bit';
const SHARDS = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];

function shardedModel(): FixtureRepo {
  return {
    id: REPO,
    files: [
      { path: 'config.json', content: JSON.stringify({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2 }) },
      { path: 'model.safetensors.index.json', content: JSON.stringify({ weight_map: Object.fromEntries(SHARDS.map((s, i) => [`w${i}`, s])) }) },
      ...SHARDS.map((path, i) => ({ path, size: 4 * MiB, seed: 40 + i })),
    ],
  };
}

/** For each shard, when it started and finished, as positions in the event stream. */
function spans(events: DownloadEvent[]): Map<string, { start: number; done: number }> {
  const result = new Map<string, { start: number; done: number }>();
  events.forEach((event, index) => {
    if (event.type !== 'file-start' && event.type !== 'file-done') return;
    if (!SHARDS.includes(event.path)) return;
    const span = result.get(event.path) ?? { start: -1, done: -1 };
    if (event.type === 'file-start') span.start = index;
    else span.done = index;
    result.set(event.path, span);
  });
  return result;
}

function overlapping(events: DownloadEvent[]): number {
  const all = [...spans(events).values()];
  return all.filter((a) => all.some((b) => a !== b && a.start < b.done && b.start < a.done)).length;
}

describe('downloadModel: large files one at a time on a fast link, in parallel on a capped one', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  afterEach(() => env?.close());

  // Shards count as large from 1 MiB here (the product's threshold is 64 MiB), so small fixtures suffice.
  const transfer = { retryBaseDelayMs: 10, stallTimeoutMs: 5000, partThresholdBytes: 1 * MiB, minPartBytes: 256 * 1024 };

  it('fetches the shards one after another when one connection is fast', async () => {
    env = await startModelEnv([shardedModel()]);
    const { events } = await env.download({ transfer, parallelFiles: 4 });
    assert.equal(overlapping(events), 0, `no two shards in flight at once: ${JSON.stringify([...spans(events)])}`);
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('fetches them in parallel once a transfer finds each connection capped, as behind a CDN', async () => {
    env = await startModelEnv([shardedModel()]);
    env.hub.faults.set({ kind: 'per-connection-cap', bytesPerSecond: 4_000_000, origin: 'cdn' });
    const { events } = await env.download({ transfer, parallelFiles: 4 });
    assert.ok(overlapping(events) >= 2, `shards overlapped: ${JSON.stringify([...spans(events)])}`);
    // More than one connection per shard as well (the cap is per connection).
    const cdnGets = env.hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET');
    assert.ok(cdnGets.length > SHARDS.length, `${cdnGets.length} CDN requests`);
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });
});
