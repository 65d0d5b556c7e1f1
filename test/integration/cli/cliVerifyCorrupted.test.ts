import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { startHubStandin } from '../../fixtures/hubStandin';
import { MiB, tinyModel } from '../snapshot/modelHarness';
import { useCliFixture } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';

describe('CLI verify of a repo that scans as corrupted (a blob deleted under its link)', function () {
  this.timeout(60_000);
  const t = useCliFixture('mlx-cli-verify-');
  const cli = (...args: string[]) => t.cli(args);


  it('names the file whose blob is gone, fails, and a download puts it back', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
    assert.equal((await cli('download', REPO, '--json').exited).code, 0);
    const weights = t.hub.fileInfo(REPO, 'model.safetensors').sha256!;
    await fs.rm(path.join(t.cacheDir, 'models--mlx-community--Tiny-4bit', 'blobs', weights));

    const verify = cli('verify', REPO, '--json');
    const { code, stderr } = await verify.exited;
    assert.equal(code, 1, stderr);
    const perFile = verify.lines.filter((l) => typeof l.path === 'string');
    assert.equal(perFile.find((l) => l.path === 'model.safetensors')?.status, 'missing', JSON.stringify(verify.lines));
    assert.ok(perFile.some((l) => l.status === 'ok'), 'the intact files are reported too');
    assert.equal(verify.lines.at(-1)?.ok, false);

    assert.equal((await cli('download', REPO, '--json').exited).code, 0);
    const again = cli('verify', REPO, '--json');
    assert.equal((await again.exited).code, 0);
    assert.equal((await verifyRepo({ root: t.cacheDir, repoId: REPO })).ok, true);
  });
});
