import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deletePartials, deleteRepo, deleteRevision } from '../../../../src/core/cache/cacheDeleter';
import { scanCache } from '../../../../src/core/cache/cacheScanner';
import { COMMIT_A, COMMIT_B, blobOf, listTree, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from './cacheFixture';

const REPO = 'org/model';

describe('cache deleter', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('deleteRevision removes the snapshot, its refs and only the blobs no other revision uses', async () => {
    const shared = blobOf('{"shared":true}');
    const oldWeights = blobOf('old-weights', true);
    const newWeights = blobOf('new-weights!', true);
    const repo = await writePythonStyleRepo(
      root,
      'models--org--model',
      { [COMMIT_A]: { 'config.json': shared, 'model.safetensors': oldWeights }, [COMMIT_B]: { 'config.json': shared, 'model.safetensors': newWeights } },
      { main: COMMIT_B, v1: COMMIT_A, 'refs/pr/1': COMMIT_A },
    );
    await fs.mkdir(path.join(repo, '.no_exist', COMMIT_A), { recursive: true });

    const result = await deleteRevision({ root, repoId: REPO, commit: COMMIT_A });
    assert.equal(result.removed, true);
    assert.equal(result.repoRemoved, false);
    assert.deepEqual(result.refsRemoved, ['refs/pr/1', 'v1']);
    assert.deepEqual(result.blobsRemoved, [path.join(repo, 'blobs', oldWeights.etag)]);
    assert.equal(result.bytesFreed, oldWeights.bytes.length);
    assert.deepEqual(await listTree(repo), [
      '.no_exist/',
      'blobs/',
      `blobs/${newWeights.etag}`,
      `blobs/${shared.etag}`,
      'refs/',
      'refs/main',
      'snapshots/',
      `snapshots/${COMMIT_B}/`,
      `snapshots/${COMMIT_B}/config.json -> ../../blobs/${shared.etag}`,
      `snapshots/${COMMIT_B}/model.safetensors -> ../../blobs/${newWeights.etag}`,
    ].sort());
    assert.equal(await fs.readFile(path.join(repo, 'snapshots', COMMIT_B, 'config.json'), 'utf8'), '{"shared":true}');
    const scan = await scanCache(root);
    assert.deepEqual(scan.warnings, [], 'no dangling link and no ref to a missing snapshot');
  });

  it("deleteRevision removes the deleted revision's tree listing and keeps the others'", async () => {
    const config = blobOf('{"v":1}');
    const oldWeights = blobOf('old', true);
    const newWeights = blobOf('new!', true);
    const revisions = { [COMMIT_A]: { 'config.json': config, 'model.safetensors': oldWeights }, [COMMIT_B]: { 'config.json': config, 'model.safetensors': newWeights } };
    const repo = await writePythonStyleRepo(root, 'models--org--model', revisions, { main: COMMIT_B });
    const oldListing = await writeLibraryTreeListing(repo, COMMIT_A, revisions[COMMIT_A]);
    const newListing = await writeLibraryTreeListing(repo, COMMIT_B, revisions[COMMIT_B]);
    const listingBytes = (await fs.stat(oldListing)).size;

    const result = await deleteRevision({ root, repoId: REPO, commit: COMMIT_A });
    assert.equal(result.bytesFreed, oldWeights.bytes.length + listingBytes);
    await assert.rejects(fs.access(oldListing));
    assert.deepEqual(await fs.readdir(path.join(repo, 'trees')), [`${COMMIT_B}.json`]);
    assert.ok((await fs.stat(newListing)).isFile());
    assert.deepEqual((await scanCache(root)).warnings, []);

    // The last revision takes the whole repo, its listings included.
    await deleteRevision({ root, repoId: REPO, commit: COMMIT_B });
    await assert.rejects(fs.lstat(repo));
  });

  it('deleting the last revision removes the whole repo and its locks, like delete_revisions', async () => {
    const repo = await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_A]: { 'a.txt': blobOf('12345') } }, { main: COMMIT_A });
    await fs.mkdir(path.join(root, '.locks', 'models--org--model'), { recursive: true });
    const result = await deleteRevision({ root, repoId: REPO, commit: COMMIT_A });
    assert.deepEqual([result.repoRemoved, result.bytesFreed, result.refsRemoved], [true, 5 + COMMIT_A.length, ['main']]);
    await assert.rejects(fs.lstat(repo));
    assert.deepEqual(await fs.readdir(path.join(root, '.locks')), []);
    assert.equal((await deleteRevision({ root, repoId: REPO, commit: COMMIT_B })).removed, false);
  });

  it('deleteRepo frees the bytes, removes the locks, and follows no symlink out of the cache', async () => {
    const { dir: outside, cleanup: cleanOutside } = await makeTempDir();
    try {
      await fs.writeFile(path.join(outside, 'precious.bin'), 'keep me');
      const repo = await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_A]: { 'a.txt': blobOf('abc'), 'b.txt': blobOf('defg') } }, { main: COMMIT_A });
      await fs.symlink(outside, path.join(repo, 'snapshots', COMMIT_A, 'link-out'));
      await fs.symlink(path.join(outside, 'precious.bin'), path.join(repo, 'blobs', 'escape'));
      await fs.writeFile(path.join(repo, 'blobs', `${'e'.repeat(40)}.incomplete`), '12');
      await fs.mkdir(path.join(root, '.locks', 'models--org--model'), { recursive: true });
      await fs.writeFile(path.join(root, '.locks', 'models--org--model', `${'e'.repeat(40)}.lock`), '');
      await writePythonStyleRepo(root, 'models--org--other', { [COMMIT_A]: { 'a.txt': blobOf('abc') } }, {});

      const result = await deleteRepo({ root, repoId: REPO });
      assert.deepEqual(result, { bytesFreed: 3 + 4 + 2 + COMMIT_A.length, removed: true });
      assert.deepEqual(await fs.readdir(root).then((n) => n.sort()), ['.locks', 'models--org--other']);
      assert.deepEqual(await fs.readdir(path.join(root, '.locks')), []);
      assert.equal(await fs.readFile(path.join(outside, 'precious.bin'), 'utf8'), 'keep me');
      assert.deepEqual(await deleteRepo({ root, repoId: REPO }), { bytesFreed: 0, removed: false });
    } finally {
      await cleanOutside();
    }
  });

  it('deleteRepo of a repo folder that is a symlink removes only the link', async () => {
    const { dir: elsewhere, cleanup: cleanElsewhere } = await makeTempDir();
    try {
      await fs.writeFile(path.join(elsewhere, 'data'), 'x');
      await fs.symlink(elsewhere, path.join(root, 'models--org--model'));
      await deleteRepo({ root, repoId: REPO });
      assert.deepEqual(await fs.readdir(root), []);
      assert.equal(await fs.readFile(path.join(elsewhere, 'data'), 'utf8'), 'x');
    } finally {
      await cleanElsewhere();
    }
  });

  it('deletePartials removes both partial forms and sidecars, orphans included, and nothing else', async () => {
    const a = await writePythonStyleRepo(root, 'models--org--a', { [COMMIT_A]: { 'x.txt': blobOf('x') } }, {});
    const b = await writePythonStyleRepo(root, 'models--org--b', { [COMMIT_A]: { 'y.txt': blobOf('y') } }, {});
    await fs.writeFile(path.join(a, 'blobs', `${'1'.repeat(40)}.incomplete`), '123');
    await fs.writeFile(path.join(a, 'blobs', `${'1'.repeat(40)}.incomplete.json`), '{}');
    await fs.writeFile(path.join(a, 'blobs', `${'2'.repeat(40)}.incomplete.json`), '{"orphan":1}');
    await fs.writeFile(path.join(b, 'blobs', `${'3'.repeat(64)}.deadbeef.incomplete`), '12345');

    const onlyB = await deletePartials({ root, repoId: 'org/b' });
    assert.equal(onlyB.bytesFreed, 5);
    assert.deepEqual(await fs.readdir(path.join(b, 'blobs')), [blobOf('y').etag]);
    assert.equal((await fs.readdir(path.join(a, 'blobs'))).length, 4);

    const all = await deletePartials({ root });
    assert.equal(all.bytesFreed, 3 + 2 + 12);
    assert.deepEqual(await fs.readdir(path.join(a, 'blobs')), [blobOf('x').etag]);
  });
});
