import assert from 'node:assert/strict';
import { InvalidRefNameError } from '../../../../src/core/cache/cacheErrors';
import { assertRevision } from '../../../../src/core/hub/revision';

describe('assertRevision', () => {
  for (const good of ['main', 'dev', 'v1.0', 'feature/x-y_z', 'refs/pr/1', 'refs/pr/12', 'a'.repeat(40), '0123456789abcdef0123456789abcdef01234567', 'HEAD']) {
    it(`accepts ${JSON.stringify(good)}`, () => assert.equal(assertRevision(good), good));
  }

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['.', /may not end with "\."/],
    ['..', /"\.\." is not allowed/],
    ['a..b', /"\.\." is not allowed/],
    ['../../../x', /"\.\." is not allowed/],
    ['x.lock', /may not end with "\.lock"/],
    ['refs/pr/1.lock', /may not end with "\.lock"/],
    ['/abs', /empty path component/],
    ['dev/', /empty path component/],
    ['a//b', /empty path component/],
    ['a b', /spaces/],
    ['a\\b', /\\/],
    ['a:b', /:/],
    ['x@{1}', /"@\{" is not allowed/],
    ['@', /"@" alone/],
    ['dev.', /may not end with "\."/],
  ];
  for (const [revision, rule] of bad) {
    it(`refuses ${JSON.stringify(revision)}, naming the rule`, () => {
      assert.throws(
        () => assertRevision(revision),
        (e: unknown) => e instanceof InvalidRefNameError && rule.test(e.message) && e.message.startsWith(`${JSON.stringify(revision)} is not a valid branch or tag name`),
      );
    });
  }
});
