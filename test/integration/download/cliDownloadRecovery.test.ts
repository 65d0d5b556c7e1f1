import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FaultSpec, type HubStandin, type RecordedRequest, startHubStandin } from '../../fixtures/hubStandin';
import { assertCliBuilt, startCli } from '../cli/cliProcess';
import { droppingProxy } from '../hub/droppingProxy';
import { MiB, tinyModel } from '../snapshot/modelHarness';

const REPO = 'mlx-community/Tiny-4bit';

/**
 * `node dist/cli.js download` (a real child process, the product's own retry settings) against Hub and
 * CDN faults it must get through within the run, or fail on at once with a message that says why.
 */
describe('CLI download: recovering from Hub and CDN failures', function () {
  this.timeout(60_000);
  let hub: HubStandin;
  let cacheDir: string;
  const download = (endpoint = hub.endpoint) => startCli(['download', REPO, '--cache-dir', cacheDir, '--endpoint', endpoint]);
  const weightsSha = () => hub.fileInfo(REPO, 'model.safetensors').sha256!;
  const weightGets = () => hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET' && r.path.includes(weightsSha()));
  /** SHA-256 of the weights as the snapshot shows them to mlx_lm. */
  const weightsOnDisk = async () => {
    const file = path.join(cacheDir, `models--${REPO.replace('/', '--')}`, 'snapshots', hub.commitOf(REPO), 'model.safetensors');
    return createHash('sha256').update(await fs.readFile(file)).digest('hex');
  };

  before(assertCliBuilt);
  beforeEach(async () => {
    cacheDir = await fs.mkdtemp(path.join(tmpdir(), 'mlx-cli-recovery-'));
    hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
  });
  afterEach(async () => {
    await hub.close();
    await fs.rm(cacheDir, { recursive: true, force: true });
  });

  const hubFaults: { title: string; fault: Extract<FaultSpec, { kind: 'status' }> }[] = [
    { title: 'a 503 on the first Hub request', fault: { kind: 'status', status: 503, times: 1, origin: 'hub' } },
    { title: 'a 500 on the tree', fault: { kind: 'status', status: 500, times: 1, origin: 'hub', path: '/tree/' } },
    { title: 'a 502 on a resolve HEAD', fault: { kind: 'status', status: 502, times: 1, origin: 'hub', path: '/resolve/' } },
    { title: 'a 504 on /api/resolve-cache', fault: { kind: 'status', status: 504, times: 1, origin: 'hub', path: '/api/resolve-cache/' } },
    { title: 'a 503 with Retry-After: 1', fault: { kind: 'status', status: 503, retryAfter: 1, times: 1, origin: 'hub' } },
  ];
  for (const { title, fault } of hubFaults) {
    it(`gets through ${title}: the same request is sent again and the download completes`, async () => {
      const applied = hub.faults.set(fault);
      const { code, stderr } = await download().exited;
      assert.equal(code, 0, stderr);
      assert.equal(applied.hits, 1);
      const failed = hub.requests.findIndex((r) => r.status === fault.status);
      const same = (r: RecordedRequest) => r.origin === 'hub' && r.method === hub.requests[failed]!.method && r.path === hub.requests[failed]!.path;
      assert.ok(failed >= 0 && hub.requests.slice(failed + 1).some((r) => same(r) && r.status < 400), 'the failed request was sent again and answered');
      assert.equal(await weightsOnDisk(), weightsSha());
    });
  }

  it('gets through a Hub that accepts a connection and closes it', async () => {
    const proxy = await droppingProxy(Number(new URL(hub.endpoint).port), 1);
    try {
      const { code, stderr } = await download(proxy.url).exited;
      assert.equal(code, 0, stderr);
      assert.ok(proxy.connections() >= 2, 'the dropped request went out again on a new connection');
      assert.equal(await weightsOnDisk(), weightsSha());
    } finally {
      await proxy.close();
    }
  });

  it('fails at once (exit 1), naming the wait, when the Hub asks to wait a day', async () => {
    hub.faults.set({ kind: 'status', status: 503, retryAfter: 86_400, origin: 'hub' });
    const started = performance.now();
    const { code, stderr } = await download().exited;
    assert.equal(code, 1);
    assert.match(stderr, /having trouble \(HTTP 503\) and asks clients to wait 24 h 0 min/);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.equal(hub.requests.length, 1);
    assert.ok(performance.now() - started < 10_000);
  });

  it('fails the file at once (exit 1), naming the wait, when the CDN asks to wait a day; a rerun completes', async () => {
    hub.faults.set({ kind: 'status', status: 503, retryAfter: 86_400, origin: 'cdn', times: 1 });
    const started = performance.now();
    const first = await download().exited;
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /unavailable \(HTTP 503\) and asks to wait 24 h 0 min before trying again/);
    // After the plan line, the error is the only line: no retry chatter.
    assert.match(first.stderr.trim().split('\n').at(-1)!, /^mlx-models: The download server is unavailable/);
    assert.doesNotMatch(first.stderr, /^warn /m);
    assert.ok(performance.now() - started < 10_000, 'did not sit out the wait');
    assert.deepEqual(weightGets().map((r) => r.status), [503]);
    const second = await download().exited;
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await weightsOnDisk(), weightsSha());
  });

  it('resumes within the run when a CDN body without Content-Length ends early', async () => {
    hub.faults.set({ kind: 'cut-after', bytes: 1_000_000, framing: 'until-close', origin: 'cdn', path: weightsSha(), times: 1 });
    const { code, stderr } = await download().exited;
    assert.equal(code, 0, stderr);
    assert.deepEqual(weightGets().map((r) => [r.range, r.status]), [[undefined, 200], ['bytes=1000000-', 206]]);
    assert.equal(await weightsOnDisk(), weightsSha());
  });
});
