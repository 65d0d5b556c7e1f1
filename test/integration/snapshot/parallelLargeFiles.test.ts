import assert from 'node:assert/strict';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { type Logger } from '../../../src/core/logging/logger';
import { MiB, type ModelEnv, startModelEnv } from './modelHarness';
import { type FixtureRepo } from '../../fixtures/hubStandin';

const REPO = 'mlx-community/Sharded-4bit';
const SHARDS = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];

function shardedModel(shardBytes = 48 * MiB): FixtureRepo {
  return {
    id: REPO,
    files: [
      { path: 'config.json', content: JSON.stringify({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2 }) },
      { path: 'model.safetensors.index.json', content: JSON.stringify({ weight_map: Object.fromEntries(SHARDS.map((s, i) => [`w${i}`, s])) }) },
      ...SHARDS.map((path, i) => ({ path, size: shardBytes, seed: 40 + i })),
    ],
  };
}

/** For each shard, from its first CDN request to the end of its last one (the stand-in's own clock). */
function cdnSpans(env: ModelEnv): Map<string, { from: number; to: number }> {
  const result = new Map<string, { from: number; to: number }>();
  for (const request of env.hub.requests) {
    const shard = SHARDS.find((name) => request.origin === 'cdn' && request.method === 'GET' && request.path.includes(name));
    if (!shard) continue;
    const span = result.get(shard) ?? { from: Infinity, to: -Infinity };
    span.from = Math.min(span.from, request.receivedAt);
    span.to = Math.max(span.to, request.closedAt ?? Infinity);
    result.set(shard, span);
  }
  return result;
}

/** How many shards were being sent while another one was. */
function overlapping(env: ModelEnv): number {
  const all = [...cdnSpans(env).values()];
  assert.equal(all.length, SHARDS.length, 'every shard came from the CDN');
  return all.filter((a) => all.some((b) => a !== b && a.from < b.to && b.from < a.to)).length;
}

describe('downloadModel: large files one at a time on a fast link, in parallel on a capped one', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  afterEach(() => env?.close());

  // Shards count as large from 1 MiB here (the product's threshold is 64 MiB).
  const transfer = { retryBaseDelayMs: 10, stallTimeoutMs: 5000, partThresholdBytes: 1 * MiB, minPartBytes: 256 * 1024 };

  it('fetches the shards one after another when one connection is fast', async () => {
    env = await startModelEnv([shardedModel()]);
    // "Fast" made certain (any rate counts), so a busy test machine cannot make the link look capped.
    await env.download({ transfer: { ...transfer, fastConnectionBytesPerSecond: 1 }, parallelFiles: 4 });
    assert.equal(overlapping(env), 0, `no two shards on the wire at once: ${JSON.stringify([...cdnSpans(env)])}`);
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('fetches them in parallel once a transfer finds each connection capped, as behind a CDN', async () => {
    env = await startModelEnv([shardedModel()]);
    env.hub.faults.set({ kind: 'per-connection-cap', bytesPerSecond: 16_000_000, origin: 'cdn' });
    await env.download({ transfer, parallelFiles: 4 });
    assert.ok(overlapping(env) >= 2, `shards on the wire at once: ${JSON.stringify([...cdnSpans(env)])}`);
    // More than one connection per shard as well (the cap is per connection).
    const cdnGets = env.hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET');
    assert.ok(cdnGets.length > SHARDS.length, `${cdnGets.length} CDN requests`);
    // Only the first shard finds the cap out on one open-ended request; the shards let in by its
    // verdict start on all their connections (bounded Range parts) at once.
    const firstRanges = SHARDS.map((name) => cdnGets.find((r) => r.path.includes(name))?.range);
    assert.deepEqual(
      firstRanges.filter((range) => range === 'bytes=0-'),
      ['bytes=0-'],
      `first Range of each shard: ${JSON.stringify(firstRanges)}`,
    );
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('goes back to one connection for every shard when the link is slow as a whole, not per connection', async () => {
    env = await startModelEnv([shardedModel(24 * MiB)]);
    // A slow home link: every connection shares 16 MB/s, so more connections cannot help.
    env.hub.faults.set({ kind: 'link-cap', bytesPerSecond: 16_000_000, origin: 'cdn' });
    const said: { at: number; message: string }[] = [];
    const note = (message: string) => said.push({ at: performance.now(), message });
    const logger: Logger = { trace: note, debug: note, info: note, warn: note, error: (m) => note(String(m)) };
    await env.download({ transfer, parallelFiles: 4, logger });

    // The first shard found one connection slow, opened more (letting the others start on all of
    // theirs), and saw no gain.
    const noGain = said.find((s) => s.message.includes('no gain, back to one connection'));
    assert.ok(noGain, said.map((s) => s.message).join('\n'));
    // From then on no shard has two requests of its own in flight: each finishes the parts it had
    // and goes on with one connection. (One part's request may arrive a moment before the server
    // has closed the previous one, whose last bytes the client already has: not "together".)
    const together = (a: { receivedAt: number; closedAt?: number }, b: { receivedAt: number; closedAt?: number }) =>
      Math.min(a.closedAt ?? Infinity, b.closedAt ?? Infinity) - Math.max(a.receivedAt, b.receivedAt) > 50;
    const gets = env.hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET' && r.receivedAt > noGain.at);
    for (const shard of SHARDS) {
      const later = gets.filter((r) => r.path.includes(shard));
      const overlapping = later.filter((a) => later.some((b) => a !== b && together(a, b)));
      assert.deepEqual(overlapping.map((r) => r.range), [], `${shard}: requests in flight together after the verdict`);
    }
    assert.ok(!said.some((s) => s.at > noGain.at && s.message.includes('opening more')), 'nothing opens more connections again');
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });
});
