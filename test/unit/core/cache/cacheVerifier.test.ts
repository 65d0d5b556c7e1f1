import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RevisionNotCachedError } from '../../../../src/core/cache/cacheErrors';
import { verifyRepo, type VerifyProgress } from '../../../../src/core/cache/cacheVerifier';
import { type RepoFile } from '../../../../src/core/hub/repoFile';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from './cacheFixture';

const REPO = 'org/model';

describe('cache verifier', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let repo: string;
  const config = blobOf('{"model_type":"llama"}\n');
  const weights = blobOf(Buffer.alloc(200_000, 7), true);
  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
    repo = await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_A]: { 'config.json': config, 'w/model.safetensors': weights } }, { main: COMMIT_A });
  });
  afterEach(() => cleanup());

  const expected: RepoFile[] = [
    { path: 'config.json', size: config.bytes.length, oid: config.etag },
    { path: 'w/model.safetensors', size: weights.bytes.length, oid: 'f'.repeat(40), lfs: { sha256: weights.etag, size: weights.bytes.length } },
  ];

  it('passes an intact snapshot, by blob names and by the Hub tree, reporting progress', async () => {
    const seen: VerifyProgress[] = [];
    const byName = await verifyRepo({ root, repoId: REPO, onProgress: (p) => seen.push(p) });
    assert.equal(byName.commit, COMMIT_A);
    assert.deepEqual(byName.files.map((f) => [f.path, f.status]), [['config.json', 'ok'], ['w/model.safetensors', 'ok']]);
    assert.ok(byName.ok);
    assert.equal(seen.at(-1)!.filesDone, 2);
    assert.equal(seen.at(-1)!.bytesDone, config.bytes.length + weights.bytes.length);
    assert.equal((await verifyRepo({ root, repoId: REPO, commit: COMMIT_A, expected })).ok, true);
  });

  it('catches a flipped byte', async () => {
    const blob = path.join(repo, 'blobs', weights.etag);
    const bytes = await fs.readFile(blob);
    bytes[123_456] ^= 0x01;
    await fs.writeFile(blob, bytes);
    for (const result of [await verifyRepo({ root, repoId: REPO }), await verifyRepo({ root, repoId: REPO, expected })]) {
      const bad = result.files.find((f) => f.path === 'w/model.safetensors')!;
      assert.equal(bad.status, 'mismatch');
      assert.equal(bad.expected, weights.etag);
      assert.notEqual(bad.actual, weights.etag);
      assert.equal(result.files.find((f) => f.path === 'config.json')!.status, 'ok');
      assert.equal(result.ok, false);
    }
  });

  it('reports missing, extra, dangling and unsafe entries without throwing', async () => {
    await fs.rm(path.join(repo, 'blobs', config.etag));
    const extra = blobOf('extra');
    await fs.writeFile(path.join(repo, 'blobs', extra.etag), extra.bytes);
    await fs.symlink(`../../blobs/${extra.etag}`, path.join(repo, 'snapshots', COMMIT_A, 'extra.txt'));
    const result = await verifyRepo({
      root,
      repoId: REPO,
      expected: [...expected, { path: 'absent.json', size: 1, oid: '0'.repeat(40) }, { path: '../evil', size: 1, oid: '0'.repeat(40) }],
    });
    assert.deepEqual(result.files.map((f) => [f.path, f.status]), [
      ['config.json', 'missing'],
      ['w/model.safetensors', 'ok'],
      ['absent.json', 'missing'],
      ['../evil', 'missing'],
      ['extra.txt', 'extra'],
    ]);
    assert.match(result.files[3]!.reason!, /not a safe relative path/);
    assert.equal(result.ok, false);
  });

  it('marks copied files without a blob name or listing as unchecked, which is not a failure; refuses an uncached revision', async () => {
    const file = path.join(repo, 'snapshots', COMMIT_A, 'config.json');
    await fs.rm(file);
    await fs.writeFile(file, config.bytes);
    const result = await verifyRepo({ root, repoId: REPO });
    assert.equal(result.files[0]!.status, 'unchecked');
    assert.match(result.files[0]!.reason!, /copied file, and no tree listing records its hash/);
    assert.deepEqual([result.ok, result.unchecked, result.source], [true, 1, 'blob-names'], 'nothing says the file is wrong');
    assert.equal((await verifyRepo({ root, repoId: REPO, expected })).files[0]!.status, 'ok');
    await assert.rejects(verifyRepo({ root, repoId: REPO, commit: COMMIT_B }), RevisionNotCachedError);
  });

  /** Turns every snapshot link into a real file, as a copy-mode download (HF_HUB_DISABLE_SYMLINKS=1) leaves it. */
  async function copyMode(): Promise<void> {
    for (const p of ['config.json', 'w/model.safetensors']) {
      const file = path.join(repo, 'snapshots', COMMIT_A, ...p.split('/'));
      const bytes = await fs.readFile(file);
      await fs.rm(file);
      await fs.writeFile(file, bytes);
    }
    await fs.rm(path.join(repo, 'blobs'), { recursive: true });
  }

  it('checks copied files against trees/<commit>.json: sha256 for LFS, git sha1 otherwise', async () => {
    await writeLibraryTreeListing(repo, COMMIT_A, { 'config.json': config, 'w/model.safetensors': weights });
    await copyMode();
    const intact = await verifyRepo({ root, repoId: REPO });
    assert.deepEqual(intact.files.map((f) => [f.path, f.status, f.actual]), [['config.json', 'ok', config.etag], ['w/model.safetensors', 'ok', weights.etag]]);
    assert.deepEqual([intact.ok, intact.unchecked, intact.source], [true, 0, 'tree-listing']);

    const file = path.join(repo, 'snapshots', COMMIT_A, 'w', 'model.safetensors');
    const bytes = await fs.readFile(file);
    bytes[99_999] ^= 0x80;
    await fs.writeFile(file, bytes);
    const tampered = await verifyRepo({ root, repoId: REPO });
    assert.deepEqual(tampered.files.map((f) => [f.path, f.status]), [['config.json', 'ok'], ['w/model.safetensors', 'mismatch']]);
    assert.equal(tampered.files[1]!.expected, weights.etag);
    assert.equal(tampered.ok, false);
  });

  it('with a listing: a required file absent is missing, an unrequired one is not, an unlisted copy is extra', async () => {
    const readme = blobOf('# model card\n');
    const tokenizer = blobOf('{"tokenizer":1}');
    await writeLibraryTreeListing(repo, COMMIT_A, { 'config.json': config, 'w/model.safetensors': weights, 'README.md': readme, 'tokenizer.json': tokenizer });
    await fs.writeFile(path.join(repo, 'snapshots', COMMIT_A, 'notes.txt'), 'mine');
    const isRequired = (p: string) => p.endsWith('.json') || p.endsWith('.safetensors');
    const result = await verifyRepo({ root, repoId: REPO, isRequired });
    assert.deepEqual(result.files.map((f) => [f.path, f.status]), [
      ['config.json', 'ok'],
      ['notes.txt', 'extra'],
      ['tokenizer.json', 'missing'],
      ['w/model.safetensors', 'ok'],
    ]);
    assert.equal(result.ok, false);
    const lenient = await verifyRepo({ root, repoId: REPO });
    assert.equal(lenient.ok, true, 'without isRequired only the files present are checked');
  });

  it('with a listing, a link to the wrong blob fails even though the blob matches its own name', async () => {
    const other = blobOf('{"model_type":"other"}\n');
    await fs.writeFile(path.join(repo, 'blobs', other.etag), other.bytes);
    const link = path.join(repo, 'snapshots', COMMIT_A, 'config.json');
    await fs.rm(link);
    await fs.symlink(`../../blobs/${other.etag}`, link);
    assert.equal((await verifyRepo({ root, repoId: REPO })).ok, true, 'by blob names alone it looks fine');
    await writeLibraryTreeListing(repo, COMMIT_A, { 'config.json': config, 'w/model.safetensors': weights });
    const checked = await verifyRepo({ root, repoId: REPO });
    assert.deepEqual(checked.files.map((f) => [f.path, f.status]), [['config.json', 'mismatch'], ['w/model.safetensors', 'ok']]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by user'));
    await assert.rejects(verifyRepo({ root, repoId: REPO, signal: controller.signal }), /cancelled by user/);
  });
});
