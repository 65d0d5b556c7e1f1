import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { scanRepo } from '../../../src/core/cache/cacheScanner';
import { TransferCancelledError } from '../../../src/core/download/transferErrors';
import { RepoNotFoundError } from '../../../src/core/hub/hubErrors';
import { InvalidRepoIdError } from '../../../src/core/hub/repoId';
import { MemoryStore } from '../../../src/core/models/keyValueStore';
import { ModelManager } from '../../../src/core/models/modelManager';
import { type ModelStatus } from '../../../src/core/models/modelEntry';
import { downloadModel } from '../../../src/core/snapshot/downloadModel';
import { DownloadQueue } from '../../../src/core/snapshot/downloadQueue';
import { seedModelFixtures } from '../../fixtures/hubStandin';
import { MiB, type ModelEnv, startModelEnv, tinyModel } from '../snapshot/modelHarness';

const DEFAULT = 'mlx-community/Llama-3.2-3B-Instruct-4bit';
const SMALL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';

describe('ModelManager', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  let manager: ModelManager;
  let store: MemoryStore;
  let selected = DEFAULT;

  async function start(extraRepos = [] as ReturnType<typeof tinyModel>[], weightBytes = 2 * MiB) {
    env = await startModelEnv([...seedModelFixtures({ weightBytes }), ...extraRepos]);
    store = new MemoryStore();
    const queue = new DownloadQueue({
      maxConcurrent: 2,
      start: (request, signal, onEvent) =>
        downloadModel({ hub: env.client, cacheRoot: env.cacheRoot, dispatcher: env.dispatcher, repoId: request.repoId, signal, onEvent, transfer: { retryBaseDelayMs: 10 } }),
    });
    manager = new ModelManager({ cacheRoot: () => env.cacheRoot, hub: () => env.client, queue, store, selectedModel: () => selected });
    await manager.refresh();
  }

  /** Resolves once the manager shows `repoId` downloading with at least `bytes` done. */
  function downloadingPast(repoId: string, bytes: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const listener = manager.onDidChange(() => {
        const status = manager.get(repoId)?.status;
        if (status?.kind === 'downloading' && (status.progress?.doneBytes ?? 0) >= bytes) {
          listener.dispose();
          resolve();
        }
      });
    });
  }

  afterEach(async () => {
    manager?.dispose();
    await env?.close();
    selected = DEFAULT;
  });

  it('lists the six seed models, none downloaded, the default selected', async () => {
    await start();
    const list = manager.list();
    assert.equal(list.length, 6);
    assert.deepEqual(list.map((e) => e.section), ['regular', 'regular', 'regular', 'reasoning', 'reasoning', 'reasoning']);
    assert.ok(list.every((e) => e.status.kind === 'not-downloaded'));
    assert.deepEqual(list.filter((e) => e.selected).map((e) => e.repoId), [DEFAULT]);
  });

  it('downloads with live states and change events, then reports downloaded', async () => {
    await start();
    const seen: ModelStatus['kind'][] = [];
    const listener = manager.onDidChange(() => {
      const kind = manager.get(SMALL)?.status.kind;
      if (kind && kind !== seen.at(-1)) seen.push(kind);
    });
    await manager.download(SMALL);
    listener.dispose();
    assert.equal(seen[0], 'downloading');
    assert.equal(seen.at(-1), 'downloaded');
    const entry = manager.get(SMALL)!;
    assert.ok(entry.sizeOnDisk >= 2 * MiB);
    assert.ok(entry.downloadSizeBytes! >= 2 * MiB, 'real size from the Hub replaces the nominal one');
  });

  it('shows a model another tool put into the cache after a refresh', async () => {
    await start([tinyModel('someone/Other-Model-4bit')]);
    await downloadModel({ hub: env.client, cacheRoot: env.cacheRoot, dispatcher: env.dispatcher, repoId: 'someone/Other-Model-4bit' });
    assert.equal(manager.get('someone/Other-Model-4bit'), undefined, 'not yet: nothing told the manager');
    await manager.refresh();
    const entry = manager.get('someone/Other-Model-4bit')!;
    assert.equal(entry.section, 'other');
    assert.equal(entry.status.kind, 'downloaded');
  });

  it('cancel leaves a resumable partial; delete removes everything from disk', async () => {
    await start([], 48 * MiB);
    env.hub.faults.set({ kind: 'stall', afterBytes: 3 * MiB, ms: 30_000, origin: 'cdn', times: 1 });
    const pending = manager.download(SMALL);
    await downloadingPast(SMALL, 3 * MiB);
    assert.equal(manager.cancel(SMALL), true);
    await assert.rejects(pending, TransferCancelledError);
    const partial = manager.get(SMALL)!.status;
    assert.equal(partial.kind, 'partial');
    assert.ok((partial as { partialBytes: number }).partialBytes >= 3 * MiB);

    const freed = await manager.delete(SMALL);
    assert.ok(freed >= 3 * MiB);
    assert.equal(manager.get(SMALL)!.status.kind, 'not-downloaded');
    assert.equal(await scanRepo(env.cacheRoot, SMALL), undefined);
  });

  it('delete during its own download stops it first and leaves nothing behind', async () => {
    await start([], 48 * MiB);
    env.hub.faults.set({ kind: 'link-cap', bytesPerSecond: 16_000_000, origin: 'cdn' });
    const pending = manager.download(SMALL);
    await downloadingPast(SMALL, 2 * MiB);
    const outcome = pending.then(() => undefined, (error: unknown) => error);
    await manager.delete(SMALL);
    assert.ok((await outcome) instanceof TransferCancelledError);
    assert.equal(manager.get(SMALL)!.status.kind, 'not-downloaded');
    // Nothing the cancelled transfer saved on its way out (a sidecar, a partial) may outlive the delete.
    await assert.rejects(fs.lstat(`${env.cacheRoot}/models--mlx-community--Llama-3.2-1B-Instruct-4bit`), 'the repo folder is gone');
  });

  it('delete refuses while another process downloads the model', async () => {
    await start();
    const locks = `${env.cacheRoot}/.locks/models--mlx-community--Llama-3.2-1B-Instruct-4bit`;
    await manager.download(SMALL);
    // What a running CLI download holds: our lock file with its (live) pid.
    const other = (await import('node:child_process')).spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await fs.writeFile(`${locks}/${'a'.repeat(64)}.lock.mlxmm`, JSON.stringify({ pid: other.pid, host: (await import('node:os')).hostname() }));
      await assert.rejects(manager.delete(SMALL), /is being downloaded \(by process \d+\): cancel that download first/);
      assert.equal(manager.get(SMALL)!.status.kind, 'downloaded', 'nothing was deleted');
    } finally {
      other.kill();
    }
    await new Promise((resolve) => other.once('exit', resolve));
    await manager.delete(SMALL); // its process gone, the lock is stale
    assert.equal(await scanRepo(env.cacheRoot, SMALL), undefined);
  });

  it('counts the files already in place of a download stopped between files (as huggingface_hub leaves it)', async () => {
    await start([], 2 * MiB);
    await manager.download(SMALL);
    const snapshotPath = (manager.get(SMALL)!.status as { snapshotPath: string }).snapshotPath;
    // huggingface_hub ≥ 1.18 writes no partial bytes it could resume: stopped before the weights,
    // the snapshot has the small files and the ref, and nothing else.
    const weights = `${snapshotPath}/model.safetensors`;
    const blob = await fs.realpath(weights);
    await fs.rm(weights);
    await fs.rm(blob);
    await manager.refresh();
    const status = manager.get(SMALL)!.status;
    assert.equal(status.kind, 'partial');
    const { partialBytes, missing } = status as { partialBytes: number; missing?: string[] };
    assert.deepEqual(missing, ['model.safetensors']);
    let inPlace = 0;
    for (const name of await fs.readdir(snapshotPath)) inPlace += (await fs.stat(`${snapshotPath}/${name}`)).size;
    assert.ok(inPlace > 0);
    assert.equal(partialBytes, inPlace, 'the bytes of the files in place, not 0');
  });

  it('reports a failed download with the reason, and clears it on retry', async () => {
    await start();
    env.hub.faults.set({ kind: 'flip-byte', offset: 100, origin: 'cdn', times: 1 });
    await assert.rejects(manager.download(SMALL));
    const failed = manager.get(SMALL)!.status;
    assert.equal(failed.kind, 'failed');
    assert.match((failed as { message: string }).message, /corrupt/);
    await manager.download(SMALL);
    assert.equal(manager.get(SMALL)!.status.kind, 'downloaded');
  });

  it('adds a model by repo id after checking the Hub, and remembers it', async () => {
    await start([tinyModel('someone/Added-4bit')]);
    await assert.rejects(manager.addUserModel('not a repo'), InvalidRepoIdError);
    await assert.rejects(manager.addUserModel('someone/missing'), RepoNotFoundError);
    await manager.addUserModel('someone/Added-4bit');
    assert.deepEqual(store.get('mlx.userModels'), ['someone/Added-4bit']);
    assert.equal(manager.get('someone/Added-4bit')!.section, 'other');
  });

  it('finds an update, fetches only the changed files, and removes the old revision', async () => {
    const model = tinyModel('someone/Updating-4bit', 8 * MiB);
    await start([model]);
    await manager.download('someone/Updating-4bit');
    const oldCommit = (manager.get('someone/Updating-4bit')!.status as { commit: string }).commit;

    assert.deepEqual((await manager.checkForUpdates()).updates, []);
    env.hub.setRepo({ ...model, files: model.files.map((f) => (f.path === 'config.json' ? { ...f, content: '{"model_type":"llama","hidden_size":128}' } : f)) });
    const check = await manager.checkForUpdates();
    assert.equal(check.updates.length, 1);
    assert.equal(manager.get('someone/Updating-4bit')!.updateAvailable?.remoteCommit, env.hub.commitOf('someone/Updating-4bit'));

    env.hub.requests.length = 0;
    const result = await manager.update('someone/Updating-4bit');
    assert.notEqual(result.commit, oldCommit);
    assert.ok(result.bytesDownloaded < 1024, `only config.json was fetched (${result.bytesDownloaded} bytes)`);
    assert.equal(env.hub.requests.filter((r) => r.origin === 'cdn').length, 0, 'the weights were not downloaded again');
    const repo = (await scanRepo(env.cacheRoot, 'someone/Updating-4bit'))!;
    assert.deepEqual(repo.revisions.map((r) => r.commit), [result.commit], 'old revision removed');
    assert.deepEqual(await fs.readdir(`${repo.path}/trees`), [`${result.commit}.json`], "and its tree listing with it");
    assert.equal(manager.get('someone/Updating-4bit')!.updateAvailable, undefined);
    const config = await fs.readFile(`${repo.revisions[0]!.snapshotPath}/config.json`, 'utf8');
    assert.match(config, /"hidden_size":128/);
  });

  it('a model downloaded by commit id is downloaded at that commit: not "partial", not checked for updates, kept by an update', async () => {
    const repoId = 'someone/Pinned-4bit';
    const model = tinyModel(repoId, 1 * MiB);
    await start([model]);
    const pinned = env.hub.commitOf(repoId);
    await downloadModel({ hub: env.client, cacheRoot: env.cacheRoot, dispatcher: env.dispatcher, repoId, revision: pinned });
    await manager.refresh();
    const status = manager.get(repoId)!.status;
    assert.equal(status.kind, 'downloaded');
    assert.deepEqual([(status as { commit: string }).commit, (status as { revision?: string }).revision], [pinned, pinned]);

    env.hub.setRepo({ ...model, files: model.files.map((f) => (f.path === 'config.json' ? { ...f, content: '{"model_type":"llama","hidden_size":256}' } : f)) });
    const check = await manager.checkForUpdates();
    assert.deepEqual([check.checked, check.updates], [0, []], 'a pinned commit is not behind main');

    const result = await manager.update(repoId);
    const repo = (await scanRepo(env.cacheRoot, repoId))!;
    assert.deepEqual(repo.revisions.map((r) => r.commit).sort(), [pinned, result.commit].sort(), 'the pinned snapshot is kept next to main');
    const after = manager.get(repoId)!.status as { commit: string; revision?: string };
    assert.deepEqual([after.commit, after.revision], [result.commit, 'main'], 'main is what the model list uses once it is there');
  });

  it('summarises storage and cleans up partial downloads', async () => {
    await start([], 32 * MiB);
    env.hub.faults.set({ kind: 'stall', afterBytes: 5 * MiB, ms: 30_000, origin: 'cdn', times: 1 });
    const controller = new AbortController();
    const pending = manager.download(SMALL, {
      signal: controller.signal,
      onEvent: (e) => e.type === 'progress' && e.doneBytes >= 5 * MiB && controller.abort(),
    });
    await assert.rejects(pending, TransferCancelledError);
    const before = manager.storage();
    assert.ok(before.partials.length >= 1);
    assert.ok(before.totalBytes >= 5 * MiB);
    const freed = await manager.cleanPartials();
    assert.ok(freed >= 5 * MiB);
    assert.deepEqual(manager.storage().partials, []);
  });
});
