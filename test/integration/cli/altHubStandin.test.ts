// The real CLI against a second, independent Hub stand-in (test/fixtures/altHubStandin/alt_hub.py, Python
// stdlib, written only from the reference facts), so the download engine is not only ever checked against
// the stand-in written next to it. Asserts on the bytes on disk: blob names, relative links, refs, no
// leftovers, and the cache as a Python walk modelled on huggingface_hub's scan_cache_dir sees it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertCliBuilt, startCli } from './cliProcess';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const ALT_HUB = path.join(ROOT, 'test', 'fixtures', 'altHubStandin', 'alt_hub.py');
const CHECK = path.join(ROOT, 'test', 'fixtures', 'altHubStandin', 'check_alt_cache.py');
const HF_CACHE_CHECK = path.join(ROOT, 'test', 'tools', 'hfCacheCheck.py');
const MiB = 1024 * 1024;

const TINY = 'mlx-community/AltTiny-4bit';
const BRANCHY = 'alt-org/Branchy-8bit';
const GATED = 'mlx-community/AltGated-4bit';

/** mlx_lm's allow patterns, matched as Python's fnmatch does ('*' also crosses '/'). */
const MLX_PATTERNS = ['*.json', 'model*.safetensors', '*.py', 'tokenizer.model', '*.tiktoken', 'tiktoken.model', '*.txt', '*.jsonl', '*.jinja'];
const fnmatch = (name: string, pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's').test(name);
const wanted = (p: string) => MLX_PATTERNS.some((pattern) => fnmatch(p, pattern));

interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  oid: string;
  etag: string;
  lfs: boolean;
}
interface Manifest {
  refs: Record<string, string>;
  commits: Record<string, { files: ManifestFile[] }>;
}
interface AltHub {
  endpoint: string;
  cdn: string;
  repos: Record<string, Manifest>;
  /** Every request line the stand-in logged so far ("API GET /path -> 302 ..."). */
  log(): string[];
  close(): Promise<void>;
}

/** Starts alt_hub.py as its own process on loopback (port 0) and waits for its "listening" line. */
async function startAltHub(args: string[] = []): Promise<AltHub> {
  const child: ChildProcess = spawn('python3', [ALT_HUB, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const info = await new Promise<{ endpoint: string; cdn: string; repos: Record<string, Manifest> }>((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(new Error(`alt_hub.py exited (${code}) before listening: ${stderr}`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      const line = JSON.parse(out.slice(0, newline)) as { event: string; endpoint: string; cdn: string; repos: Record<string, Manifest> };
      assert.equal(line.event, 'listening');
      child.off('exit', onExit);
      resolve(line);
    });
  });
  return {
    ...info,
    log: () => stderr.split('\n').filter(Boolean),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function commitOf(hub: AltHub, repo: string, revision = 'main'): { sha: string; files: ManifestFile[] } {
  const manifest = hub.repos[repo]!;
  const sha = manifest.refs[revision] ?? revision;
  return { sha, files: manifest.commits[sha]!.files };
}

const repoFolder = (cache: string, repo: string) => path.join(cache, `models--${repo.replace('/', '--')}`);

function gitSha1(data: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))
    .digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { recursive: true })).map(String).sort();
  } catch {
    return [];
  }
}

/** The snapshot holds exactly mlx_lm's files of that commit, as relative links to blobs named by etag. */
async function assertSnapshot(cache: string, repo: string, commit: { sha: string; files: ManifestFile[] }): Promise<void> {
  const folder = repoFolder(cache, repo);
  const snapshot = path.join(folder, 'snapshots', commit.sha);
  const expected = commit.files.filter((f) => wanted(f.path));
  const onDisk: string[] = [];
  for (const entry of await walk(snapshot)) if (!(await fs.lstat(path.join(snapshot, entry))).isDirectory()) onDisk.push(entry.split(path.sep).join('/'));
  assert.deepEqual(onDisk.sort(), expected.map((f) => f.path).sort(), 'the snapshot holds exactly the files mlx_lm loads');
  for (const file of expected) {
    const link = path.join(snapshot, file.path);
    const target = await fs.readlink(link);
    assert.equal(target, `${'../'.repeat(file.path.split('/').length + 1)}blobs/${file.etag}`, `${file.path}: a relative link to blobs/<etag>`);
    const blob = path.join(folder, 'blobs', file.etag);
    const bytes = await fs.readFile(blob);
    assert.equal(bytes.length, file.size, `${file.path}: size`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, `${file.path}: the served bytes`);
    if (!file.lfs) assert.equal(gitSha1(bytes), file.etag, `${file.path}: git blob sha1 names the blob`);
  }
}

