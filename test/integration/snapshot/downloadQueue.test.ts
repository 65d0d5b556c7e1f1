import assert from 'node:assert/strict';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { TransferCancelledError } from '../../../src/core/download/transferErrors';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';
import { downloadModel } from '../../../src/core/snapshot/downloadModel';
import { DownloadDetachedError, DownloadQueue } from '../../../src/core/snapshot/downloadQueue';
import { MiB, type ModelEnv, startModelEnv, tinyModel } from './modelHarness';

const A = 'mlx-community/A-4bit';
const B = 'mlx-community/B-4bit';

describe('DownloadQueue', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  afterEach(() => env?.close());

  function queueFor(e: ModelEnv, maxConcurrent: number): { queue: DownloadQueue; started: string[] } {
    const started: string[] = [];
    const queue = new DownloadQueue({
      maxConcurrent,
      start: (request, signal, onEvent) => {
        started.push(request.repoId);
        return downloadModel({ hub: e.client, cacheRoot: e.cacheRoot, dispatcher: e.dispatcher, repoId: request.repoId, revision: request.revision, signal, onEvent });
      },
    });
    return { queue, started };
  }

  it('joins a second request for the same model to the download in progress', async () => {
    env = await startModelEnv([tinyModel(A, 16 * MiB)]);
    const { queue, started } = queueFor(env, 2);
    const secondEvents: DownloadEvent[] = [];
    const [first, second] = await Promise.all([queue.download({ repoId: A }), queue.download({ repoId: 'MLX-COMMUNITY/a-4bit' }, { onEvent: (e) => secondEvents.push(e) })]);
    assert.deepEqual(started, [A]);
    assert.equal(first, second);
    assert.ok(secondEvents.some((e) => e.type === 'done'), 'the joined caller sees the events');
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: A })).ok, true);
  });

  it('runs at most maxConcurrent models at once and tells the others their place', async () => {
    env = await startModelEnv([tinyModel(A, 8 * MiB), tinyModel(B, 8 * MiB)]);
    const { queue, started } = queueFor(env, 1);
    const eventsB: DownloadEvent[] = [];
    const first = queue.download({ repoId: A });
    const second = queue.download({ repoId: B }, { onEvent: (e) => eventsB.push(e) });
    assert.deepEqual(queue.active.map((j) => j.state), ['running', 'queued']);
    assert.deepEqual(eventsB[0], { type: 'queued', position: 1 });
    await Promise.all([first, second]);
    assert.deepEqual(started, [A, B]);
    assert.deepEqual(queue.active, []);
  });

  it('keeps downloading for the others when one caller stops waiting, and stops when the last one does', async () => {
    env = await startModelEnv([tinyModel(A, 48 * MiB)]);
    env.hub.faults.set({ kind: 'stall', afterBytes: 2 * MiB, ms: 500, origin: 'cdn', times: 1 });
    const { queue } = queueFor(env, 1);
    const leaving = new AbortController();
    const staying = new AbortController();
    const a = queue.download({ repoId: A }, { signal: leaving.signal });
    const b = queue.download({ repoId: A }, { signal: staying.signal });
    leaving.abort();
    await assert.rejects(a, DownloadDetachedError);
    assert.equal(queue.active.length, 1, 'still downloading for the other caller');
    staying.abort();
    await assert.rejects(b, (e: unknown) => e instanceof TransferCancelledError && !(e instanceof DownloadDetachedError));
  });

  it('cancel() stops a queued download before it starts', async () => {
    env = await startModelEnv([tinyModel(A, 8 * MiB), tinyModel(B, 8 * MiB)]);
    const { queue, started } = queueFor(env, 1);
    const first = queue.download({ repoId: A });
    const second = queue.download({ repoId: B });
    assert.equal(queue.cancel({ repoId: B }), true);
    await assert.rejects(second, TransferCancelledError);
    await first;
    assert.deepEqual(started, [A]);
  });
});
