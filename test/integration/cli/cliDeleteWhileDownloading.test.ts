import assert from 'node:assert/strict';
import { scanCache } from '../../../src/core/cache/cacheScanner';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { startHubStandin } from '../../fixtures/hubStandin';
import { MiB, tinyModel } from '../snapshot/modelHarness';
import { useCliFixture } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';

describe('CLI delete while another process downloads the model', function () {
  this.timeout(120_000);
  const t = useCliFixture('mlx-cli-del-');
  const cli = (...args: string[]) => t.cli(args);


  it('refuses, naming the download, which goes on and finishes a valid cache; afterwards delete works', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 24 * MiB)] });
    // Slow enough that the delete surely lands mid-download.
    t.hub.faults.set({ kind: 'link-cap', bytesPerSecond: 16_000_000, origin: 'cdn' });
    const download = cli('download', REPO, '--json');
    await download.waitForLine((line) => line.type === 'progress' && Number(line.doneBytes) > MiB); // in the weights

    const refused = cli('delete', REPO, '--json');
    const { code, stderr } = await refused.exited;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /is being downloaded \(by process \d+\): cancel that download first/);
    assert.equal(stderr.trim().split('\n').length, 1, 'one line');

    t.hub.faults.clear();
    const finished = await download.exited;
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal((await verifyRepo({ root: t.cacheDir, repoId: REPO })).ok, true);
    assert.deepEqual((await scanCache(t.cacheDir)).warnings, []);

    const deleted = cli('delete', REPO, '--json');
    assert.equal((await deleted.exited).code, 0);
    assert.deepEqual((await scanCache(t.cacheDir)).repos, []);
  });
});
