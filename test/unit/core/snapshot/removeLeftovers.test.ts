import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { repoCachePaths } from '../../../../src/core/cache/cachePaths';
import { removeLeftovers } from '../../../../src/core/snapshot/removeLeftovers';
import { COMMIT_A, makeTempDir } from '../cache/cacheFixture';

describe('removeLeftovers', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it("removes a tree listing's temporary file a killed writer left in trees/, and nothing else there", async () => {
    const paths = repoCachePaths(root, 'org/model');
    await fs.mkdir(paths.treesDir, { recursive: true });
    const listing = paths.treeListing(COMMIT_A);
    await fs.writeFile(listing, '{}');
    await fs.writeFile(`${listing}.0a1b2c3d.tmp`, '{"format_version": 1, "fi');
    // The library's own temp name (tempfile.mkstemp) is not ours to remove.
    await fs.writeFile(path.join(paths.treesDir, 'tmpk3j2h1g0.tmp'), 'theirs');
    await removeLeftovers(paths, COMMIT_A);
    assert.deepEqual((await fs.readdir(paths.treesDir)).sort(), [`${COMMIT_A}.json`, 'tmpk3j2h1g0.tmp']);
  });
});
