import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanCache } from '../../../../src/core/cache/cacheScanner';
import { verifyRepo } from '../../../../src/core/cache/cacheVerifier';
import { removeDamagedFiles } from '../../../../src/core/cache/removeDamagedFiles';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from './cacheFixture';

const REPO = 'org/model';
const exists = (file: string) => fs.lstat(file).then(() => true, () => false);

describe('removing damaged files before a repair download', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let repo: string;
  const config = blobOf('{"model_type":"llama"}\n');
  const weights = blobOf(Buffer.alloc(100_000, 7), true);
  const tokenizer = blobOf(Buffer.alloc(5_000, 9), true);
  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
    const files = { 'config.json': config, 'model.safetensors': weights, 'tokenizer.json': tokenizer };
    repo = await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_A]: files }, { main: COMMIT_A });
    await writeLibraryTreeListing(repo, COMMIT_A, files);
  });
  afterEach(() => cleanup());

  const snapshotFile = (p: string) => path.join(repo, 'snapshots', COMMIT_A, p);
  const blobFile = (etag: string) => path.join(repo, 'blobs', etag);

  it('removes a blob whose bytes went bad, and its link; leaves intact files alone', async () => {
    const bad = Buffer.from(weights.bytes);
    bad[500] ^= 0xff;
    await fs.writeFile(blobFile(weights.etag), bad);
    const { files } = await verifyRepo({ root, repoId: REPO, commit: COMMIT_A });
    const removed = await removeDamagedFiles({ root, repoId: REPO, commit: COMMIT_A, checks: files });
    assert.deepEqual(removed.paths, ['model.safetensors']);
    assert.deepEqual(removed.blobs, [blobFile(weights.etag)]);
    assert.equal(await exists(blobFile(weights.etag)), false);
    assert.equal(await exists(snapshotFile('model.safetensors')), false);
    assert.ok((await fs.readFile(snapshotFile('config.json'))).equals(config.bytes), 'intact files stay');
    assert.ok(await exists(blobFile(tokenizer.etag)));
  });

  it('also unlinks the removed blob from other revisions that shared it: no dangling link anywhere', async () => {
    // A second revision (say a branch) shares the weights blob with the first.
    const other = { 'config.json': blobOf('{"model_type":"llama","v":2}\n'), 'model.safetensors': weights };
    await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_B]: other }, { main: COMMIT_A, dev: COMMIT_B });
    const bad = Buffer.from(weights.bytes);
    bad[7] ^= 0x01;
    await fs.writeFile(blobFile(weights.etag), bad);
    const { files } = await verifyRepo({ root, repoId: REPO, commit: COMMIT_A });
    const removed = await removeDamagedFiles({ root, repoId: REPO, commit: COMMIT_A, checks: files });
    assert.deepEqual(removed.otherLinks, [`${COMMIT_B}/model.safetensors`]);
    assert.equal(await exists(path.join(repo, 'snapshots', COMMIT_B, 'model.safetensors')), false);
    assert.ok(await exists(path.join(repo, 'snapshots', COMMIT_B, 'config.json')), 'the other revision keeps its intact files');
    assert.deepEqual((await scanCache(root)).warnings, [], 'nothing dangles');
  });

  it('keeps an intact blob that a file links to by mistake: only the wrong link goes', async () => {
    // tokenizer.json now points at the weights blob (intact, but the wrong file).
    await fs.rm(snapshotFile('tokenizer.json'));
    await fs.symlink(path.relative(path.dirname(snapshotFile('tokenizer.json')), blobFile(weights.etag)), snapshotFile('tokenizer.json'));
    const { files } = await verifyRepo({ root, repoId: REPO, commit: COMMIT_A });
    assert.equal(files.find((f) => f.path === 'tokenizer.json')?.status, 'mismatch');
    const removed = await removeDamagedFiles({ root, repoId: REPO, commit: COMMIT_A, checks: files });
    assert.deepEqual(removed, { paths: ['tokenizer.json'], blobs: [], otherLinks: [] });
    assert.ok((await fs.readFile(snapshotFile('model.safetensors'))).equals(weights.bytes), 'the shared blob is intact and kept');
    assert.equal(await exists(snapshotFile('tokenizer.json')), false);
  });

  it('removes a damaged copy (no link) and touches nothing outside the snapshot', async () => {
    await fs.rm(snapshotFile('config.json'));
    await fs.writeFile(snapshotFile('config.json'), '{"model_type":"broken"}\n');
    const { files } = await verifyRepo({ root, repoId: REPO, commit: COMMIT_A });
    const removed = await removeDamagedFiles({ root, repoId: REPO, commit: COMMIT_A, checks: files });
    assert.deepEqual(removed, { paths: ['config.json'], blobs: [], otherLinks: [] });
    assert.ok(await exists(blobFile(config.etag)), 'the blob of the intact original stays');
  });
});
