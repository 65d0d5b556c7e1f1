// downloadModel before its first request: an invalid revision is refused with no request sent and nothing
// written; offline (HF_HUB_OFFLINE), a revision complete in the cache is the result, with no request either,
// and anything less fails with the offline error.
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidRefNameError } from '../../../../src/core/cache/cacheErrors';
import { type SmallFetch } from '../../../../src/core/http/dispatchFetch';
import { HubClient } from '../../../../src/core/hub/hubClient';
import { OfflineModeError } from '../../../../src/core/hub/hubErrors';
import { type DownloadEvent } from '../../../../src/core/snapshot/downloadEvents';
import { downloadModel } from '../../../../src/core/snapshot/downloadModel';
import { COMMIT_A, COMMIT_B, blobOf, listTree, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from '../cache/cacheFixture';

const REPO = 'org/Tiny-4bit';
const FOLDER = 'models--org--Tiny-4bit';

const model = {
  'config.json': blobOf('{"model_type":"llama"}'),
  'tokenizer.json': blobOf('{"tokenizer":1}'),
  'model.safetensors': blobOf('weights', true),
  'README.md': blobOf('# not for mlx_lm'),
};

describe('downloadModel before the first request', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let requests: string[];
  const fetch: SmallFetch = (url) => {
    requests.push(url);
    return Promise.reject(new Error(`no request expected, got ${url}`));
  };
  const hub = (offline: boolean) => new HubClient({ endpoint: 'http://127.0.0.1:9', offline, fetch });
  const download = (revision: string | undefined, offline: boolean, events: DownloadEvent[] = []) =>
    downloadModel({ hub: hub(offline), cacheRoot: root, repoId: REPO, revision, dispatcher: undefined as never, onEvent: (e) => events.push(e) });

  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
    requests = [];
  });
  afterEach(() => cleanup());

  for (const revision of ['', '..', 'a..b', 'x.lock', '../../../x', '.', 'dev/']) {
    it(`refuses the revision ${JSON.stringify(revision)} with no request and nothing written`, async () => {
      root = path.join(root, 'cache');
      await assert.rejects(download(revision, false), InvalidRefNameError);
      assert.deepEqual(requests, []);
      assert.equal(existsSync(root), false);
    });
  }

  it('offline, returns the snapshot main names when it is complete: 0 bytes, no request, nothing written', async () => {
    const repoDir = await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model }, { main: COMMIT_A });
    const before = await listTree(root);
    const events: DownloadEvent[] = [];
    const result = await download(undefined, true, events);
    assert.equal(result.offline, true);
    assert.equal(result.bytesDownloaded, 0);
    assert.equal(result.commit, COMMIT_A);
    assert.equal(result.snapshotPath, path.join(repoDir, 'snapshots', COMMIT_A));
    assert.deepEqual(result.files.map((f) => [f.path, f.state]).sort(), [['config.json', 'in-place'], ['model.safetensors', 'in-place'], ['tokenizer.json', 'in-place']]);
    assert.deepEqual(events.map((e) => e.type), ['plan', 'done']);
    assert.deepEqual(requests, []);
    assert.deepEqual(await listTree(root), before, 'nothing written');
  });

  it('offline, resolves a branch or a commit id locally, like huggingface_hub', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model, [COMMIT_B]: { ...model, 'config.json': blobOf('{"model_type":"qwen2"}') } }, { main: COMMIT_A, dev: COMMIT_B });
    assert.equal((await download('dev', true)).commit, COMMIT_B);
    assert.equal((await download(COMMIT_B, true)).commit, COMMIT_B);
    assert.equal((await download(COMMIT_A, true)).commit, COMMIT_A);
    assert.deepEqual(requests, []);
  });

  it('offline, fails with the offline error when the revision is not cached or not complete', async () => {
    const { 'model.safetensors': _weights, ...withoutWeights } = model;
    const repoDir = await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: withoutWeights }, { main: COMMIT_A });
    await assert.rejects(download(undefined, true), OfflineModeError, 'no weights: not complete');
    await assert.rejects(download('dev', true), OfflineModeError, 'no such branch in the cache');
    // Complete by the conventions but its listing names a file mlx_lm loads that is absent.
    await fs.rm(path.join(repoDir, 'snapshots'), { recursive: true });
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model }, { main: COMMIT_A });
    await writeLibraryTreeListing(repoDir, COMMIT_A, { ...model, 'tokenizer_config.json': blobOf('{}') });
    await assert.rejects(download(undefined, true), OfflineModeError, 'the listing names a missing file');
    await assert.rejects(downloadModel({ hub: hub(true), cacheRoot: path.join(root, 'empty'), repoId: REPO, dispatcher: undefined as never }), OfflineModeError);
    assert.deepEqual(requests, []);
  });
});
