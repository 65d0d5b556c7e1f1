import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { repoCachePaths } from '../../../../src/core/cache/cachePaths';
import { scanCache } from '../../../../src/core/cache/cacheScanner';
import { commitBlob, linkSnapshotFile, writeRef } from '../../../../src/core/cache/cacheWriter';
import { COMMIT_A, COMMIT_B, blobOf, makeTempDir } from './cacheFixture';

// Written from the source of huggingface_hub's scan_cache_dir / try_to_load_from_cache, stdlib only.
// Compiled tests live in <out>/test/unit/core/cache; the script stays in the source tree.
const SCRIPT = path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'tools', 'hfCacheCheck.py');

interface PyScan {
  repos: { repo_id: string; repo_type: string; nb_files: number; size_on_disk: number; main_config: string | null; revisions: Record<string, { refs: string[]; files: Record<string, { size: number; bytes: string }> }> }[];
  warnings: string[];
}

function pythonScan(root: string): PyScan {
  return JSON.parse(execFileSync('python3', [SCRIPT, root], { encoding: 'utf8' })) as PyScan;
}

describe('cross-check with a Python walk of the cache', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  async function put(repoId: string, commit: string, repoPath: string, content: string, mode: 'symlink' | 'copy' = 'symlink') {
    const { bytes, etag } = blobOf(content, repoPath.endsWith('.safetensors'));
    const paths = repoCachePaths(root, repoId);
    await fs.mkdir(paths.blobsDir, { recursive: true });
    await fs.writeFile(paths.incomplete(etag), bytes);
    const { created } = await commitBlob({ root, repoId, etag, from: paths.incomplete(etag) });
    await linkSnapshotFile({ root, repoId, commit, path: repoPath, etag, mode, newBlob: created });
  }

  it('Python reads what our writer wrote, and agrees with our scanner', async () => {
    await put('org/sym', COMMIT_A, 'config.json', '{"v":1}');
    await put('org/sym', COMMIT_A, 'model.safetensors', 'weights-a');
    await put('org/sym', COMMIT_A, 'deep/er/tokenizer.json', '{"t":1}');
    await put('org/sym', COMMIT_B, 'config.json', '{"v":1}');
    await put('org/sym', COMMIT_B, 'model.safetensors', 'weights-b');
    await writeRef({ root, repoId: 'org/sym', ref: 'main', commit: COMMIT_B });
    await writeRef({ root, repoId: 'org/sym', ref: 'refs/pr/1', commit: COMMIT_A });
    await put('org/copied', COMMIT_A, 'config.json', '{"copy":true}', 'copy');
    await put('org/copied', COMMIT_A, 'model.safetensors', 'copied weights', 'copy');
    await writeRef({ root, repoId: 'org/copied', ref: 'main', commit: COMMIT_A });

    const py = pythonScan(root);
    assert.deepEqual(py.warnings, []);
    const ours = await scanCache(root);
    assert.deepEqual(ours.warnings, []);
    assert.deepEqual(py.repos.map((r) => r.repo_id), ours.repos.map((r) => r.repoId));
    for (const [i, pyRepo] of py.repos.entries()) {
      const repo = ours.repos[i]!;
      assert.equal(pyRepo.repo_type, repo.repoType);
      assert.equal(pyRepo.nb_files, repo.nbFiles);
      assert.equal(pyRepo.size_on_disk, repo.sizeOnDisk);
      for (const revision of repo.revisions) {
        const pyRev = pyRepo.revisions[revision.commit]!;
        assert.deepEqual(pyRev.refs, revision.refs);
        assert.deepEqual(Object.fromEntries(Object.entries(pyRev.files).map(([p, f]) => [p, f.size])), Object.fromEntries(revision.files.map((f) => [f.path, f.size])));
      }
    }
    const sym = py.repos.find((r) => r.repo_id === 'org/sym')!;
    assert.equal(sym.main_config, '{"v":1}');
    assert.equal(sym.revisions[COMMIT_A]!.files['deep/er/tokenizer.json']!.bytes, '{"t":1}');
    assert.equal(sym.nb_files, 4, 'config.json is one blob shared by both revisions');
    assert.equal(py.repos.find((r) => r.repo_id === 'org/copied')!.revisions[COMMIT_A]!.files['model.safetensors']!.bytes, 'copied weights');
  });

  it('Python also flags the corruption our scanner flags', async () => {
    await put('org/broken', COMMIT_A, 'a.txt', 'a');
    await writeRef({ root, repoId: 'org/broken', ref: 'main', commit: COMMIT_A });
    await fs.rm(repoCachePaths(root, 'org/broken').blob(blobOf('a').etag));
    const py = pythonScan(root);
    const ours = await scanCache(root);
    assert.equal(py.warnings.length, 1);
    assert.match(py.warnings[0]!, /broken symlink/);
    assert.match(ours.repos[0]!.corruption!, /broken symlink/);
  });
});
