import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { expectedHashFromEtag, hashBytes } from '../../../src/core/cache/contentHash';

describe('content hashes', () => {
  it('computes the git blob sha1 exactly as git does', () => {
    const bytes = Buffer.from('{"model_type": "llama"}\n');
    const fromGit = execFileSync('git', ['hash-object', '--stdin'], { input: bytes }).toString().trim();
    assert.equal(hashBytes('git-sha1', bytes), fromGit);
  });

  it('reads the algorithm from the etag form', () => {
    assert.equal(expectedHashFromEtag('"' + 'a'.repeat(64) + '"')?.algorithm, 'sha256');
    assert.equal(expectedHashFromEtag('W/"' + 'B'.repeat(40) + '"')?.hex, 'b'.repeat(40));
    assert.equal(expectedHashFromEtag('not-a-hash'), undefined);
  });
});
