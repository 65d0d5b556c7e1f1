// What the CLI checks before it reaches the Hub or writes, and what it does when it cannot reach the Hub
// at all, against the Hub stand-in and real child processes: invalid revisions and arguments (exit 2, no
// request, nothing written), offline downloads and info answered from the cache (no request), and the
// free-space check and disk-full message on a real small disk (a tmpfs; the test container runs as root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scanRepo } from '../../../src/core/cache/cacheScanner';
import { localModelState } from '../../../src/core/snapshot/localModelState';
import { startHubStandin } from '../../fixtures/hubStandin';
import { listTree, MiB, tinyModel } from '../snapshot/modelHarness';
import { useCliFixture, startCli } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';

/** A tmpfs of `size` (e.g. '21m') mounted for one test; `unmount` removes it. */
async function mountSmallDisk(size: string): Promise<{ dir: string; unmount: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'mlx-cli-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    unmount: async () => {
      execFileSync('umount', [dir]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

const oneLine = (stderr: string) => assert.equal(stderr.trim().split('\n').length, 1, stderr);

describe('CLI checks before the first request, offline mode, and disk space', function () {
  this.timeout(120_000);
  const t = useCliFixture('mlx-cli-');
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => t.cli(args, env);


  it('refuses an invalid --revision with exit 2 and one line naming the rule: no request, nothing written', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
    const parent = t.cacheDir;
    t.cacheDir = path.join(parent, 'cache');
    const rules: Record<string, RegExp> = {
      '': /\(empty\)/,
      '..': /"\.\." is not allowed/,
      'a..b': /"\.\." is not allowed/,
      'x.lock': /may not end with "\.lock"/,
      '../../../x': /"\.\." is not allowed/,
    };
    for (const [revision, rule] of Object.entries(rules)) {
      for (const command of ['download', 'info']) {
        const { code, stderr } = await cli([command, REPO, '--revision', revision]).exited;
        assert.equal(code, 2, `${command} --revision ${JSON.stringify(revision)}: ${stderr}`);
        oneLine(stderr);
        assert.match(stderr, /^mlx-models: --revision .* is not a valid branch or tag name/);
        assert.match(stderr, rule);
      }
    }
    assert.deepEqual(t.hub.requests, [], 'no request reached the Hub');
    assert.equal(existsSync(t.cacheDir), false, 'nothing written');
    t.cacheDir = parent;
  });

  it('sends a revision with a slash url-encoded, as one path segment', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
    const { code, stderr } = await cli(['download', REPO, '--revision', 'refs/pr/1']).exited;
    assert.equal(code, 1, 'the stand-in has no PR refs');
    oneLine(stderr);
    assert.equal(t.hub.requests[0]?.path, `/api/models/${REPO}/revision/refs%2Fpr%2F1`);
  });

  it('refuses bad repo ids, a malformed --endpoint and a cache folder that is a file with exit 2, before any request', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
    for (const bad of ['org/x--y', '../etc', 'org']) {
      const { code, stderr } = await cli(['download', bad]).exited;
      assert.equal(code, 2, bad);
      oneLine(stderr);
      assert.match(stderr, /is not a Hugging Face model id/);
    }
    const endpoint = await startCli(['download', REPO, '--cache-dir', t.cacheDir, '--endpoint', 'notaurl']).exited;
    assert.equal(endpoint.code, 2);
    assert.equal(endpoint.stderr, "mlx-models: --endpoint must be an http(s) URL, got 'notaurl'\n");
    const file = path.join(t.cacheDir, 'not-a-folder');
    await fs.writeFile(file, 'x');
    const asFile = await startCli(['download', REPO, '--cache-dir', file, '--endpoint', t.hub.endpoint]).exited;
    assert.equal(asFile.code, 2);
    assert.equal(asFile.stderr, `mlx-models: the Hugging Face cache folder (from --cache-dir) cannot be used: ${file} is a file, not a folder\n`);
    const extra = await cli(['scan', 'extra']).exited;
    assert.equal(extra.code, 2);
    assert.equal(extra.stderr, 'mlx-models: unexpected argument "extra": "scan" takes no arguments\n');
    assert.deepEqual(t.hub.requests, [], 'no request reached the Hub');
  });

  it('offline, a fully downloaded model is "already downloaded" (0 bytes, no request) and info shows the cache', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
    assert.equal((await cli(['download', REPO]).exited).code, 0);
    const commit = t.hub.commitOf(REPO);
    const before = await listTree(t.cacheDir);
    t.hub.requests.length = 0;
    const offline = { HF_HUB_OFFLINE: '1' };

    const human = await cli(['download', REPO], offline).exited;
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^${REPO} already downloaded \\(offline\\): 0 B fetched.* → .*snapshots/${commit}\\n$`));
    const json = cli(['download', REPO, '--json'], offline);
    assert.equal((await json.exited).code, 0);
    assert.deepEqual(json.lines.at(-1), { ...json.lines.at(-1), type: 'done', commit, bytesDownloaded: 0, offline: true });
    const byCommit = await cli(['download', REPO, '--revision', commit], offline).exited;
    assert.equal(byCommit.code, 0, byCommit.stderr);

    const info = await cli(['info', REPO], offline).exited;
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /Hub metadata .* is unavailable/);
    assert.match(info.stdout, new RegExp(`${commit.slice(0, 8)} \\(main\\)`));
    assert.match(info.stdout, /model\.safetensors\s+2\.1 MB/);
    assert.match(info.stdout, /local: downloaded at /);
    const infoJson = cli(['info', REPO, '--json'], offline);
    assert.equal((await infoJson.exited).code, 0);
    assert.equal(infoJson.lines[0]?.offline, true);
    assert.equal((infoJson.lines[0]?.local as { state: string }).state, 'downloaded');

    assert.deepEqual(t.hub.requests, [], 'offline: no request at all');
    assert.deepEqual(await listTree(t.cacheDir), before, 'nothing written');

    // Not complete (a weight file gone): the offline error, still without a request.
    await fs.rm(path.join(localModelState(await scanRepo(t.cacheDir, REPO)).snapshotPath!, 'model.safetensors'));
    const partial = await cli(['download', REPO], offline).exited;
    assert.equal(partial.code, 1);
    oneLine(partial.stderr);
    assert.match(partial.stderr, /^mlx-models: HF_HUB_OFFLINE is set, so nothing is fetched/);
    const unknown = await cli(['info', 'mlx-community/Not-Cached'], offline).exited;
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HF_HUB_OFFLINE is set/);
    assert.deepEqual(t.hub.requests, []);
  });

  describe('on a small disk', () => {
    let disk: { dir: string; unmount: () => Promise<void> } | undefined;
    afterEach(async () => {
      await disk?.unmount();
      disk = undefined;
    });

    it('downloads a 3 MB model onto a disk with 22 MB free (the margin is proportionate)', async () => {
      disk = await mountSmallDisk('21m');
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 3 * MiB)] });
      const run = await startCli(['download', REPO, '--cache-dir', disk.dir, '--endpoint', t.hub.endpoint]).exited;
      assert.equal(run.code, 0, run.stderr);
      assert.equal(localModelState(await scanRepo(disk.dir, REPO)).state, 'downloaded');
    });

    it('refuses a download that does not fit, stating the files and the margin apart, before any file request', async () => {
      disk = await mountSmallDisk('21m');
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 16 * MiB)] });
      const run = await startCli(['download', REPO, '--json', '--cache-dir', disk.dir, '--endpoint', t.hub.endpoint]).exited;
      assert.equal(run.code, 1);
      oneLine(run.stderr);
      assert.match(run.stderr, /^mlx-models: Not enough disk space in .*: the download needs 16\.8 MB \(\+10 MB kept free\) but only 22 MB is free\. Free up at least 4\.\d MB /);
      assert.deepEqual(
        t.hub.requests.filter((r) => r.origin === 'cdn' || r.path.includes('/resolve')),
        [],
        'only metadata was asked for',
      );
      assert.deepEqual(await listTree(disk.dir), [], 'nothing written');
    });

    it('when the disk fills up mid-download, asks to free what the next run asks for, and resumes once there is room', async () => {
      disk = await mountSmallDisk('64m');
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 24 * MiB)] });
      t.hub.faults.set({ kind: 'per-connection-cap', bytesPerSecond: 4 * MiB, origin: 'cdn' });
      const args = ['download', REPO, '--json', '--connections', '1', '--cache-dir', disk.dir, '--endpoint', t.hub.endpoint];
      const run = startCli(args);
      await run.waitForLine((l) => l.type === 'progress' && Number(l.doneBytes) >= 2 * MiB);
      // Something else fills the disk, leaving half a MiB.
      const { bavail, bsize } = await fs.statfs(disk.dir);
      const filler = path.join(disk.dir, 'filler');
      await fs.writeFile(filler, Buffer.alloc(bavail * bsize - MiB / 2));
      const full = await run.exited;
      assert.equal(full.code, 1);
      oneLine(full.stderr);
      const asked = /^mlx-models: The disk is full \(writing .*\)\. The rest of .* needs (\S+ \S+) \(\+10 MB kept free\) but only \S+ \S+ is free: free at least (\S+ \S+) and download again/.exec(full.stderr);
      assert.ok(asked, full.stderr);

      // Nothing freed: the next run's check asks for the very same amount.
      const next = await startCli(args).exited;
      assert.equal(next.code, 1);
      const check = /needs (\S+ \S+) \(\+10 MB kept free\) but only \S+ \S+ is free\. Free up at least (\S+ \S+) /.exec(next.stderr);
      assert.ok(check, next.stderr);
      assert.deepEqual([check[1], check[2]], [asked[1], asked[2]]);

      await fs.rm(filler);
      t.hub.faults.clear();
      const again = startCli(args);
      const plan = await again.waitForLine((l) => l.type === 'plan');
      assert.ok(Number(plan.remainingBytes) < 23 * MiB, 'resumes instead of starting over');
      assert.equal((await again.exited).code, 0);
      assert.equal(localModelState(await scanRepo(disk.dir, REPO)).state, 'downloaded');
    });
  });
});
