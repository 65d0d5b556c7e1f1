import assert from 'node:assert/strict';
import { InvalidRepoIdError, parseRepoId } from '../../../../src/core/hub/repoId';

describe('parseRepoId', () => {
  it('accepts owner/name ids of the Hub', () => {
    assert.deepEqual(parseRepoId(' mlx-community/Llama-3.2-3B-Instruct-4bit '), {
      owner: 'mlx-community',
      name: 'Llama-3.2-3B-Instruct-4bit',
      id: 'mlx-community/Llama-3.2-3B-Instruct-4bit',
    });
    assert.equal(parseRepoId('a_b/c.d').name, 'c.d');
  });

  for (const bad of ['llama', 'a/b/c', '/x', 'x/', '../etc', 'a/..', 'a/b--c', 'a/b.', 'a/-b', 'a b/c', 'a/c\\d', 'a/%2e%2e', `a/${'x'.repeat(97)}`, 'a/b\0c']) {
    it(`refuses ${JSON.stringify(bad)} with an actionable message`, () => {
      assert.throws(() => parseRepoId(bad), (e: unknown) => e instanceof InvalidRepoIdError && /owner\/name/.test(e.message));
    });
  }
});
