import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanCache, scanRepo } from '../../../src/core/cache/cacheScanner';
import { deleteRepo } from '../../../src/core/cache/cacheDeleter';
import { UnsafeRepoPathError } from '../../../src/core/cache/cacheErrors';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { readTreeListing } from '../../../src/core/cache/treeListing';
import { HashMismatchError, TransferCancelledError } from '../../../src/core/download/transferErrors';
import { GatedRepoError } from '../../../src/core/hub/hubErrors';
import { InvalidHubResponseError } from '../../../src/core/hub/modelInfo';
import { InvalidRepoIdError } from '../../../src/core/hub/repoId';
import { NothingToDownloadError } from '../../../src/core/snapshot/downloadErrors';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';
import { localModelState } from '../../../src/core/snapshot/localModelState';
import { listTree, MiB, type ModelEnv, pythonView, startModelEnv, tinyModel } from './modelHarness';

const REPO = 'mlx-community/Tiny-4bit';
const MLX_FILES = ['config.json', 'model.safetensors', 'model.safetensors.index.json', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'];

describe('downloadModel into the Hugging Face cache', function () {
  this.timeout(60_000);
  let env: ModelEnv;
  afterEach(() => env?.close());

  it('writes exactly the layout huggingface_hub reads: blobs by hash, relative links, refs/main last', async () => {
    env = await startModelEnv([tinyModel()]);
    const commit = env.hub.commitOf(REPO);
    const { result, events } = await env.download();

    assert.equal(result.commit, commit);
    const repoDir = path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit');
    assert.equal(await fs.readFile(path.join(repoDir, 'refs', 'main'), 'utf8'), commit);
    const snapshot = path.join(repoDir, 'snapshots', commit);
    assert.deepEqual((await fs.readdir(snapshot)).sort(), MLX_FILES, 'only what mlx_lm downloads');
    for (const file of MLX_FILES) {
      const info = env.hub.fileInfo(REPO, file);
      const etag = info.sha256 ?? info.gitSha1;
      assert.equal(await fs.readlink(path.join(snapshot, file)), `../../blobs/${etag}`, file);
    }
    const verified = await verifyRepo({ root: env.cacheRoot, repoId: REPO });
    assert.equal(verified.ok, true);

    // refs/main comes after the last file: no "done" before every file-done.
    const kinds = events.map((e) => e.type);
    assert.equal(kinds[0], 'plan');
    assert.equal(kinds.at(-1), 'done');
    assert.equal(events.filter((e) => e.type === 'file-done').length, MLX_FILES.length);

    const py = pythonView(env.cacheRoot);
    assert.deepEqual(py.warnings, []);
    assert.equal(py.repos[0]!.repo_id, REPO);
    assert.deepEqual(py.repos[0]!.revisions[commit]!.refs, ['main']);
    assert.equal(py.repos[0]!.revisions[commit]!.files['model.safetensors']!.sha256, env.hub.fileInfo(REPO, 'model.safetensors').sha256);
    assert.match(py.repos[0]!.main_config ?? '', /"model_type":"llama"/);
  });

  it('does nothing the second time, and re-links from cached blobs when a link is gone', async () => {
    env = await startModelEnv([tinyModel()]);
    await env.download();
    env.hub.requests.length = 0;
    const again = await env.download();
    assert.equal(again.result.bytesDownloaded, 0);
    assert.ok(again.result.files.every((f) => f.state === 'in-place'));
    assert.equal(env.hub.requests.filter((r) => r.origin === 'cdn').length, 0);

    const snapshot = again.result.snapshotPath;
    await fs.rm(path.join(snapshot, 'model.safetensors'));
    const relinked = await env.download();
    assert.equal(relinked.result.bytesDownloaded, 0);
    assert.equal(relinked.result.files.find((f) => f.path === 'model.safetensors')?.state, 'blob-cached');
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('keeps copies another tool wrote without symlinks (HF_HUB_DISABLE_SYMLINKS) and fetches nothing', async () => {
    env = await startModelEnv([tinyModel()]);
    const { result } = await env.download();
    // What huggingface_hub leaves in copy mode: real files in the snapshot.
    for (const file of ['model.safetensors', 'config.json']) {
      const entry = path.join(result.snapshotPath, file);
      const bytes = await fs.readFile(entry);
      await fs.rm(entry);
      await fs.writeFile(entry, bytes);
    }
    env.hub.requests.length = 0;
    const again = await env.download();
    assert.equal(again.result.bytesDownloaded, 0);
    assert.ok(again.result.files.every((f) => f.state === 'in-place'), JSON.stringify(again.result.files.map((f) => [f.path, f.state])));
    assert.deepEqual(env.hub.requests.filter((r) => r.origin === 'cdn' || r.path.includes('/resolve/')), [], 'no file requested');
    assert.ok((await fs.lstat(path.join(result.snapshotPath, 'model.safetensors'))).isFile(), 'the copy stays a copy');
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('clears our partials of blobs that are complete and sidecars without a partial, and keeps everything else', async () => {
    env = await startModelEnv([tinyModel()]);
    await env.download();
    const blobs = path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'blobs');
    const weights = env.hub.fileInfo(REPO, 'model.safetensors').sha256!;
    const tokenizer = env.hub.fileInfo(REPO, 'tokenizer.json').sha256 ?? env.hub.fileInfo(REPO, 'tokenizer.json').gitSha1;
    const other = 'e'.repeat(64); // a blob of no file here, half downloaded: resumable
    const old = new Date(Date.now() - 3600_000);
    const write = async (name: string, mtime?: Date) => {
      await fs.writeFile(path.join(blobs, name), 'x'.repeat(100));
      if (mtime) await fs.utimes(path.join(blobs, name), mtime, mtime);
    };
    await write(`${weights}.incomplete`, old); // finished by another tool since
    await write(`${weights}.incomplete.json`);
    await write(`${'d'.repeat(64)}.incomplete.json`); // its partial was pruned by `hf cache prune`
    await write(`${tokenizer}.incomplete`); // written to just now: maybe a Python <= 1.17 download
    await write(`${weights}.0123abcd.incomplete`, old); // Python >= 1.18's own name
    await write(`${other}.incomplete`, old);
    await write(`${other}.incomplete.json`);

    const again = await env.download();
    assert.equal(again.result.bytesDownloaded, 0);
    assert.deepEqual(
      (await fs.readdir(blobs)).filter((n) => n.includes('.incomplete')).sort(),
      [`${other}.incomplete`, `${other}.incomplete.json`, `${weights}.0123abcd.incomplete`, `${tokenizer}.incomplete`].sort(),
    );
  });

  it('a Hub that offers Xet (X-Xet-Hash, Link rel="xet-auth") is downloaded over plain HTTP, the token route never asked', async () => {
    env = await startModelEnv([tinyModel()], { xetHeaders: true });
    const { result } = await env.download();
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
    assert.ok(result.bytesDownloaded > 0);
    assert.deepEqual(env.hub.requests.filter((r) => r.path.includes('xet')).map((r) => r.path), []);
    // The stand-in did send the Xet headers (else this test proves nothing).
    const resolve = await fetch(`${env.hub.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD', redirect: 'manual' });
    assert.match(resolve.headers.get('link') ?? '', /rel="xet-auth"/);
    assert.match(resolve.headers.get('x-xet-hash') ?? '', /^[0-9a-f]{64}$/);
  });

  it('replaces a blob whose bytes do not match its hash name', async () => {
    env = await startModelEnv([tinyModel()]);
    const { result } = await env.download();
    const blob = await fs.realpath(path.join(result.snapshotPath, 'model.safetensors'));
    const handle = await fs.open(blob, 'r+');
    await handle.write(Buffer.from([0x42]), 0, 1, 1000);
    await handle.close();
    await fs.rm(path.join(result.snapshotPath, 'model.safetensors'));
    const again = await env.download();
    assert.equal(again.result.bytesDownloaded, 6 * MiB);
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('survives a cut connection and an expired CDN URL', async () => {
    env = await startModelEnv([tinyModel()]);
    env.hub.faults.set({ kind: 'cut-after', bytes: 1 * MiB, origin: 'cdn', times: 2 });
    env.hub.faults.set({ kind: 'expire-urls', times: 1 });
    await env.download();
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('refuses corrupt bytes: no blob, no link, no ref', async () => {
    env = await startModelEnv([tinyModel()]);
    env.hub.faults.set({ kind: 'flip-byte', offset: 4096, origin: 'cdn' });
    await assert.rejects(env.download(), HashMismatchError);
    const repo = await scanRepo(env.cacheRoot, REPO);
    assert.equal(localModelState(repo).state === 'downloaded', false);
    const refs = await listTree(path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'refs'));
    assert.deepEqual(refs, []);
  });

  it('an interrupted update keeps an older download without a listing downloaded: the new listing claims the partial file', async () => {
    env = await startModelEnv([tinyModel()]);
    const { result: v1 } = await env.download();
    // As a cache written before listings existed (an older version of this product, huggingface_hub < 2.0).
    await fs.rm(path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'trees'), { recursive: true });
    const model = tinyModel();
    env.hub.setRepo({ ...model, files: model.files.map((f) => (f.path === 'model.safetensors' ? { ...f, seed: 12 } : f)) });
    env.hub.faults.set({ kind: 'stall', afterBytes: 1 * MiB, ms: 30_000, origin: 'cdn' });
    const stop = new AbortController();
    const onEvent = (e: DownloadEvent) => e.type === 'progress' && e.doneBytes >= 1 * MiB && stop.abort(new TransferCancelledError(REPO, e.doneBytes));
    await assert.rejects(env.download({ connectionsPerFile: 1, signal: stop.signal, onEvent }), TransferCancelledError);
    const repo = (await scanRepo(env.cacheRoot, REPO))!;
    assert.equal(repo.partials.length, 1, 'the new weights wait in blobs/');
    const local = localModelState(repo);
    assert.deepEqual([local.state, local.commit, local.revision], ['downloaded', v1.commit, 'main']);
    assert.equal(localModelState(repo, env.hub.commitOf(REPO)).state, 'partial');

    // Without the new listing, the new snapshot (small files linked, weights missing) still claims it...
    await fs.rm(path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'trees'), { recursive: true });
    assert.equal(localModelState((await scanRepo(env.cacheRoot, REPO))!).state, 'downloaded');
    // ...and without either, nothing says whose partial it is: the old snapshot may be missing it.
    await fs.rm(path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'snapshots', env.hub.commitOf(REPO)), { recursive: true });
    assert.equal(localModelState((await scanRepo(env.cacheRoot, REPO))!).state, 'partial');
  });

  it('records trees/<commit>.json, every file of the repo, before the first file: an interrupted download is known unfinished', async () => {
    env = await startModelEnv([tinyModel()]);
    const commit = env.hub.commitOf(REPO);
    const listingFile = path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'trees', `${commit}.json`);
    env.hub.faults.set({ kind: 'flip-byte', offset: 4096, origin: 'cdn' });
    await assert.rejects(env.download(), HashMismatchError);
    const listing = await readTreeListing(listingFile);
    assert.ok(listing, 'written although the download failed');
    const all = tinyModel().files.map((f) => f.path).sort();
    assert.deepEqual([...listing.keys()], all, 'the whole repo, sorted, not only the files mlx_lm loads');
    for (const p of all) {
      const info = env.hub.fileInfo(REPO, p);
      assert.deepEqual(listing.get(p), { size: info.size, blob_id: info.gitSha1, ...(info.lfs ? { lfs_sha256: info.sha256, lfs_size: info.size } : {}) }, p);
    }
    const failed = localModelState(await scanRepo(env.cacheRoot, REPO));
    assert.equal(failed.state, 'partial');
    assert.deepEqual(await listTree(path.join(env.cacheRoot, 'models--mlx-community--Tiny-4bit', 'refs')), [], 'no ref before every file is in');

    env.hub.faults.clear();
    const before = await fs.stat(listingFile);
    await env.download();
    assert.equal((await fs.stat(listingFile)).mtimeMs, before.mtimeMs, 'a commit is listed once');
    const done = localModelState(await scanRepo(env.cacheRoot, REPO));
    assert.deepEqual([done.state, done.commit], ['downloaded', commit]);
    assert.deepEqual(await fs.readdir(path.dirname(listingFile)), [`${commit}.json`]);
  });

  for (const evil of ['../escape.json', '/etc/evil.json', 'sub\\..\\..\\x.json', 'a/../../b.json']) {
    it(`refuses the Hub file path ${JSON.stringify(evil)} before writing anything`, async () => {
      const repo = tinyModel();
      env = await startModelEnv([{ ...repo, files: [...repo.files, { path: evil, content: '{}' }] }]);
      await assert.rejects(env.download(), UnsafeRepoPathError);
      assert.deepEqual(await listTree(env.cacheRoot), []);
    });
  }

  it('refuses odd repo ids before any request', async () => {
    env = await startModelEnv([tinyModel()]);
    await assert.rejects(env.download({ repoId: '../../etc' }), InvalidRepoIdError);
    assert.equal(env.hub.requests.length, 0);
  });

  it('reports a malformed Hub answer clearly and writes nothing', async () => {
    env = await startModelEnv([tinyModel()]);
    env.hub.faults.set({ kind: 'malformed-json', path: '/tree/' });
    await assert.rejects(env.download(), (e: unknown) => e instanceof InvalidHubResponseError && /not valid JSON/.test(e.message));
    assert.deepEqual(await listTree(env.cacheRoot), []);
  });

  it('says when a repo has nothing mlx_lm can load', async () => {
    env = await startModelEnv([{ id: 'someone/gguf-only', files: [{ path: 'model.Q4_K_M.gguf', size: 1000, seed: 1 }, { path: 'README.md', content: 'x' }] }]);
    await assert.rejects(env.download(), NothingToDownloadError);
  });

  it('needs the token for a gated repo, and never sends it to the CDN', async () => {
    const gated = { ...tinyModel('meta/Gated-4bit'), gated: true };
    env = await startModelEnv([gated], { token: 'hf_secret' });
    await assert.rejects(env.download(), (e: unknown) => e instanceof GatedRepoError && /token/i.test(e.message));
    await env.close();

    env = await startModelEnv([gated], { token: 'hf_secret' }, 'hf_secret');
    await env.download();
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: 'meta/Gated-4bit' })).ok, true);
    assert.ok(env.hub.requests.some((r) => r.origin === 'hub' && r.hasAuthorization));
    assert.equal(env.hub.requests.filter((r) => r.origin === 'cdn' && r.hasAuthorization).length, 0);
  });

  it('cancels within a second, keeps the partial, and the next run resumes from it', async () => {
    env = await startModelEnv([tinyModel(REPO, 64 * MiB)]);
    env.hub.faults.set({ kind: 'stall', afterBytes: 4 * MiB, ms: 30_000, origin: 'cdn', times: 1 });
    const controller = new AbortController();
    const pending = env.download({
      signal: controller.signal,
      connectionsPerFile: 1,
      onEvent: (e) => {
        if (e.type === 'progress' && e.doneBytes >= 4 * MiB && !controller.signal.aborted) controller.abort();
      },
    });
    const abortedAt = await new Promise<number>((resolve) => controller.signal.addEventListener('abort', () => resolve(performance.now())));
    await assert.rejects(pending, TransferCancelledError);
    assert.ok(performance.now() - abortedAt < 1000, 'stopped within 1 s');
    const partial = (await scanRepo(env.cacheRoot, REPO))!.partials;
    assert.equal(partial.length, 1);
    assert.ok(partial[0]!.bytes >= 4 * MiB);

    const resumed = await env.download();
    const plannedWeights = resumed.result.files.find((f) => f.path === 'model.safetensors')!;
    assert.ok(plannedWeights.partialBytes >= 4 * MiB, 'resumed from the partial');
    assert.ok(resumed.result.bytesDownloaded <= 60 * MiB + 1000);
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('lets two downloads of one model in different processes share the work safely', async () => {
    env = await startModelEnv([tinyModel(REPO, 32 * MiB)]);
    // Two independent calls stand for two processes: the blob lock serialises each file.
    const [a, b] = await Promise.all([env.download(), env.download()]);
    assert.equal(a.result.commit, b.result.commit);
    assert.ok(a.result.bytesDownloaded + b.result.bytesDownloaded < 40 * MiB, 'weights fetched once');
    assert.equal((await verifyRepo({ root: env.cacheRoot, repoId: REPO })).ok, true);
  });

  it('delete removes the model from disk, and a scan no longer finds it', async () => {
    env = await startModelEnv([tinyModel()]);
    await env.download();
    assert.equal((await scanCache(env.cacheRoot)).repos.length, 1);
    const { bytesFreed } = await deleteRepo({ root: env.cacheRoot, repoId: REPO });
    assert.ok(bytesFreed >= 6 * MiB);
    assert.deepEqual((await scanCache(env.cacheRoot)).repos, []);
    assert.deepEqual(pythonView(env.cacheRoot).repos, []);
  });
});
