import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CACHEDIR_TAG_CONTENT } from '../../../../src/core/cache/cacheDirTag';
import { BlobMissingError, OutsideCacheError, SnapshotMissingError, UnsafeRepoPathError } from '../../../../src/core/cache/cacheErrors';
import { repoCachePaths } from '../../../../src/core/cache/cachePaths';
import { commitBlob, linkSnapshotFile, readRef, writeRef } from '../../../../src/core/cache/cacheWriter';
import { detectLinkMode } from '../../../../src/core/cache/linkMode';
import { COMMIT_A, blobOf, listTree, makeTempDir } from './cacheFixture';

const REPO = 'mlx-community/Tiny-4bit';

/** Downloads one file the way the download engine will: partial → commitBlob → linkSnapshotFile. */
async function store(root: string, repoPath: string, content: string, lfs = false, mode: 'symlink' | 'copy' = 'symlink') {
  const { bytes, etag } = blobOf(content, lfs);
  const paths = repoCachePaths(root, REPO);
  await fs.mkdir(paths.blobsDir, { recursive: true });
  await fs.writeFile(paths.incomplete(etag), bytes);
  const committed = await commitBlob({ root, repoId: REPO, etag, from: paths.incomplete(etag) });
  const linked = await linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: repoPath, etag, mode, newBlob: committed.created });
  return { etag, bytes, committed, linked };
}

