import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertCliBuilt, CLI, startCli } from './cliProcess';

const PROBE = path.resolve(__dirname, '..', '..', 'fixtures', 'recordLoadedModules.js');

describe('CLI: Node built-ins it does not need stay unloaded (each costs RSS; goal < 80 MB)', function () {
  this.timeout(60_000);
  let dir: string;

  before(assertCliBuilt);
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mlx-cli-builtins-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads undici (and with it node:net) but not node:http2, which only an h2 connection would use', async () => {
    const record = path.join(dir, 'loaded.json');
    const { code, stderr } = await startCli(['scan', '--json', '--cache-dir', path.join(dir, 'cache')], { MLX_LOADED_MODULES_FILE: record }, { nodeArgs: ['--require', PROBE] }).exited;
    assert.equal(code, 0, stderr);
    const loaded = JSON.parse(await readFile(record, 'utf8')) as string[];
    assert.ok(loaded.includes(CLI), 'the probe saw the CLI');
    // The probe sees built-ins: net comes with undici's connector, so its absence would mean a blind probe.
    assert.ok(loaded.includes('node:net'), `built-ins seen: ${loaded.filter((m) => m.startsWith('node:')).join(' ')}`);
    assert.ok(!loaded.some((m) => m === 'node:http2' || m.startsWith('node:internal/http2/')), 'node:http2 was loaded');
  });
});
