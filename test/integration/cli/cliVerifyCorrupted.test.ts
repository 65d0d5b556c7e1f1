import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { startHubStandin, type HubStandin } from '../../fixtures/hubStandin';
import { MiB, tinyModel } from '../snapshot/modelHarness';
import { assertCliBuilt, startCli } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';

describe('CLI verify of a repo that scans as corrupted (a blob deleted under its link)', function () {
  this.timeout(60_000);
  let hub: HubStandin;
  let cacheDir: string;
  const cli = (...args: string[]) => startCli([...args, '--cache-dir', cacheDir, '--endpoint', hub.endpoint]);

  before(assertCliBuilt);
  beforeEach(async () => {
    cacheDir = await fs.mkdtemp(path.join(tmpdir(), 'mlx-cli-verify-'));
  });
  afterEach(async () => {
    await hub?.close();
    await fs.rm(cacheDir, { recursive: true, force: true });
  });

  it('names the file whose blob is gone, fails, and a download puts it back', async () => {
    hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
    assert.equal((await cli('download', REPO, '--json').exited).code, 0);
    const weights = hub.fileInfo(REPO, 'model.safetensors').sha256!;
    await fs.rm(path.join(cacheDir, 'models--mlx-community--Tiny-4bit', 'blobs', weights));

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
    assert.equal((await verifyRepo({ root: cacheDir, repoId: REPO })).ok, true);
  });
});