describe('cache writer', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('builds the exact layout huggingface_hub writes', async () => {
    const config = await store(root, 'config.json', '{"model_type":"llama"}');
    const weights = await store(root, 'model.safetensors', 'weights!', true);
    const nested = await store(root, 'sub/dir/tokenizer.json', '{}');
    await writeRef({ root, repoId: REPO, ref: 'main', commit: COMMIT_A });

    assert.deepEqual(await listTree(root), [
      'CACHEDIR.TAG',
      'models--mlx-community--Tiny-4bit/',
      'models--mlx-community--Tiny-4bit/blobs/',
      `models--mlx-community--Tiny-4bit/blobs/${config.etag}`,
      `models--mlx-community--Tiny-4bit/blobs/${nested.etag}`,
      `models--mlx-community--Tiny-4bit/blobs/${weights.etag}`,
      'models--mlx-community--Tiny-4bit/refs/',
      'models--mlx-community--Tiny-4bit/refs/main',
      'models--mlx-community--Tiny-4bit/snapshots/',
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/`,
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/config.json -> ../../blobs/${config.etag}`,
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/model.safetensors -> ../../blobs/${weights.etag}`,
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/sub/`,
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/sub/dir/`,
      `models--mlx-community--Tiny-4bit/snapshots/${COMMIT_A}/sub/dir/tokenizer.json -> ../../../../blobs/${nested.etag}`,
    ].sort());
    assert.equal(config.etag.length, 40);
    assert.equal(weights.etag.length, 64);
    // The links resolve to the right bytes, and the ref is the bare sha.
    assert.equal(await fs.readFile(nested.linked.filePath, 'utf8'), '{}');
    assert.equal(await fs.readFile(weights.linked.filePath, 'utf8'), 'weights!');
    assert.equal(await fs.readFile(path.join(root, 'models--mlx-community--Tiny-4bit', 'refs', 'main'), 'utf8'), COMMIT_A);
    assert.equal(await fs.readFile(path.join(root, 'CACHEDIR.TAG'), 'utf8'), CACHEDIR_TAG_CONTENT);
    assert.equal(await readRef({ root, repoId: REPO, ref: 'main' }), COMMIT_A);
    assert.equal(await readRef({ root, repoId: REPO, ref: 'other' }), undefined);
  });

  it('drops the partial when the blob already exists, and removes the sidecar', async () => {
    const first = await store(root, 'a.txt', 'same');
    const paths = repoCachePaths(root, REPO);
    await fs.writeFile(paths.incomplete(first.etag), 'same');
    await fs.writeFile(paths.sidecar(first.etag), '{}');
    const again = await commitBlob({ root, repoId: REPO, etag: first.etag, from: paths.incomplete(first.etag) });
    assert.equal(again.created, false);
    assert.deepEqual((await fs.readdir(paths.blobsDir)).sort(), [first.etag]);
  });

  it('replaces an existing snapshot entry atomically', async () => {
    await store(root, 'a.txt', 'old');
    const { etag, linked } = await store(root, 'a.txt', 'new');
    assert.equal(await fs.readlink(linked.filePath), `../../blobs/${etag}`);
    assert.equal(await fs.readFile(linked.filePath, 'utf8'), 'new');
    const leftovers = (await fs.readdir(path.dirname(linked.filePath))).filter((n) => n !== 'a.txt');
    assert.deepEqual(leftovers, []);
  });

  it('copy mode moves a new blob into the snapshot and copies a shared one, like Python without symlinks', async () => {
    const paths = repoCachePaths(root, REPO);
    const moved = await store(root, 'model.safetensors', 'big', true, 'copy');
    const stat = await fs.lstat(moved.linked.filePath);
    assert.ok(stat.isFile() && !stat.isSymbolicLink());
    assert.equal(await fs.readFile(moved.linked.filePath, 'utf8'), 'big');
    await assert.rejects(fs.access(paths.blob(moved.etag)), 'a new blob is moved, not duplicated');

    const { bytes, etag } = blobOf('shared');
    await fs.writeFile(paths.blob(etag), bytes);
    const copied = await linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: 'x/shared.txt', etag, mode: 'copy' });
    assert.ok((await fs.lstat(copied.filePath)).isFile());
    assert.equal(await fs.readFile(copied.filePath, 'utf8'), 'shared');
    assert.equal(await fs.readFile(paths.blob(etag), 'utf8'), 'shared', 'an existing blob stays');
  });

  it('HF_HUB_DISABLE_SYMLINKS selects copy mode; otherwise symlinks are probed', async () => {
    assert.equal(await detectLinkMode({ root, env: { HF_HUB_DISABLE_SYMLINKS: 'yes' } }), 'copy');
    assert.equal(await detectLinkMode({ root, env: {} }), 'symlink');
    assert.deepEqual(await fs.readdir(root), [], 'the probe cleans up');
  });

  it('refuses unsafe paths before writing anything', async () => {
    const { etag } = await store(root, 'ok.txt', 'fine');
    const before = await listTree(root);
    for (const bad of ['../escape.txt', '../../../../outside', '/abs', 'a\\b', 'C:x', 'a//b', 'a/./b', 'nul\0', 'sub/..']) {
      await assert.rejects(linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: bad, etag, mode: 'symlink' }), UnsafeRepoPathError);
      await assert.rejects(linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: bad, etag, mode: 'copy' }), UnsafeRepoPathError);
    }
    assert.deepEqual(await listTree(root), before);
    await assert.rejects(fs.lstat(path.join(path.dirname(root), 'outside')), 'nothing landed next to the cache');
  });

  it('refuses a snapshot sub-folder that is a symlink out of the cache before creating anything out there', async () => {
    const { etag } = await store(root, 'ok.txt', 'fine');
    const outside = await fs.mkdtemp(path.join(path.dirname(root), 'outside-'));
    try {
      await fs.symlink(outside, path.join(repoCachePaths(root, REPO).snapshotDir(COMMIT_A), 'sub'));
      await assert.rejects(linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: 'sub/dir/x.json', etag, mode: 'symlink' }), OutsideCacheError);
      assert.deepEqual(await fs.readdir(outside), [], 'no folder made through the link');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('links many files of one new sub-folder at once (as parallel downloads do)', async () => {
    const blobs = await Promise.all(Array.from({ length: 12 }, (_, i) => store(root, `seed-${i}.json`, `{"n":${i}}`)));
    await Promise.all(
      blobs.map(({ etag }, i) => linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: `sub/dir/f${i}.json`, etag, mode: 'symlink' })),
    );
    const dir = path.join(repoCachePaths(root, REPO).snapshotDir(COMMIT_A), 'sub', 'dir');
    assert.equal((await fs.readdir(dir)).length, 12);
  });

  it('never creates a dangling link', async () => {
    await assert.rejects(linkSnapshotFile({ root, repoId: REPO, commit: COMMIT_A, path: 'a.txt', etag: '1'.repeat(40), mode: 'symlink' }), BlobMissingError);
    assert.deepEqual(await listTree(root), []);
  });

  it('writes a ref only once its snapshot exists', async () => {
    await assert.rejects(writeRef({ root, repoId: REPO, ref: 'main', commit: COMMIT_A }), SnapshotMissingError);
    assert.deepEqual(await listTree(root), []);
    await store(root, 'a.txt', 'x');
    const refPath = await writeRef({ root, repoId: REPO, ref: 'refs/pr/1', commit: COMMIT_A });
    assert.equal(refPath, path.join(root, 'models--mlx-community--Tiny-4bit', 'refs', 'refs', 'pr', '1'));
    assert.equal(await fs.readFile(refPath, 'utf8'), COMMIT_A);
    assert.deepEqual(await fs.readdir(path.dirname(refPath)), ['1'], 'no temp file left');
  });
});
