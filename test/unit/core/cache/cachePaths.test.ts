import assert from 'node:assert/strict';
import path from 'node:path';
import { InvalidCommitShaError, InvalidEtagError, InvalidRefNameError, UnsafeRepoPathError } from '../../../../src/core/cache/cacheErrors';
import { assertRefName, repoCachePaths, repoFolderName, safeRepoRelativePath } from '../../../../src/core/cache/cachePaths';
import { InvalidRepoIdError } from '../../../../src/core/hub/repoId';

const ROOT = path.resolve('/cache');
const SHA1 = '1'.repeat(40);
const SHA256 = 'f'.repeat(64);

describe('cache paths', () => {
  it('names repo folders like huggingface_hub repo_folder_name', () => {
    assert.equal(repoFolderName('mlx-community/Llama-3.2-3B-Instruct-4bit'), 'models--mlx-community--Llama-3.2-3B-Instruct-4bit');
    assert.equal(repoFolderName('nyu-mll/glue', 'dataset'), 'datasets--nyu-mll--glue');
    assert.equal(repoFolderName('gpt2'), 'models--gpt2');
    assert.throws(() => repoFolderName('a/../b'), InvalidRepoIdError);
    assert.throws(() => repoFolderName('..'), InvalidRepoIdError);
  });

  it('lays out blobs, partials, sidecars, refs, snapshots, locks and .no_exist', () => {
    const p = repoCachePaths(ROOT, 'org/name');
    const repo = path.join(ROOT, 'models--org--name');
    assert.equal(p.blob(SHA256), path.join(repo, 'blobs', SHA256));
    assert.equal(p.incomplete(SHA1), path.join(repo, 'blobs', `${SHA1}.incomplete`));
    assert.equal(p.sidecar(SHA1), path.join(repo, 'blobs', `${SHA1}.incomplete.json`));
    assert.equal(p.ref('main'), path.join(repo, 'refs', 'main'));
    assert.equal(p.ref('refs/pr/1'), path.join(repo, 'refs', 'refs', 'pr', '1'));
    assert.equal(p.snapshotFile(SHA1, 'a/b/c.json'), path.join(repo, 'snapshots', SHA1, 'a', 'b', 'c.json'));
    assert.equal(p.lock(SHA1), path.join(ROOT, '.locks', 'models--org--name', `${SHA1}.lock`));
    assert.equal(p.noExist(SHA1, 'x.txt'), path.join(repo, '.no_exist', SHA1, 'x.txt'));
  });

  it('validates commits, etags and ref names', () => {
    const p = repoCachePaths(ROOT, 'org/name');
    for (const bad of ['main', 'A'.repeat(40), '1'.repeat(39), '../' + '1'.repeat(37)]) assert.throws(() => p.snapshotDir(bad), InvalidCommitShaError);
    for (const bad of ['abc', '../x', 'G'.repeat(40), '1'.repeat(41)]) assert.throws(() => p.blob(bad), InvalidEtagError);
    for (const bad of ['', '../main', 'a/../b', '/main', 'main/', 'a//b', 'a b', 'a\\b', '.hidden', 'x.lock', 'a:b', SHA1, 'a\nb']) {
      assert.throws(() => assertRefName(bad), (e: unknown) => e instanceof InvalidRefNameError && /branch or tag/.test(e.message), bad);
    }
    for (const good of ['main', 'v1.0', 'refs/pr/1', 'feature/x_y-z']) assert.equal(assertRefName(good), good);
  });

  describe('safeRepoRelativePath', () => {
    for (const good of ['config.json', 'a/b/model-00001-of-00002.safetensors', '.gitattributes', 'x..y/z', 'dir/.hidden']) {
      it(`accepts ${JSON.stringify(good)}`, () => assert.equal(safeRepoRelativePath(good), good));
    }
    const bad = ['', '..', '../etc/passwd', 'a/../../b', '/etc/passwd', 'a\\b', '..\\x', 'C:/Windows/x', 'C:x', 'a/D:b', 'a//b', 'a/', 'a/./b', '.', '...', 'a\0b', 'a\nb', 'a\x7fb', 'a\tb'];
    for (const path of bad) {
      it(`refuses ${JSON.stringify(path)} with an actionable message`, () => {
        assert.throws(() => safeRepoRelativePath(path), (e: unknown) => e instanceof UnsafeRepoPathError && /Nothing was written/.test(e.message) && /rename/.test(e.message));
      });
    }
  });
});
