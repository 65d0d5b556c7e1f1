import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deleteRepo, deleteRevision } from '../../../../src/core/cache/cacheDeleter';
import { scanCache } from '../../../../src/core/cache/cacheScanner';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writePythonStyleRepo } from './cacheFixture';

const exists = (file: string) => fs.lstat(file).then(() => true, () => false);

/**
 * huggingface_hub 2.0's shared store, laid out as its `publish_blob_to_shared_store` leaves it: the
 * payload at `<cache>/blobs/<2 hex>/<hash>`, each repo's `blobs/<etag>` a relative symlink to it, and
 * `<hash>.refs` listing those symlinks. (The real library builds the same layout in
 * test/integration/cli/realHuggingfaceHub.test.ts.)
 */
async function share(root: string, repoFolders: string[], etag: string): Promise<string> {
  const store = path.join(root, 'blobs');
  await fs.mkdir(store, { recursive: true });
  await fs.writeFile(path.join(store, '.huggingface-shared-blobs'), '1\n');
  const bytes = await fs.readFile(path.join(root, repoFolders[0]!, 'blobs', etag));
  const hash = createHash('sha256').update(bytes).update('xet').digest('hex'); // a Xet hash is not the etag
  const payload = path.join(store, hash.slice(0, 2), hash);
  await fs.mkdir(path.dirname(payload), { recursive: true });
  await fs.writeFile(payload, bytes);
  for (const folder of repoFolders) {
    const blob = path.join(root, folder, 'blobs', etag);
    await fs.rm(blob);
    await fs.symlink(path.relative(path.dirname(blob), payload), blob);
    await fs.appendFile(`${payload}.refs`, `${folder}/blobs/${etag}\n`);
  }
  return payload;
}

describe("huggingface_hub's shared blob store", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const weights = blobOf(Buffer.alloc(50_000, 3), true);
  const configA = blobOf('{"model_type":"llama","a":1}');
  const configB = blobOf('{"model_type":"llama","b":2}');
  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir());
    await writePythonStyleRepo(root, 'models--org--a', { [COMMIT_A]: { 'config.json': configA, 'model.safetensors': weights } }, { main: COMMIT_A });
    await writePythonStyleRepo(root, 'models--org--b', { [COMMIT_A]: { 'config.json': configB, 'model.safetensors': weights } }, { main: COMMIT_A });
  });
  afterEach(() => cleanup());

  it('scan counts a payload two repos share once in the cache total (and in each repo), plus unused payloads', async () => {
    await share(root, ['models--org--a', 'models--org--b'], weights.etag);
    const unused = await share(root, ['models--org--a'], configA.etag);
    // Repo a's config moved back to a blob of its own: the payload is listed but no longer linked.
    const blobA = path.join(root, 'models--org--a', 'blobs', configA.etag);
    await fs.rm(blobA);
    await fs.writeFile(blobA, configA.bytes);

    const scan = await scanCache(root);
    assert.deepEqual(scan.warnings, []);
    const size = (id: string) => scan.repos.find((r) => r.repoId === id)!.sizeOnDisk;
    assert.equal(size('org/a'), weights.bytes.length + configA.bytes.length);
    assert.equal(size('org/b'), weights.bytes.length + configB.bytes.length);
    assert.equal(scan.sizeOnDisk, weights.bytes.length + configA.bytes.length + configB.bytes.length + (await fs.stat(unused)).size);
  });

  it('delete keeps a payload another repo still links to, and frees it with the last one', async () => {
    const payload = await share(root, ['models--org--a', 'models--org--b'], weights.etag);
    const first = await deleteRepo({ root, repoId: 'org/a' });
    const refBytes = COMMIT_A.length; // refs/main
    assert.equal(first.bytesFreed, configA.bytes.length + refBytes, 'the shared weights are not freed yet');
    assert.ok(await exists(payload));
    assert.equal(await fs.readFile(`${payload}.refs`, 'utf8'), `models--org--b/blobs/${weights.etag}\n`, 'the manifest lists only live links');
    assert.deepEqual((await scanCache(root)).warnings, []);

    const last = await deleteRepo({ root, repoId: 'org/b' });
    assert.equal(last.bytesFreed, configB.bytes.length + refBytes + weights.bytes.length);
    assert.equal(await exists(payload), false);
    assert.equal(await exists(`${payload}.refs`), false);
    assert.equal((await scanCache(root)).sizeOnDisk, 0);
  });

  it('deleting a revision frees the payload only it used', async () => {
    const other = blobOf(Buffer.alloc(20_000, 4), true);
    await writePythonStyleRepo(root, 'models--org--a', { [COMMIT_B]: { 'config.json': configA, 'model-v2.safetensors': other } }, { main: COMMIT_B, v1: COMMIT_A });
    const payload = await share(root, ['models--org--a'], weights.etag);
    const result = await deleteRevision({ root, repoId: 'org/a', commit: COMMIT_A });
    assert.equal(result.bytesFreed, weights.bytes.length, 'the old weights, through the store');
    assert.equal(await exists(payload), false);
    assert.deepEqual((await scanCache(root)).warnings, []);
  });

  it('keeps a payload whose manifest is missing, and anything in an unmarked blobs/ folder', async () => {
    const payload = await share(root, ['models--org--a'], weights.etag);
    await fs.rm(`${payload}.refs`);
    await deleteRepo({ root, repoId: 'org/a' });
    assert.ok(await exists(payload), 'no manifest: leak rather than risk deleting used content');

    await fs.writeFile(path.join(root, 'blobs', '.huggingface-shared-blobs'), '2\n'); // a layout we do not know
    const payloadB = await share(root, ['models--org--b'], configB.etag);
    await fs.writeFile(path.join(root, 'blobs', '.huggingface-shared-blobs'), '2\n');
    await deleteRepo({ root, repoId: 'org/b' });
    assert.ok(await exists(payloadB), 'an unknown store layout is never touched');
  });
});
