// localModelState on real caches written to disk and read back by the scanner: which snapshot counts as
// downloaded at main, at a branch, at a commit id, and at a nested PR ref (stored as refs/refs/pr/1); and
// when a ref is not enough (huggingface_hub writes it before the first file): judged by trees/<commit>.json
// where there is one, else by what mlx_lm cannot do without.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanRepo } from '../../../../src/core/cache/cacheScanner';
import { writeRef } from '../../../../src/core/cache/cacheWriter';
import { localModelState } from '../../../../src/core/snapshot/localModelState';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from '../cache/cacheFixture';

const REPO = 'org/Tiny-4bit';
const FOLDER = 'models--org--Tiny-4bit';
const COMMIT_C = 'c'.repeat(40);

/** What mlx_lm loads from a one-shard model. */
const model = (tag: string) => ({
  'config.json': blobOf(`{"model_type":"llama","tag":"${tag}"}`),
  'tokenizer.json': blobOf(`{"tokenizer":"${tag}"}`),
  'model.safetensors': blobOf(`weights ${tag}`, true),
});

/** A two-shard model, optionally without its second shard (an interrupted download). */
const sharded = (tag: string, withSecondShard = true) => ({
  'config.json': blobOf(`{"model_type":"qwen2","tag":"${tag}"}`),
  'model.safetensors.index.json': blobOf(`{"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}`),
  'model-00001-of-00002.safetensors': blobOf(`shard 1 ${tag}`, true),
  ...(withSecondShard ? { 'model-00002-of-00002.safetensors': blobOf(`shard 2 ${tag}`, true) } : {}),
});