async function assertNoLeftovers(cache: string): Promise<void> {
  const leftovers = (await walk(cache)).filter((p) => /\.incomplete|\.mlxmm|\.tmp/.test(p));
  assert.deepEqual(leftovers, [], 'no partial, sidecar, lock or temp file left behind');
}

/** The stand-in's own byte-for-byte check (check_alt_cache.py), second language. */
function altCheck(cache: string, repo: string, revision: string, extra: string[] = []): { ok: boolean; problems: string[] } {
  try {
    return JSON.parse(execFileSync('python3', [CHECK, cache, repo, revision, ...extra], { encoding: 'utf8' }));
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (out) return JSON.parse(out);
    throw error;
  }
}

/** Bytes the engine's sidecars (`<etag>.incomplete.json`) say are on disk: what a kill -9 cannot lose. */
async function recordedPartialBytes(cache: string, repo: string): Promise<number> {
  const blobs = path.join(repoFolder(cache, repo), 'blobs');
  let total = 0;
  for (const name of await walk(blobs)) {
    if (!name.endsWith('.incomplete.json')) continue;
    try {
      const sidecar = JSON.parse(await fs.readFile(path.join(blobs, name), 'utf8')) as { parts?: { done: number }[] };
      total += (sidecar.parts ?? []).reduce((n, part) => n + part.done, 0);
    } catch {
      // being replaced right now
    }
  }
  return total;
}

/** Polls `probe` every 50 ms until it returns a value (no fixed sleeps). */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pythonView(cache: string): { repos: { repo_id: string; revisions: Record<string, { refs: string[] }> }[]; warnings: string[] } {
  return JSON.parse(execFileSync('python3', [HF_CACHE_CHECK, cache], { encoding: 'utf8', maxBuffer: 64 * MiB }));
}

