import assert from 'node:assert/strict';
import { nextPageUrl } from '../../../../src/core/hub/linkHeader';
import { InvalidHubResponseError, parseModelInfo } from '../../../../src/core/hub/modelInfo';
import { encodeRepoPath, encodeRevision, InvalidRepoPathError } from '../../../../src/core/hub/repoPath';
import { parseTreeEntry } from '../../../../src/core/hub/treeEntry';

describe('nextPageUrl', () => {
  it('finds rel="next" among several links and resolves relative targets', () => {
    assert.equal(nextPageUrl('<https://h/api?cursor=a>; rel="next"', 'https://h/x'), 'https://h/api?cursor=a');
    assert.equal(nextPageUrl('</p?c=1,2>; rel="prev", </p?c=3>; rel=next', 'https://h/x'), 'https://h/p?c=3');
    assert.equal(nextPageUrl('<https://h/a>; rel="last"', 'https://h/x'), undefined);
    assert.equal(nextPageUrl(null, 'https://h/x'), undefined);
  });
});

describe('encodeRepoPath / encodeRevision', () => {
  it('escapes each segment and keeps slashes', () => {
    assert.equal(encodeRepoPath('dir/a b#?%.json'), 'dir/a%20b%23%3F%25.json');
    assert.equal(encodeRevision('refs/pr/1'), 'refs%2Fpr%2F1');
  });
  for (const bad of ['', '/a', 'a/', 'a//b', '../a', 'a/./b', 'a\\b']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => encodeRepoPath(bad), InvalidRepoPathError));
  }
});

describe('parseTreeEntry / parseModelInfo', () => {
  it('keeps files, skips directories, rejects entries that could not name a blob', () => {
    assert.equal(parseTreeEntry({ type: 'directory', path: 'd', oid: 'a'.repeat(40), size: 0 }, 'u'), undefined);
    assert.deepEqual(parseTreeEntry({ type: 'file', path: 'm.bin', oid: 'A'.repeat(40), size: 3, lfs: { oid: 'B'.repeat(64), size: 3, pointerSize: 130 } }, 'u'), {
      path: 'm.bin',
      size: 3,
      oid: 'a'.repeat(40),
      lfs: { sha256: 'b'.repeat(64), size: 3 },
    });
    assert.throws(() => parseTreeEntry({ type: 'file', path: 'x', oid: '../../etc', size: 1 }, 'u'), InvalidHubResponseError);
    assert.throws(() => parseTreeEntry({ type: 'file', path: 'x', oid: 'a'.repeat(40), size: 1, lfs: { oid: 'zz', size: 1 } }, 'u'), InvalidHubResponseError);
  });

  it('tolerates missing fields in model info but needs an id', () => {
    const info = parseModelInfo({ id: 'o/n', gated: 'auto', siblings: [{ rfilename: 'a' }, { nope: 1 }] }, 'u');
    assert.equal(info.gated, 'auto');
    assert.equal(info.sha, undefined);
    assert.deepEqual(info.siblings, [{ path: 'a' }]);
    assert.deepEqual(info.tags, []);
    assert.throws(() => parseModelInfo({}, 'u'), InvalidHubResponseError);
    assert.throws(() => parseModelInfo([], 'u'), InvalidHubResponseError);
  });
});