describe('localModelState', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  const scan = async () => (await scanRepo(root, REPO))!;
  const addPartial = (bytes: string) => fs.writeFile(path.join(root, FOLDER, 'blobs', `${'e'.repeat(64)}.incomplete`), bytes);
  /** Makes a snapshot look older than the others (the scanner reads blob mtimes). */
  const age = async (commit: string, seconds: number) => {
    const snapshot = path.join(root, FOLDER, 'snapshots', commit);
    for (const name of await fs.readdir(snapshot)) {
      const blob = await fs.realpath(path.join(snapshot, name));
      const when = new Date(Date.now() - seconds * 1000);
      await fs.utimes(blob, when, when);
    }
  };

  it('main: refs/main names the downloaded snapshot, with or without asking for main', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('a') }, { main: COMMIT_A });
    for (const revision of [undefined, 'main']) {
      const local = localModelState(await scan(), revision);
      assert.equal(local.state, 'downloaded', String(revision));
      assert.equal(local.commit, COMMIT_A);
      assert.equal(local.revision, 'main');
      assert.equal(local.snapshotPath, path.join(root, FOLDER, 'snapshots', COMMIT_A));
      assert.equal(local.fileCount, 3);
      assert.equal(local.partialBytes, 0);
    }
    assert.equal(localModelState(await scan(), 'dev').state, 'absent', 'a branch that was never downloaded');
  });

  it('main wins over a newer snapshot of another branch', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('a'), [COMMIT_B]: model('b') }, { main: COMMIT_A, dev: COMMIT_B });
    await age(COMMIT_A, 3600);
    const local = localModelState(await scan());
    assert.equal(local.commit, COMMIT_A);
    assert.equal(local.revision, 'main');
    assert.equal(localModelState(await scan(), 'dev').commit, COMMIT_B);
  });

  it('a branch: refs/dev alone is downloaded at dev (not "partial")', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_B]: model('dev') }, { dev: COMMIT_B });
    const local = localModelState(await scan());
    assert.equal(local.state, 'downloaded');
    assert.equal(local.commit, COMMIT_B);
    assert.equal(local.revision, 'dev');
    assert.equal(localModelState(await scan(), 'dev').state, 'downloaded');
    assert.equal(localModelState(await scan(), 'main').state, 'absent', 'main was never downloaded; dev is not a partial main');
  });

  it('a commit id: a complete snapshot without any ref is downloaded at that commit', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_C]: sharded('v1') }, {});
    const local = localModelState(await scan());
    assert.equal(local.state, 'downloaded');
    assert.equal(local.commit, COMMIT_C);
    assert.equal(local.revision, COMMIT_C, 'no ref names it, so its commit does');
    assert.equal(local.fileCount, 4);
    for (const revision of [COMMIT_C, COMMIT_C.toUpperCase()]) assert.equal(localModelState(await scan(), revision).commit, COMMIT_C, revision);
    assert.equal(localModelState(await scan(), COMMIT_A).state, 'absent', 'another commit');
  });

  it('a nested PR ref: refs/pr/1 as the download side writes it (refs/refs/pr/1)', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('main'), [COMMIT_B]: model('pr') }, { main: COMMIT_A });
    const refPath = await writeRef({ root, repoId: REPO, ref: 'refs/pr/1', commit: COMMIT_B });
    assert.equal(refPath, path.join(root, FOLDER, 'refs', 'refs', 'pr', '1'), 'stored the way huggingface_hub stores it');
    const pr = localModelState(await scan(), 'refs/pr/1');
    assert.equal(pr.state, 'downloaded');
    assert.equal(pr.commit, COMMIT_B);
    assert.equal(pr.revision, 'refs/pr/1');
    assert.equal(localModelState(await scan(), 'pr/1').state, 'absent', 'only the full ref name resolves');

    await fs.rm(path.join(root, FOLDER, 'refs', 'main'));
    await fs.rm(path.join(root, FOLDER, 'snapshots', COMMIT_A), { recursive: true });
    const only = localModelState(await scan());
    assert.equal(only.revision, 'refs/pr/1', 'with no main, the PR snapshot is what is downloaded');
    assert.equal(only.commit, COMMIT_B);
  });

  it('a snapshot without a ref that lacks a weight shard is "partial" (an interrupted download)', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_C]: sharded('v1', false) }, {});
    assert.equal(localModelState(await scan()).state, 'partial');
    assert.equal(localModelState(await scan(), COMMIT_C).state, 'partial');
    assert.equal(localModelState(await scan(), 'main').state, 'partial', 'it may be the download of main, which writes its ref last');
  });

  it('a snapshot without a ref and without weights is "partial"', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_C]: { 'config.json': blobOf('{"model_type":"llama"}') } }, {});
    assert.equal(localModelState(await scan()).state, 'partial');
  });

  it('a complete-looking snapshot without a ref is "partial" while bytes wait in blobs/', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_C]: model('c') }, {});
    await addPartial('12345');
    const waiting = localModelState(await scan());
    assert.equal(waiting.state, 'partial', 'the file still downloading may belong to this snapshot');
    assert.equal(waiting.partialBytes, 5);
  });

  it('a ref keeps a snapshot downloaded while another download is in progress', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('a'), [COMMIT_C]: { 'config.json': blobOf('{"next":1}') } }, { main: COMMIT_A });
    await addPartial('123');
    const local = localModelState(await scan());
    assert.equal(local.state, 'downloaded');
    assert.equal(local.commit, COMMIT_A);
    assert.equal(local.partialBytes, 3);
    assert.equal(localModelState(await scan(), COMMIT_C).state, 'partial');
  });

  const repoDir = () => path.join(root, FOLDER);
  const without = <T extends Record<string, unknown>>(files: T, ...names: string[]) => Object.fromEntries(Object.entries(files).filter(([n]) => !names.includes(n))) as T;

  it('a download huggingface_hub stopped half-way (ref and listing first, no weights yet) is partial, naming what is missing', async () => {
    const full = model('a');
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: without(full, 'model.safetensors') }, { main: COMMIT_A });
    await writeLibraryTreeListing(repoDir(), COMMIT_A, { ...full, 'README.md': blobOf('# not for mlx_lm\n') });
    for (const revision of [undefined, 'main', COMMIT_A]) {
      const local = localModelState(await scan(), revision);
      assert.equal(local.state, 'partial', String(revision));
      assert.equal(local.commit, COMMIT_A, 'the unfinished snapshot');
      assert.equal(local.snapshotPath, path.join(repoDir(), 'snapshots', COMMIT_A));
      assert.deepEqual(local.missing, [{ path: 'model.safetensors', reason: 'not in the snapshot' }]);
    }
    // The last file arrives: complete, although README.md (listed, not an mlx_lm file) never will.
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: { 'model.safetensors': full['model.safetensors'] } }, {});
    const done = localModelState(await scan());
    assert.deepEqual([done.state, done.commit, done.revision, done.missing], ['downloaded', COMMIT_A, 'main', undefined]);
  });

  it('with a listing, a file at the wrong size is missing', async () => {
    const full = model('a');
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: full }, { main: COMMIT_A });
    await writeLibraryTreeListing(repoDir(), COMMIT_A, full);
    assert.equal(localModelState(await scan()).state, 'downloaded');
    await fs.truncate(path.join(repoDir(), 'blobs', full['model.safetensors'].etag), 3);
    const cut = localModelState(await scan());
    assert.equal(cut.state, 'partial');
    assert.deepEqual(cut.missing, [{ path: 'model.safetensors', reason: `3 bytes, the listing says ${full['model.safetensors'].bytes.length}` }]);
  });

  it('with a listing, copied files (no symlinks) count like links', async () => {
    const full = model('a');
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: full }, { main: COMMIT_A });
    await writeLibraryTreeListing(repoDir(), COMMIT_A, full);
    for (const name of Object.keys(full)) {
      const file = path.join(repoDir(), 'snapshots', COMMIT_A, name);
      const bytes = await fs.readFile(file);
      await fs.rm(file);
      await fs.writeFile(file, bytes);
    }
    await fs.rm(path.join(repoDir(), 'blobs'), { recursive: true });
    assert.equal(localModelState(await scan()).state, 'downloaded');
  });

  it('without a listing, a ref does not make a lone config.json (hf_hub_download of one file) a downloaded model', async () => {
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: { 'config.json': blobOf('{"model_type":"llama"}') } }, { main: COMMIT_A });
    const local = localModelState(await scan());
    assert.equal(local.state, 'partial');
    assert.equal(local.commit, COMMIT_A);
    assert.deepEqual(local.missing, [{ path: 'model*.safetensors', reason: 'no weights file in the snapshot' }]);
    assert.equal(localModelState(await scan(), 'main').state, 'partial');
  });

  it('without a listing, every file model.safetensors.index.json names must be there, whatever the shards are called', async () => {
    const files = {
      'config.json': blobOf('{"model_type":"llama"}'),
      'model.safetensors.index.json': blobOf(JSON.stringify({ weight_map: { a: 'model-part-a.safetensors', b: 'model-part-b.safetensors' } })),
      'model-part-a.safetensors': blobOf('part a', true),
    };
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: files }, { main: COMMIT_A });
    const local = localModelState(await scan());
    assert.equal(local.state, 'partial');
    assert.deepEqual(local.missing?.map((m) => m.path), ['model-part-b.safetensors']);
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: { 'model-part-b.safetensors': blobOf('part b', true) } }, {});
    assert.equal(localModelState(await scan()).state, 'downloaded');
  });

  it("without a listing, a partial download makes a ref'd snapshot partial unless another revision's listing names it", async () => {
    const next = blobOf('next weights', true);
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('a') }, { main: COMMIT_A });
    await fs.writeFile(path.join(repoDir(), 'blobs', `${next.etag}.incomplete`), 'next');
    const unexplained = localModelState(await scan());
    assert.equal(unexplained.state, 'partial', 'it may be a file of this snapshot that no one named');
    assert.deepEqual(unexplained.missing, []);

    // An update in progress (ours or huggingface_hub >= 2.0) records its listing before its first byte.
    const nextFiles = { 'config.json': blobOf('{"model_type":"llama","v":2}'), 'model.safetensors': next };
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_B]: without(nextFiles, 'model.safetensors') }, {});
    await writeLibraryTreeListing(repoDir(), COMMIT_B, nextFiles);
    const updating = localModelState(await scan());
    assert.deepEqual([updating.state, updating.commit, updating.revision], ['downloaded', COMMIT_A, 'main'], 'the old revision stays usable');
    assert.equal(localModelState(await scan(), COMMIT_B).state, 'partial');
  });

  it('a branch and a commit id are judged by their listing too', async () => {
    const dev = model('dev');
    await writePythonStyleRepo(root, FOLDER, { [COMMIT_A]: model('a'), [COMMIT_B]: without(dev, 'tokenizer.json') }, { main: COMMIT_A, dev: COMMIT_B });
    await writeLibraryTreeListing(repoDir(), COMMIT_A, model('a'));
    await writeLibraryTreeListing(repoDir(), COMMIT_B, dev);
    const atDev = localModelState(await scan(), 'dev');
    assert.deepEqual([atDev.state, atDev.commit, atDev.missing?.map((m) => m.path)], ['partial', COMMIT_B, ['tokenizer.json']], 'a tokenizer the conservative check could not see');
    assert.equal(localModelState(await scan(), COMMIT_B).state, 'partial');
    const byCommit = localModelState(await scan(), COMMIT_A);
    assert.deepEqual([byCommit.state, byCommit.revision], ['downloaded', COMMIT_A]);
    assert.deepEqual([localModelState(await scan()).state, localModelState(await scan()).revision], ['downloaded', 'main']);
  });

  it('absent without a repo or with only an empty folder; corrupted when a ref points nowhere', async () => {
    assert.equal(localModelState(undefined).state, 'absent');
    assert.equal(localModelState(undefined, 'dev').state, 'absent');
    await writePythonStyleRepo(root, FOLDER, {}, {});
    await fs.mkdir(path.join(root, FOLDER, 'snapshots'));
    assert.equal(localModelState(await scan()).state, 'absent');
    await fs.mkdir(path.join(root, FOLDER, 'refs'));
    await fs.writeFile(path.join(root, FOLDER, 'refs', 'main'), COMMIT_A);
    const broken = localModelState(await scan());
    assert.equal(broken.state, 'corrupted');
    assert.match(broken.reason!, /missing commit/);
  });
});