describe('CLI against an independent Hub stand-in (alt_hub.py)', function () {
  this.timeout(120_000);
  let hub: AltHub | undefined;
  let cache: string;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => startCli([...args, '--cache-dir', cache, '--endpoint', hub!.endpoint], env);

  before(assertCliBuilt);
  beforeEach(async () => {
    cache = await fs.mkdtemp(path.join(tmpdir(), 'mlx-althub-'));
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('downloads byte for byte: paged tree, sub-folders, odd names, empty file, LFS tokenizer, chunked CDN, weak etags', async () => {
    hub = await startAltHub();
    const run = cli(['download', TINY, '--json']);
    const { code, stderr } = await run.exited;
    assert.equal(code, 0, stderr);
    const commit = commitOf(hub, TINY);
    const plan = run.lines.find((l) => l.type === 'plan')!;
    assert.equal(plan.commit, commit.sha);
    assert.deepEqual(
      (plan.files as { path: string }[]).map((f) => f.path).sort(),
      commit.files.filter((f) => wanted(f.path)).map((f) => f.path).sort(),
    );
    assert.equal(run.lines.at(-1)?.type, 'done');

    await assertSnapshot(cache, TINY, commit);
    assert.equal(await fs.readFile(path.join(repoFolder(cache, TINY), 'refs', 'main'), 'utf8'), commit.sha, 'refs/main: the commit, no newline');
    await assertNoLeftovers(cache);
    assert.deepEqual(altCheck(cache, TINY, 'main').problems, []);
    const py = pythonView(cache);
    assert.deepEqual(py.warnings, []);
    assert.deepEqual(py.repos[0]!.revisions[commit.sha]!.refs, ['main']);

    // What the stand-in saw: a tree read page by page, git files through the relative 307, LFS from the CDN.
    const log = hub.log();
    assert.ok(log.filter((l) => /\/tree\/.*cursor=/.test(l)).length >= 5, 'every tree page was followed');
    assert.ok(log.some((l) => /^API GET \/api\/resolve-cache\/.*extra\/caf%C3%A9\.json/.test(l)), 'UTF-8 names are percent-encoded');
    assert.ok(log.some((l) => /^API (HEAD|GET) \/.*extra\/a%23b%25c%2Bd\.txt/.test(l)), "'#', '%', '+' are percent-encoded");
    assert.ok(log.some((l) => /^CDN GET .* -> 200 .*\(chunked\)/.test(l)), 'a chunked 200 without Content-Length was read');
    assert.ok(!log.some((l) => /-> (4\d\d|5\d\d)/.test(l)), `no request failed:\n${log.filter((l) => /-> [45]\d\d/.test(l)).join('\n')}`);
  });

  it('verify, scan, list and delete agree on what was downloaded', async () => {
    hub = await startAltHub();
    assert.equal((await cli(['download', TINY]).exited).code, 0);
    const commit = commitOf(hub, TINY);
    const expectedFiles = commit.files.filter((f) => wanted(f.path)).length;

    const verify = cli(['verify', TINY, '--json']);
    assert.equal((await verify.exited).code, 0);
    assert.equal(verify.lines.at(-1)?.ok, true);
    assert.equal(verify.lines.at(-1)?.files, expectedFiles);

    const scan = cli(['scan', '--json']);
    assert.equal((await scan.exited).code, 0);
    const report = scan.lines[0] as { repos: { repoId: string; nbFiles: number; partials: unknown[]; revisions: { commit: string }[] }[]; warnings: unknown[] };
    const repo = report.repos.find((r) => r.repoId === TINY)!;
    assert.deepEqual(repo.revisions.map((r) => r.commit), [commit.sha]);
    assert.equal(repo.nbFiles, expectedFiles);
    assert.deepEqual(repo.partials, []);
    assert.deepEqual(report.warnings, []);

    const list = cli(['list', '--json']);
    assert.equal((await list.exited).code, 0);
    assert.equal(list.lines.find((l) => l.repoId === TINY)?.state, 'downloaded');

    assert.equal((await cli(['delete', TINY]).exited).code, 0);
    assert.deepEqual((await walk(cache)).filter((p) => p.startsWith('models--')), []);
    assert.deepEqual(pythonView(cache).repos, []);
  });

  it('several connections with Range, kill -9 and resume, expiring CDN links and a 429 still give the exact bytes', async () => {
    // 66 MiB + 44 MiB shards (over the 64 MiB single-stream threshold), 8 MiB/s per CDN connection,
    // CDN links valid for 1 s, and the first two resolves rate-limited with only a RateLimit header.
    hub = await startAltHub(['--lfs-scale', '22', '--cdn-rate-mib', '6', '--cdn-ttl', '1', '--rate-limit-first', '2']);
    const first = cli(['download', TINY, '--json', '--connections', '4']);
    // Killed once the engine has recorded (in its sidecars, saved about once a second) at least 8 MiB:
    // killing earlier may lawfully lose everything, since a kill -9 drops up to a second of progress.
    const recorded = await waitFor(async () => {
      if (first.child.exitCode !== null) throw new Error(`the first run ended before it was killed: ${(await first.exited).stderr}`);
      const bytes = await recordedPartialBytes(cache, TINY);
      return bytes >= 8 * MiB ? bytes : undefined;
    });
    first.child.kill('SIGKILL');
    await first.exited;

    const second = cli(['download', TINY, '--json']);
    const { code, stderr } = await second.exited;
    assert.equal(code, 0, stderr);
    const plan = second.lines.find((l) => l.type === 'plan')!;
    const resumed = Number(plan.totalBytes) - Number(plan.remainingBytes);
    assert.ok(resumed >= recorded, `the second run resumed what the first one recorded (${resumed} of ${recorded} bytes)`);

    const commit = commitOf(hub, TINY);
    await assertSnapshot(cache, TINY, commit);
    await assertNoLeftovers(cache);
    assert.deepEqual(altCheck(cache, TINY, 'main', ['--lfs-scale', '22']).problems, []);
    assert.deepEqual(pythonView(cache).warnings, []);

    const log = hub.log();
    assert.ok(log.some((l) => /^CDN GET .* -> 206 range='bytes=[1-9]\d*-\d+'/.test(l)), 'parts were fetched with closed ranges');
    assert.ok(log.some((l) => / -> 429 /.test(l)), 'the stand-in rate-limited');
    const expired = log.filter((l) => /^CDN GET .* -> 403 /.test(l)).length;
    console.log(`      resumed ${((Number(plan.totalBytes) - Number(plan.remainingBytes)) / MiB).toFixed(1)} MiB; ${expired} expired CDN link(s) renewed`);
    const verify = cli(['verify', TINY, '--json']);
    assert.equal((await verify.exited).code, 0);
    assert.equal(verify.lines.at(-1)?.ok, true);
  });

  it('revisions: a commit sha writes no ref, a branch and refs/pr/1 their own refs, main last', async () => {
    hub = await startAltHub();
    const old = commitOf(hub, BRANCHY, 'v1.0');
    const dev = commitOf(hub, BRANCHY, 'dev');
    const pr = commitOf(hub, BRANCHY, 'refs/pr/1');
    const main = commitOf(hub, BRANCHY, 'main');
    const refs = path.join(repoFolder(cache, BRANCHY), 'refs');

    assert.equal((await cli(['download', BRANCHY, '--revision', old.sha]).exited).code, 0);
    await assertSnapshot(cache, BRANCHY, old);
    assert.deepEqual(await walk(refs), [], 'huggingface_hub writes no ref for a commit-sha revision');

    for (const [revision, commit] of [['dev', dev], ['refs/pr/1', pr], ['main', main]] as const) {
      const run = cli(['download', BRANCHY, '--revision', revision]);
      const { code, stderr } = await run.exited;
      assert.equal(code, 0, `${revision}: ${stderr}`);
      await assertSnapshot(cache, BRANCHY, commit);
      assert.equal(await fs.readFile(path.join(refs, ...revision.split('/')), 'utf8'), commit.sha, `refs/${revision}`);
    }
    assert.ok(hub.log().some((l) => l.startsWith(`API GET /api/models/${BRANCHY}/revision/refs%2Fpr%2F1 `)), 'refs/pr/1 is url-encoded as one segment');
    await assertNoLeftovers(cache);
    const py = pythonView(cache);
    assert.deepEqual(py.warnings, []);
    const revisions = py.repos[0]!.revisions;
    assert.deepEqual(revisions[old.sha]!.refs, []);
    assert.deepEqual(revisions[dev.sha]!.refs, ['dev']);
    assert.deepEqual(revisions[pr.sha]!.refs, ['refs/pr/1']);
    assert.deepEqual(revisions[main.sha]!.refs, ['main']);

    const verify = cli(['verify', BRANCHY, '--json']);
    assert.equal((await verify.exited).code, 0);
    assert.equal(verify.lines.at(-1)?.commit, main.sha);
  });

  it('a download by commit id, branch or PR ref is downloaded at that revision: verify, info, list and scan agree', async () => {
    hub = await startAltHub();
    const old = commitOf(hub, BRANCHY, 'v1.0');
    const dev = commitOf(hub, BRANCHY, 'dev');
    const pr = commitOf(hub, BRANCHY, 'refs/pr/1');
    const verifies = async (args: string[], commit: string) => {
      const run = cli(['verify', BRANCHY, ...args, '--json']);
      const { code, stderr } = await run.exited;
      assert.equal(code, 0, `verify ${args.join(' ')}: ${stderr}`);
      assert.equal(run.lines.at(-1)?.ok, true);
      assert.equal(run.lines.at(-1)?.commit, commit, `verify ${args.join(' ')} checked that snapshot`);
    };

    // By commit id: no ref is written, and nothing is partial.
    assert.equal((await cli(['download', BRANCHY, '--revision', old.sha]).exited).code, 0);
    await verifies(['--revision', old.sha], old.sha);
    await verifies([], old.sha);
    const list = cli(['list', '--json']);
    assert.equal((await list.exited).code, 0);
    const listed = list.lines.find((l) => l.repoId === BRANCHY)!;
    assert.deepEqual([listed.state, listed.commit, listed.revision], ['downloaded', old.sha, old.sha]);
    const scan = await cli(['scan']).exited;
    assert.equal(scan.code, 0);
    const row = scan.stdout.split('\n').find((l) => l.includes(BRANCHY))!;
    assert.match(row, /\bdownloaded +at commit [0-9a-f]{8}, /);
    assert.doesNotMatch(row, /partial/);

    // A branch: info and verify at dev; main was never downloaded, so verify --revision main fails.
    assert.equal((await cli(['download', BRANCHY, '--revision', 'dev']).exited).code, 0);
    const info = cli(['info', BRANCHY, '--revision', 'dev', '--json']);
    assert.equal((await info.exited).code, 0);
    const local = info.lines[0]!.local as { state: string; commit: string; revision: string };
    assert.deepEqual([local.state, local.commit, local.revision, info.lines[0]!.updateAvailable], ['downloaded', dev.sha, 'dev', false]);
    const infoText = await cli(['info', BRANCHY, '--revision', 'dev']).exited;
    assert.match(infoText.stdout, new RegExp(`local: downloaded at ${dev.sha.slice(0, 8)} \\(dev\\)`));
    await verifies(['--revision', 'dev'], dev.sha);
    await verifies([], dev.sha); // a ref proves a finished download, so dev wins over the commit-id snapshot
    const notMain = await cli(['verify', BRANCHY, '--revision', 'main']).exited;
    assert.equal(notMain.code, 1);
    assert.match(notMain.stderr, /at main is not downloaded \(state: absent\)/);

    // A nested PR ref, stored as refs/refs/pr/1.
    assert.equal((await cli(['download', BRANCHY, '--revision', 'refs/pr/1']).exited).code, 0);
    await verifies(['--revision', 'refs/pr/1'], pr.sha);
    await verifies(['--revision', old.sha], old.sha);
    await assertNoLeftovers(cache);
  });

  it('a token goes to the API only: the CDN (which refuses Authorization, as S3 does) never sees it', async () => {
    hub = await startAltHub();
    const run = cli(['download', TINY], { HF_TOKEN: 'hf_althubtoken' });
    const { code, stderr } = await run.exited;
    assert.equal(code, 0, stderr);
    await assertSnapshot(cache, TINY, commitOf(hub, TINY));
    const log = hub.log();
    assert.ok(log.filter((l) => l.startsWith('API ')).every((l) => l.includes("authorization='Bearer hf_althubtoken'")));
    assert.ok(log.filter((l) => l.startsWith('CDN ')).every((l) => !l.includes('authorization=')));
  });

  it('search follows Link pages and stops at --limit; info lists sub-folder files; errors name the cause', async () => {
    hub = await startAltHub();
    const search = cli(['search', 'alt', '--json']);
    assert.equal((await search.exited).code, 0);
    const ids = search.lines.map((l) => l.id);
    assert.deepEqual(ids, ['mlx-community/AltQwen-0.5B-4bit', 'mlx-community/AltLlama-1B-4bit', 'mlx-community/AltMistral-7B-4bit', 'mlx-community/AltGemma-2B-8bit', TINY, GATED]);
    const limited = cli(['search', 'alt', '--limit', '3', '--json']);
    assert.equal((await limited.exited).code, 0);
    assert.equal(limited.lines.length, 3);

    const info = cli(['info', TINY, '--json']);
    assert.equal((await info.exited).code, 0);
    const files = (info.lines[0]!.files as { path: string }[]).map((f) => f.path);
    assert.ok(files.includes('extra/deep/nested.json') && files.includes('tokenizer.model') && !files.includes('consolidated.safetensors'));

    const gated = cli(['download', GATED]);
    const g = await gated.exited;
    assert.equal(g.code, 1);
    assert.match(g.stderr, /gated/i);
    assert.ok(g.stderr.includes(`accept the license on ${hub.endpoint}/${GATED}`), `the license page is on the configured Hub: ${g.stderr}`);
    assert.deepEqual((await walk(cache)).filter((p) => p.startsWith('models--')), [], 'nothing written for a gated repo');

    const badRev = await cli(['download', BRANCHY, '--revision', 'no-such-branch']).exited;
    assert.equal(badRev.code, 1);
    assert.match(badRev.stderr, /no-such-branch/);
    const missing = await cli(['info', 'nobody/Missing']).exited;
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found/i);
  });
});
