import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanCache, scanRepo } from '../../../../src/core/cache/cacheScanner';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir, writeLibraryTreeListing, writePythonStyleRepo } from './cacheFixture';

describe('cache scanner', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('reads a cache left by huggingface_hub <=1.17 (legacy partial) and >=1.18 (suffixed partial, shared blob store)', async () => {
    const config = blobOf('{"a":1}');
    const weightsV1 = blobOf('weights-1', true);
    const weightsV2 = blobOf('weights-2', true);
    // <=1.17: two revisions sharing config.json, a legacy partial with our sidecar.
    const old = await writePythonStyleRepo(
      root,
      'models--org--old',
      { [COMMIT_A]: { 'config.json': config, 'model.safetensors': weightsV1 }, [COMMIT_B]: { 'config.json': config, 'sub/model.safetensors': weightsV2 } },
      { main: COMMIT_B, 'refs/pr/1': COMMIT_A },
    );
    await fs.writeFile(path.join(old, 'blobs', `${'c'.repeat(64)}.incomplete`), '12345');
    await fs.writeFile(path.join(old, 'blobs', `${'c'.repeat(64)}.incomplete.json`), '{}');
    // >=1.18: suffixed partial, and a blob that is itself a symlink into <root>/blobs.
    const modern = await writePythonStyleRepo(root, 'models--org--new', { [COMMIT_A]: { 'config.json': config, 'model.safetensors': weightsV1 } }, { main: COMMIT_A });
    await fs.mkdir(path.join(root, 'blobs'));
    await fs.rename(path.join(modern, 'blobs', weightsV1.etag), path.join(root, 'blobs', weightsV1.etag));
    await fs.symlink(path.join('..', '..', 'blobs', weightsV1.etag), path.join(modern, 'blobs', weightsV1.etag));
    await fs.writeFile(path.join(modern, 'blobs', `${'d'.repeat(40)}.0a1b2c3d.incomplete`), '123');
    // Entries that are not repos.
    await fs.mkdir(path.join(root, '.locks', 'models--org--old'), { recursive: true });
    await fs.writeFile(path.join(root, 'CACHEDIR.TAG'), 'x');
    await fs.writeFile(path.join(root, '.DS_Store'), 'x');

    const scan = await scanCache(root);
    assert.deepEqual(scan.warnings, []);
    assert.deepEqual(scan.repos.map((r) => r.repoId), ['org/new', 'org/old']);
    const [newer, older] = scan.repos as [(typeof scan.repos)[0], (typeof scan.repos)[0]];

    assert.equal(older.repoType, 'model');
    assert.deepEqual(older.refs, { main: COMMIT_B, 'refs/pr/1': COMMIT_A });
    assert.equal(older.nbFiles, 3, 'the shared config.json blob counts once');
    assert.equal(older.sizeOnDisk, config.bytes.length + weightsV1.bytes.length + weightsV2.bytes.length);
    assert.deepEqual(older.revisions.map((r) => [r.commit, r.refs]), [[COMMIT_A, ['refs/pr/1']], [COMMIT_B, ['main']]]);
    const revB = older.revisions[1]!;
    assert.deepEqual(revB.files.map((f) => [f.path, f.etag, f.size]), [
      ['config.json', config.etag, config.bytes.length],
      ['sub/model.safetensors', weightsV2.etag, weightsV2.bytes.length],
    ]);
    assert.equal(revB.files[0]!.blobPath, path.join(older.path, 'blobs', config.etag));
    assert.equal(revB.sizeOnDisk, config.bytes.length + weightsV2.bytes.length);
    assert.deepEqual(older.partials.map((p) => [p.etag, p.bytes, p.layout, p.sidecar]), [['c'.repeat(64), 5, 'legacy', path.join(older.path, 'blobs', `${'c'.repeat(64)}.incomplete.json`)]]);
    assert.equal(older.corruption, undefined);

    const weights = newer.revisions[0]!.files.find((f) => f.path === 'model.safetensors')!;
    assert.equal(weights.blobPath, await fs.realpath(path.join(root, 'blobs', weightsV1.etag)), 'symlinks into the shared store are followed');
    assert.equal(weights.etag, weightsV1.etag);
    assert.equal(newer.sizeOnDisk, config.bytes.length + weightsV1.bytes.length);
    assert.deepEqual(newer.partials.map((p) => [p.etag, p.bytes, p.layout]), [['d'.repeat(40), 3, 'modern']]);
    assert.ok(newer.lastModified > 0);
  });

  it('reports a dangling symlink as corruption without crashing', async () => {
    const good = blobOf('good');
    const repo = await writePythonStyleRepo(root, 'models--org--broken', { [COMMIT_A]: { 'a.txt': good, 'b.txt': blobOf('gone') } }, { main: COMMIT_A });
    await fs.rm(path.join(repo, 'blobs', blobOf('gone').etag));
    const scan = await scanCache(root);
    const repoInfo = scan.repos[0]!;
    assert.match(repoInfo.corruption ?? '', /Blob missing \(broken symlink\).*b\.txt/);
    assert.equal(scan.warnings.length, 1);
    assert.deepEqual(repoInfo.revisions[0]!.files.map((f) => f.path), ['a.txt'], 'the readable files are still listed');
    assert.equal(repoInfo.sizeOnDisk, good.bytes.length);
  });

  it('reports refs to missing snapshots, odd folders and files, like scan_cache_dir', async () => {
    await writePythonStyleRepo(root, 'models--org--refs', { [COMMIT_A]: { 'a.txt': blobOf('a') } }, { main: COMMIT_B, v1: `${COMMIT_A}\n` });
    await writePythonStyleRepo(root, 'datasets--org--data', { [COMMIT_A]: { 'a.csv': blobOf('x,y') } }, {});
    await fs.mkdir(path.join(root, 'models--org--nosnap', 'blobs'), { recursive: true });
    await fs.mkdir(path.join(root, 'notarepo'));
    await fs.mkdir(path.join(root, 'widgets--org--x', 'snapshots'), { recursive: true });
    // huggingface_hub 2.0 caches kernels (`kernels--org--name`) next to models.
    await writePythonStyleRepo(root, 'kernels--kernels-community--activation', { [COMMIT_A]: { 'build.toml': blobOf('[general]\n') } }, { main: COMMIT_A });
    await fs.writeFile(path.join(root, 'models--org--file'), 'x');
    await writePythonStyleRepo(root, 'models--org--snapfile', { [COMMIT_A]: { 'a.txt': blobOf('a') } }, {});
    await fs.writeFile(path.join(root, 'models--org--snapfile', 'snapshots', COMMIT_B), 'x');

    const scan = await scanCache(root);
    const byName = Object.fromEntries(scan.repos.map((r) => [path.basename(r.path), r]));
    assert.match(byName['models--org--refs']!.corruption!, /Ref "main" refers to a missing commit/);
    assert.match(byName['models--org--refs']!.corruption!, /Ref "v1" refers to a missing commit/, 'a trailing newline breaks Python too');
    assert.equal(byName['datasets--org--data']!.repoType, 'dataset');
    assert.equal(byName['datasets--org--data']!.corruption, undefined);
    assert.match(byName['models--org--nosnap']!.corruption!, /Snapshots dir doesn't exist/);
    assert.match(byName['notarepo']!.corruption!, /not a valid Hugging Face cache directory/);
    assert.match(byName['widgets--org--x']!.corruption!, /Repo type must be/);
    assert.equal(byName['kernels--kernels-community--activation']!.repoType, 'kernel');
    assert.equal(byName['kernels--kernels-community--activation']!.repoId, 'kernels-community/activation');
    assert.equal(byName['kernels--kernels-community--activation']!.corruption, undefined);
    assert.match(byName['models--org--file']!.corruption!, /not a directory/);
    assert.match(byName['models--org--snapfile']!.corruption!, /Found a file/);
    assert.equal(scan.warnings.length, 7);
  });

  it('treats trees/ as part of the layout (no warning, in no size, like scan_cache_dir 2.0) and gives each revision its listing', async () => {
    const config = blobOf('{"model_type":"llama"}');
    const shard1 = blobOf('shard one', true);
    const shard2 = blobOf('shard two!', true);
    const index = blobOf(JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors', bad: '../x' } }));
    const snapshotA = { 'config.json': config, 'model.safetensors.index.json': index, 'model-00001-of-00002.safetensors': shard1, 'model-00002-of-00002.safetensors': shard2 };
    const repo = await writePythonStyleRepo(root, 'models--org--model', { [COMMIT_A]: snapshotA, [COMMIT_B]: { 'config.json': config } }, { main: COMMIT_A });
    await writeLibraryTreeListing(repo, COMMIT_A, { ...snapshotA, 'README.md': blobOf('# readme\n') });
    await fs.writeFile(path.join(repo, 'trees', `${COMMIT_B}.json`), '{"format_version": 1, "files": {');
    await fs.writeFile(path.join(repo, 'trees', 'tmpa1b2c3d4.tmp'), 'left by a killed writer');

    const scan = await scanCache(root);
    assert.deepEqual(scan.warnings, []);
    const [scanned] = scan.repos;
    assert.equal(scanned!.corruption, undefined);
    const blobBytes = [config, index, shard1, shard2].reduce((n, b) => n + b.bytes.length, 0);
    assert.equal(scanned!.sizeOnDisk, blobBytes, 'blobs only: the listings are not counted');
    assert.equal(scanned!.nbFiles, 4);
    const [revA, revB] = scanned!.revisions;
    assert.deepEqual([...revA!.treeListing!.keys()].sort(), ['README.md', ...Object.keys(snapshotA)].sort());
    assert.deepEqual(revA!.treeListing!.get('model-00002-of-00002.safetensors'), {
      size: shard2.bytes.length,
      blob_id: revA!.treeListing!.get('model-00002-of-00002.safetensors')!.blob_id,
      lfs_sha256: shard2.etag,
      lfs_size: shard2.bytes.length,
    });
    assert.deepEqual(revA!.indexedWeights, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'], 'distinct, sorted, unsafe names dropped');
    assert.equal(revB!.treeListing, undefined, 'a broken listing is ignored, as the library ignores it');
    assert.equal(revB!.indexedWeights, undefined);
  });

  it('scans one repo by id, and treats a missing cache as empty', async () => {
    await writePythonStyleRepo(root, 'models--org--one', { [COMMIT_A]: { 'a.txt': blobOf('a') } }, { main: COMMIT_A });
    assert.equal((await scanRepo(root, 'org/one'))?.refs.main, COMMIT_A);
    assert.equal(await scanRepo(root, 'org/two'), undefined);
    assert.deepEqual(await scanCache(path.join(root, 'absent')), { root: path.join(root, 'absent'), repos: [], warnings: [], sizeOnDisk: 0 });
  });
});
