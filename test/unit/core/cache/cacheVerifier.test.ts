import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RevisionNotCachedError } from '../../../../src/core/cache/cacheErrors';
import { verifyRepo, type VerifyProgress } from '../../../../src/core/cache/cacheVerifier';
import { type RepoFile } from '../../../../src/core/hub/repoFile';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writePythonStyleRepo } from './cacheFixture';

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

  it('marks copied files without a blob name as unchecked, and refuses an uncached revision', async () => {
    const file = path.join(repo, 'snapshots', COMMIT_A, 'config.json');
    await fs.rm(file);
    await fs.writeFile(file, config.bytes);
    const result = await verifyRepo({ root, repoId: REPO });
    assert.equal(result.files[0]!.status, 'unchecked');
    assert.equal((await verifyRepo({ root, repoId: REPO, expected })).files[0]!.status, 'ok');
    await assert.rejects(verifyRepo({ root, repoId: REPO, commit: COMMIT_B }), RevisionNotCachedError);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by user'));
    await assert.rejects(verifyRepo({ root, repoId: REPO, signal: controller.signal }), /cancelled by user/);
  });
});
