// The cache our CLI writes, read by the REAL Python huggingface_hub (scan_cache_dir, try_to_load_from_cache,
// hf_hub_download, snapshot_download) — and a cache the real library downloaded from our Hub stand-in, read
// by our CLI. The library is installed by test/tools/realHfHub.mjs; without it, one pending test says why.
// Every check compares bytes (sha256 / git sha1) with what the stand-in served, and sizes with its files.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CacheScan } from '../../../src/core/cache/cachedRepo';
import { MLX_ALLOW_PATTERNS } from '../../../src/core/snapshot/allowPatterns';
import { type FileInfo, type FixtureRepo, startHubStandin, type HubStandin } from '../../fixtures/hubStandin';
import { assertCliBuilt, startCli } from './cliProcess';
import { ensureRealHfHub, type PyApi, type PyCachedTree, type PyDigest, type PyDownload, type PyRead, type PyScan, runRealHfHub } from './realHfHub';

const MiB = 1024 * 1024;
const REPO = 'mlx-community/RealHub-4bit';
const REPO_FOLDER = 'models--mlx-community--RealHub-4bit';
const CONFIG = JSON.stringify({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2 });

/** A repo with LFS and git files, files one and two folders deep, two paths with the same bytes, and files mlx_lm skips. */
function realHubRepo(weightSeed = 11): FixtureRepo {
  return {
    id: REPO,
    libraryName: 'mlx',
    tags: ['mlx'],
    files: [
      { path: 'config.json', content: CONFIG },
      { path: 'tokenizer_config.json', content: '{"chat_template":"{{ messages }}"}' },
      // LFS although small, as tokenizer.json is on the Hub.
      { path: 'tokenizer.json', content: JSON.stringify({ version: '1.0', model: { vocab: { a: 0, b: 1 } } }), lfs: true },
      { path: 'model.safetensors.index.json', content: '{"weight_map":{}}' },
      { path: 'model.safetensors', size: 3 * MiB, seed: weightSeed },
      { path: 'chat/template.jinja', content: '{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}' },
      { path: 'extra/deep/merges.txt', size: 70_000, seed: 4, lfs: true },
      { path: 'extra/config.json', content: CONFIG },
      { path: 'README.md', content: '# RealHub\n' },
      { path: 'original/consolidated.pth', size: 1234, seed: 3, lfs: true },
    ],
  };
}

/** What mlx_lm's allow patterns select from realHubRepo (written out, not computed by our matcher). */
const WANTED = [
  'chat/template.jinja',
  'config.json',
  'extra/config.json',
  'extra/deep/merges.txt',
  'model.safetensors',
  'model.safetensors.index.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

/**
 * mlx_lm's allow patterns as options of realHfHubCheck.py. mlx_lm passes them to every snapshot_download; the
 * library must too when it reads our cache offline, since our trees/<commit>.json lists every file of the repo
 * (as the library's own does) and a snapshot_download of the whole repo would find README.md missing.
 */
const MLX_ALLOW = MLX_ALLOW_PATTERNS.flatMap((p) => ['--allow', p]);

/** The download the library made, or the test fails with the exception it raised. */
function succeeded(download: PyDownload): Exclude<PyDownload, { error: string }> {
  assert.equal(download.error, undefined, `snapshot_download raised ${download.error}: ${download.error ? download.message : ''}`);
  return download as Exclude<PyDownload, { error: string }>;
}

/** The cache blob name: sha256 for LFS files, git blob sha1 otherwise. */
const etagOf = (info: FileInfo) => info.sha256 ?? info.gitSha1;

function filesOf(hub: HubStandin, paths: readonly string[]): Map<string, FileInfo> {
  return new Map(paths.map((p) => [p, hub.fileInfo(REPO, p)]));
}

/** The bytes the library handed back are the bytes the stand-in served. */
function assertServedBytes(info: FileInfo, got: Partial<PyDigest> | undefined, what: string): void {
  assert.ok(got, `${what}: nothing returned`);
  assert.equal(got.size, info.size, `${what}: size`);
  if (info.lfs) assert.equal(got.sha256, info.sha256, `${what}: sha256`);
  else assert.equal(got.git_sha1, info.gitSha1, `${what}: git sha1`);
}

/** Distinct blobs of a set of files: what scan_cache_dir counts as nb_files / size_on_disk. */
function distinctBlobs(infos: Iterable<FileInfo>): { count: number; bytes: number } {
  const sizes = new Map<string, number>();
  for (const info of infos) sizes.set(etagOf(info), info.size);
  return { count: sizes.size, bytes: [...sizes.values()].reduce((a, b) => a + b, 0) };
}

/** Our `scan --json` and the real scan_cache_dir agree on repos, refs, revisions, files and sizes. */
function assertScansAgree(ours: CacheScan, py: PyScan): void {
  assert.deepEqual(ours.warnings, []);
  assert.deepEqual(ours.repos.map((r) => r.repoId), py.repos.map((r) => r.repo_id));
  for (const pyRepo of py.repos) {
    const repo = ours.repos.find((r) => r.repoId === pyRepo.repo_id)!;
    assert.equal(repo.corruption, undefined);
    assert.equal(repo.repoType, pyRepo.repo_type);
    assert.equal(repo.path, pyRepo.repo_path);
    assert.equal(repo.sizeOnDisk, pyRepo.size_on_disk, `${repo.repoId}: size on disk`);
    assert.equal(repo.nbFiles, pyRepo.nb_files, `${repo.repoId}: nb_files`);
    assert.deepEqual(Object.keys(repo.refs).sort(), pyRepo.refs);
    assert.deepEqual(repo.revisions.map((r) => r.commit).sort(), pyRepo.revisions.map((r) => r.commit_hash));
    for (const pyRev of pyRepo.revisions) {
      const rev = repo.revisions.find((r) => r.commit === pyRev.commit_hash)!;
      assert.deepEqual(rev.refs, pyRev.refs);
      assert.equal(rev.snapshotPath, pyRev.snapshot_path);
      assert.equal(rev.sizeOnDisk, pyRev.size_on_disk, `${pyRev.commit_hash}: size on disk`);
      assert.deepEqual(rev.files.map((f) => [f.path, f.size]).sort(), pyRev.files.map((f) => [f.path, f.size_on_disk]).sort());
    }
  }
}

describe('the real Python huggingface_hub and our cache', function () {
  this.timeout(60_000);
  const hf = ensureRealHfHub();
  if (!hf.ok) {
    it(`real huggingface_hub unavailable: ${hf.reason}`, function () {
      this.skip();
    });
    return;
  }

  let hub: HubStandin | undefined;
  let work: string;
  let cache: string;
  let home: string;

  before(assertCliBuilt);
  beforeEach(async () => {
    // realpath: the library builds paths from HF_HUB_CACHE as given, our CLI from the resolved folder.
    work = await fs.realpath(await fs.mkdtemp(path.join(tmpdir(), 'mlx-realhf-')));
    cache = path.join(work, 'cache');
    home = path.join(work, 'home');
    await fs.mkdir(home);
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    await fs.rm(work, { recursive: true, force: true });
  });

  /** Our CLI as a real child process, on this test's cache and stand-in. */
  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const run = startCli([...args, '--json', '--cache-dir', cache, '--endpoint', hub!.endpoint], env);
    const done = await run.exited;
    assert.equal(done.code, 0, `mlx-models ${args.join(' ')}: ${done.stderr}`);
    return run.lines;
  }
  /** Our CLI when it may fail: its exit code, JSON lines and stderr. */
  async function cliMayFail(args: string[], env: NodeJS.ProcessEnv = {}) {
    const run = startCli([...args, '--json', '--cache-dir', cache, '--endpoint', hub!.endpoint], env);
    const done = await run.exited;
    return { code: done.code, lines: run.lines, stderr: done.stderr };
  }
  const ourScan = async () => (await cli(['scan']))[0] as unknown as CacheScan;
  /** The real library, offline, reading this test's cache. */
  const offline = <T>(...args: string[]) => runRealHfHub<T>(hf, home, args, { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
  const snapshotOf = (commit: string) => path.join(cache, REPO_FOLDER, 'snapshots', commit);
  const treesFileOf = (commit: string, root = cache) => path.join(root, REPO_FOLDER, 'trees', `${commit}.json`);
  /** `verify --json`: the per-file lines and the closing summary. */
  const verifyLines = (lines: Record<string, unknown>[]) => ({ files: lines.slice(0, -1) as { path: string; status: string; actual?: string }[], summary: lines.at(-1)! });

  describe('reads what our CLI downloaded', () => {
    it('scan_cache_dir, try_to_load_from_cache, hf_hub_download and snapshot_download: our blobs, links and bytes', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      const commit = hub.commitOf(REPO);
      const infos = filesOf(hub, WANTED);
      await cli(['download', REPO]);

      const scan = await offline<PyScan>('scan');
      assert.deepEqual(scan.warnings, []);
      assert.deepEqual(scan.incomplete_files, []);
      assert.equal(scan.repos.length, 1);
      const [repo] = scan.repos;
      assert.equal(repo!.repo_id, REPO);
      assert.equal(repo!.repo_type, 'model');
      assert.deepEqual(repo!.refs, ['main']);
      assert.equal(repo!.revisions.length, 1);
      const [revision] = repo!.revisions;
      assert.equal(revision!.commit_hash, commit, "the stand-in's commit names the snapshot");
      assert.deepEqual(revision!.refs, ['main']);
      assert.deepEqual(revision!.files.map((f) => f.path), WANTED);
      for (const file of revision!.files) {
        const info = infos.get(file.path)!;
        assert.equal(file.is_symlink, true, `${file.path}: a link`);
        assert.equal(file.blob_path, path.join(cache, REPO_FOLDER, 'blobs', etagOf(info)), `${file.path}: links to blobs/<etag>`);
        assert.equal(file.size_on_disk, info.size, `${file.path}: size`);
      }
      const blobs = distinctBlobs(infos.values());
      assert.equal(blobs.count, WANTED.length - 1, 'config.json and extra/config.json share one blob');
      assert.equal(repo!.nb_files, blobs.count);
      assert.equal(repo!.size_on_disk, blobs.bytes);
      assert.equal(revision!.size_on_disk, blobs.bytes);
      assert.equal(scan.size_on_disk, blobs.bytes);

      const read = await offline<PyRead>('read', ...MLX_ALLOW, REPO, ...WANTED, 'README.md');
      for (const p of WANTED) {
        const got = read.files[p]!;
        assert.equal(got.cached, path.join(snapshotOf(commit), p), `try_to_load_from_cache(${p})`);
        assert.equal(got.downloaded, path.join(snapshotOf(commit), p), `hf_hub_download(${p}) offline`);
        assertServedBytes(infos.get(p)!, got, `hf_hub_download(${p})`);
      }
      assert.deepEqual(read.files['README.md'], { cached: null, error: 'LocalEntryNotFoundError' }, 'a file mlx_lm does not load is not in the cache');
      assert.equal(read.snapshot, snapshotOf(commit), 'snapshot_download offline returns our snapshot');
      assert.deepEqual(Object.keys(read.snapshot_files), WANTED);
      for (const p of WANTED) assertServedBytes(infos.get(p)!, read.snapshot_files[p], `snapshot_download: ${p}`);

      assertScansAgree(await ourScan(), scan);
    });

    it('a commit id next to main: both revisions read back, only main has a ref, a shared blob is counted once', async () => {
      hub = await startHubStandin({ repos: [realHubRepo(11)] });
      const old = hub.commitOf(REPO);
      const oldInfos = filesOf(hub, WANTED);
      hub.setRepo(realHubRepo(12));
      const main = hub.commitOf(REPO);
      assert.notEqual(main, old);
      const mainInfos = filesOf(hub, WANTED);
      assert.notEqual(etagOf(mainInfos.get('model.safetensors')!), etagOf(oldInfos.get('model.safetensors')!));

      await cli(['download', REPO, '--revision', old]);
      await cli(['download', REPO]);

      const scan = await offline<PyScan>('scan');
      assert.deepEqual(scan.warnings, []);
      const [repo] = scan.repos;
      const byCommit = new Map(repo!.revisions.map((r) => [r.commit_hash, r]));
      assert.deepEqual([...byCommit.keys()].sort(), [main, old].sort());
      assert.deepEqual(byCommit.get(main)!.refs, ['main']);
      assert.deepEqual(byCommit.get(old)!.refs, [], 'a download by commit id writes no ref, as huggingface_hub does');
      assert.deepEqual(repo!.refs, ['main']);
      const blobs = distinctBlobs([...oldInfos.values(), ...mainInfos.values()]);
      assert.equal(blobs.count, WANTED.length, 'only the weights differ: every other blob serves both revisions');
      assert.equal(repo!.nb_files, blobs.count);
      assert.equal(repo!.size_on_disk, blobs.bytes);

      const atOld = await offline<PyRead>('read', '--revision', old, '--local-files-only', ...MLX_ALLOW, REPO, ...WANTED);
      assert.equal(atOld.snapshot, snapshotOf(old));
      for (const p of WANTED) {
        assert.equal(atOld.files[p]!.cached, path.join(snapshotOf(old), p), `try_to_load_from_cache(${p}, revision=<old commit>)`);
        assertServedBytes(oldInfos.get(p)!, atOld.files[p], `hf_hub_download(${p}, revision=<old commit>)`);
        assertServedBytes(oldInfos.get(p)!, atOld.snapshot_files[p], `snapshot_download(revision=<old commit>): ${p}`);
      }
      const atMain = await offline<PyRead>('read', ...MLX_ALLOW, REPO, 'model.safetensors');
      assert.equal(atMain.snapshot, snapshotOf(main));
      assertServedBytes(mainInfos.get('model.safetensors')!, atMain.files['model.safetensors'], 'hf_hub_download(model.safetensors) at main');

      assertScansAgree(await ourScan(), scan);
    });

    it('with HF_HUB_DISABLE_SYMLINKS=1: real files in the snapshot, which the library reads as a valid cache', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      const commit = hub.commitOf(REPO);
      const infos = filesOf(hub, WANTED);
      await cli(['download', REPO], { HF_HUB_DISABLE_SYMLINKS: '1' });

      const scan = await offline<PyScan>('scan');
      assert.deepEqual(scan.warnings, []);
      const [revision] = scan.repos[0]!.revisions;
      assert.equal(revision!.commit_hash, commit);
      assert.deepEqual(revision!.refs, ['main']);
      assert.deepEqual(revision!.files.map((f) => f.path), WANTED);
      for (const file of revision!.files) {
        assert.equal(file.is_symlink, false, `${file.path}: a real file`);
        assert.equal(file.blob_path, path.join(snapshotOf(commit), file.path), `${file.path}: the file is its own blob`);
        assert.equal(file.size_on_disk, infos.get(file.path)!.size);
      }
      // Each copy is its own blob: the two config.json paths count twice, as in Python's own copy mode.
      assert.equal(scan.repos[0]!.nb_files, WANTED.length);
      assert.equal(scan.repos[0]!.size_on_disk, [...infos.values()].reduce((n, i) => n + i.size, 0));

      const read = await offline<PyRead>('read', ...MLX_ALLOW, REPO, ...WANTED);
      assert.equal(read.snapshot, snapshotOf(commit));
      for (const p of WANTED) {
        assert.equal(read.files[p]!.downloaded, path.join(snapshotOf(commit), p));
        assertServedBytes(infos.get(p)!, read.files[p], `hf_hub_download(${p})`);
        assert.equal(read.snapshot_files[p]!.is_symlink, false);
      }
      assertScansAgree(await ourScan(), scan);
    });

    it('after our CLI deletes the model, scan_cache_dir finds nothing and warns of nothing', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      await cli(['download', REPO]);
      assert.equal((await offline<PyScan>('scan')).repos.length, 1);
      const [deleted] = await cli(['delete', REPO]);
      assert.equal(deleted!.deleted, true);
      const scan = await offline<PyScan>('scan');
      assert.deepEqual(scan.repos, []);
      assert.deepEqual(scan.warnings, []);
      assert.deepEqual(scan.incomplete_files, []);
      assert.equal(scan.size_on_disk, 0);
      assert.deepEqual((await ourScan()).repos, []);
    });
  });

  describe("the library's shared blob store (<cache>/blobs/, huggingface_hub 2.0)", () => {
    it('our scan totals it as the library does, and our delete frees the payloads with the repo', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      await cli(['download', REPO]);
      const { shared } = await offline<{ shared: string[] }>('share');
      assert.ok(shared.length >= 3, `blobs moved into the store: ${shared.join(', ')}`);
      const before = await offline<PyScan>('scan');
      assert.deepEqual(before.warnings, []);
      assert.equal((await ourScan()).sizeOnDisk, before.size_on_disk, 'the same cache total');
      const [verified] = (await cli(['verify', REPO])).slice(-1);
      assert.equal(verified!.ok, true, 'the blobs are followed into the store');

      await cli(['delete', REPO]);
      const after = await offline<PyScan>('scan');
      assert.deepEqual(after.repos, []);
      assert.equal(after.unreferenced_shared_blobs, 0, 'no payload left behind that nothing uses');
      assert.equal(after.size_on_disk, 0);
      assert.equal((await ourScan()).sizeOnDisk, 0);
    });
  });

  describe('the tree listing our CLI writes (trees/<commit>.json)', () => {
    it('is what the library reads: offline snapshot_download(revision=<commit>) works with HF_HUB_OFFLINE=1 alone', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      const commit = hub.commitOf(REPO);
      const infos = filesOf(hub, WANTED);
      await cli(['download', REPO]);

      const tree = await offline<PyCachedTree>('cached-tree', REPO);
      assert.equal(tree.error, undefined, `get_cached_repo_tree: ${tree.error ? tree.message : ''}`);
      const all = realHubRepo().files.map((f) => f.path);
      assert.deepEqual(tree.files!.map((f) => f.path), [...all].sort(), 'every file of the repo, not only those mlx_lm loads; no folders');
      for (const f of tree.files!) {
        const info = hub.fileInfo(REPO, f.path);
        assert.deepEqual([f.size, f.blob_id, f.xet_hash], [info.size, info.gitSha1, null], f.path);
      }

      // A commit id needs no network: the library takes the file list from our listing (no --local-files-only).
      const byCommit = succeeded(await offline<PyDownload>('snapshot', '--revision', commit, ...MLX_ALLOW, REPO));
      assert.equal(byCommit.snapshot, snapshotOf(commit));
      assert.deepEqual(Object.keys(byCommit.snapshot_files), WANTED);
      for (const p of WANTED) assertServedBytes(infos.get(p)!, byCommit.snapshot_files[p], `snapshot_download(revision=<commit>): ${p}`);

      // The whole repo was not downloaded, and the library knows it from the listing, as on its own cache.
      const whole = await offline<PyDownload>('snapshot', REPO);
      assert.equal(whole.error, 'IncompleteSnapshotError');
      assert.match(whole.message, /2 file\(s\) are missing \(README\.md, original\/consolidated\.pth\)/);

      // Without the listing the same call goes online, which offline mode forbids: what the listing fixes.
      await fs.rm(treesFileOf(commit));
      const withoutListing = await offline<PyDownload>('snapshot', '--revision', commit, ...MLX_ALLOW, REPO);
      assert.equal(withoutListing.error, 'OfflineModeIsEnabled');
    });

    it('copy mode (HF_HUB_DISABLE_SYMLINKS=1): verify checks the copies against the listing and names a damaged file', async () => {
      hub = await startHubStandin({ repos: [realHubRepo()] });
      const commit = hub.commitOf(REPO);
      const infos = filesOf(hub, WANTED);
      await cli(['download', REPO], { HF_HUB_DISABLE_SYMLINKS: '1' });
      for (const p of WANTED) assert.equal((await fs.lstat(path.join(snapshotOf(commit), p))).isSymbolicLink(), false, `${p}: a real file`);

      const intact = verifyLines(await cli(['verify', REPO]));
      assert.deepEqual(intact.files.map((f) => [f.path, f.status, f.actual]), WANTED.map((p) => [p, 'ok', etagOf(infos.get(p)!)]));
      assert.deepEqual([intact.summary.ok, intact.summary.unchecked, intact.summary.source], [true, 0, 'tree-listing']);

      // Without a listing nothing records the copies' hashes: said so, and not as damage (exit 0).
      const listing = await fs.readFile(treesFileOf(commit));
      await fs.rm(treesFileOf(commit));
      const unlisted = await cliMayFail(['verify', REPO]);
      assert.equal(unlisted.code, 0, unlisted.stderr);
      const { files, summary } = verifyLines(unlisted.lines);
      assert.deepEqual(files.map((f) => f.status), WANTED.map(() => 'unchecked'));
      assert.deepEqual([summary.ok, summary.problems, summary.unchecked], [true, 0, WANTED.length]);
      await fs.writeFile(treesFileOf(commit), listing);

      const weights = path.join(snapshotOf(commit), 'model.safetensors');
      const bytes = await fs.readFile(weights);
      bytes[12345] ^= 0x01;
      await fs.writeFile(weights, bytes);
      const damaged = await cliMayFail(['verify', REPO]);
      assert.equal(damaged.code, 1);
      const result = verifyLines(damaged.lines);
      assert.deepEqual(result.files.filter((f) => f.status !== 'ok').map((f) => [f.path, f.status]), [['model.safetensors', 'mismatch']]);
      assert.deepEqual([result.summary.ok, result.summary.damaged], [false, ['model.safetensors']]);
    });
  });

  describe('our CLI reads what the real library downloaded from our Hub stand-in', () => {
    // On the Hub the CDN is another host; huggingface_hub follows a same-host redirect as if it stayed on the Hub.
    const startStandin = () => startHubStandin({ repos: [realHubRepo()], cdnHostname: 'localhost' });
    /** The real library, online against the stand-in. */
    const online = <T>(...args: string[]) => runRealHfHub<T>(hf, home, args, { HF_HUB_CACHE: cache, HF_ENDPOINT: hub!.endpoint });

    it("snapshot_download with mlx_lm's allow patterns: scan, list, info and verify see it downloaded; download fetches nothing", async () => {
      hub = await startStandin();
      const commit = hub.commitOf(REPO);
      const infos = filesOf(hub, WANTED);
      const fetched = succeeded(await online<PyDownload>('download', ...MLX_ALLOW, REPO));
      assert.equal(fetched.snapshot, snapshotOf(commit));
      assert.deepEqual(Object.keys(fetched.snapshot_files), WANTED, "the real library's pattern matching picks the same files");
      for (const p of WANTED) assertServedBytes(infos.get(p)!, fetched.snapshot_files[p], `snapshot_download: ${p}`);
      const cdnGets = hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET');
      assert.deepEqual(
        cdnGets.map((r) => /\/([0-9a-f]{64})\?/.exec(r.path)?.[1]).sort(),
        [...infos.values()].filter((i) => i.lfs).map((i) => i.sha256).sort(),
        'each LFS file came once from the CDN the Hub redirected to',
      );
      assert.equal(cdnGets.filter((r) => r.hasAuthorization).length, 0, 'no token on the CDN');

      // HF_HUB_CACHE, as the library was given, instead of --cache-dir.
      const cliHere = async (args: string[]) => {
        const run = startCli([...args, '--json', '--endpoint', hub!.endpoint], { HF_HUB_CACHE: cache });
        const done = await run.exited;
        assert.equal(done.code, 0, `mlx-models ${args.join(' ')}: ${done.stderr}`);
        return run.lines;
      };
      const [scanLine] = await cliHere(['scan']);
      const ours = scanLine as unknown as CacheScan;
      assert.equal(ours.root, cache);
      assert.equal(ours.repos.length, 1);
      const repo = ours.repos[0]!;
      assert.equal(repo.corruption, undefined);
      assert.deepEqual(repo.refs, { main: commit });
      assert.deepEqual(repo.partials, []);
      assert.deepEqual(
        repo.revisions[0]!.files.map((f) => [f.path, f.etag, f.size]).sort(),
        WANTED.map((p) => [p, etagOf(infos.get(p)!), infos.get(p)!.size]).sort(),
        "the library's blobs are named by the etags our engine uses",
      );
      assertScansAgree(ours, await offline<PyScan>('scan'));

      const listed = (await cliHere(['list'])).find((l) => l.repoId === REPO)!;
      assert.equal(listed.state, 'downloaded');
      assert.equal(listed.commit, commit);
      assert.equal(listed.revision, 'main');
      assert.equal(listed.fileCount, WANTED.length);

      const [info] = await cliHere(['info', REPO]);
      const local = info!.local as Record<string, unknown>;
      assert.equal(local.state, 'downloaded');
      assert.equal(local.commit, commit);
      assert.equal(info!.updateAvailable, false);

      const verified = await cliHere(['verify', REPO]);
      const summary = verified.at(-1)!;
      assert.equal(summary.ok, true);
      assert.equal(summary.files, WANTED.length);
      assert.deepEqual(verified.slice(0, -1).map((l) => [l.path, l.status, l.actual]).sort(), WANTED.map((p) => [p, 'ok', etagOf(infos.get(p)!)]).sort());

      const blobMtimes = async () => Promise.all(WANTED.map(async (p) => (await fs.stat(path.join(snapshotOf(commit), p))).mtimeMs));
      const before = await blobMtimes();
      hub.requests.length = 0;
      const events = await cliHere(['download', REPO]);
      const plan = events.find((e) => e.type === 'plan')!;
      assert.equal(plan.commit, commit);
      assert.equal(plan.remainingBytes, 0);
      assert.deepEqual((plan.files as { path: string; state: string }[]).map((f) => [f.path, f.state]).sort(), WANTED.map((p) => [p, 'in-place']).sort());
      assert.equal(events.find((e) => e.type === 'done')!.bytesDownloaded, 0);
      const fileRequests = hub.requests.filter((r) => r.origin === 'cdn' || /\/resolve\/|\/api\/resolve-cache\//.test(r.path));
      assert.deepEqual(
        fileRequests.map((r) => `${r.method} ${r.origin} ${r.path}`),
        [],
        'no file was resolved or fetched',
      );
      assert.ok(hub.requests.length > 0, 'it did ask the Hub for the commit and the file list');
      assert.deepEqual(await blobMtimes(), before, 'no blob was rewritten');

      // Still the library's valid cache: its own tree listing (trees/<commit>.json) finds nothing missing.
      const scan = await offline<PyScan>('scan');
      assert.deepEqual(scan.warnings, []);
      assert.deepEqual(scan.repos[0]!.refs, ['main']);
      const read = await offline<PyRead>('read', ...MLX_ALLOW, REPO, ...WANTED);
      assert.equal(read.snapshot, snapshotOf(commit));
      for (const p of WANTED) assertServedBytes(infos.get(p)!, read.files[p], `hf_hub_download(${p}) after our download`);
    });

    it('our trees/<commit>.json is byte for byte the one the library writes for the same commit', async () => {
      hub = await startStandin();
      const commit = hub.commitOf(REPO);
      const theirs = path.join(work, 'library-cache');
      succeeded(await runRealHfHub<PyDownload>(hf, home, ['download', ...MLX_ALLOW, REPO], { HF_HUB_CACHE: theirs, HF_ENDPOINT: hub.endpoint }));
      await cli(['download', REPO]);
      const [ours, library] = await Promise.all([fs.readFile(treesFileOf(commit)), fs.readFile(treesFileOf(commit, theirs))]);
      assert.equal(ours.toString('utf8'), library.toString('utf8'));
      assert.ok(ours.equals(library));
      assert.deepEqual(await fs.readdir(path.join(cache, REPO_FOLDER, 'trees')), [`${commit}.json`], 'no temporary file left');
    });

    it('a snapshot_download stopped before the weights: list and info say partial, verify names the missing file and fails', async () => {
      hub = await startStandin();
      const commit = hub.commitOf(REPO);
      const weights = hub.fileInfo(REPO, 'model.safetensors');
      hub.faults.set({ kind: 'status', status: 403, origin: 'cdn', path: weights.sha256! });
      const stopped = await online<PyDownload>('download', '--may-fail', ...MLX_ALLOW, REPO);
      assert.ok(stopped.error, 'the weights could not be fetched');
      // What the library leaves: refs/main and the listing (both written before the first file), every file but the weights.
      assert.equal(await fs.readFile(path.join(cache, REPO_FOLDER, 'refs', 'main'), 'utf8'), commit);
      await fs.access(treesFileOf(commit));
      const present = (await fs.readdir(snapshotOf(commit), { recursive: true })).map(String);
      assert.ok(present.includes('config.json') && !present.includes('model.safetensors'), present.join(', '));
      const offlineRead = await offline<PyDownload>('snapshot', ...MLX_ALLOW, REPO);
      assert.equal(offlineRead.error, 'IncompleteSnapshotError', 'the library itself refuses it offline');

      const listed = (await cli(['list'])).find((l) => l.repoId === REPO)!;
      assert.equal(listed.state, 'partial');
      assert.equal(listed.commit, commit, 'the unfinished snapshot');
      const [info] = await cli(['info', REPO]);
      const local = info!.local as { state: string; missing: { path: string }[] };
      assert.equal(local.state, 'partial');
      assert.deepEqual(local.missing.map((m) => m.path), ['model.safetensors']);

      const verified = await cliMayFail(['verify', REPO]);
      assert.equal(verified.code, 1, 'an unfinished download never verifies');
      const { files, summary } = verifyLines(verified.lines);
      assert.deepEqual(files.filter((f) => f.status !== 'ok').map((f) => [f.path, f.status]), [['model.safetensors', 'missing']]);
      assert.deepEqual([summary.ok, summary.complete, summary.missing], [false, false, ['model.safetensors']]);

      // Our download finishes what the library started: only the weights are fetched.
      hub.faults.clear();
      const events = await cli(['download', REPO]);
      const plan = events.find((e) => e.type === 'plan')!;
      assert.deepEqual((plan.files as { path: string; state: string }[]).filter((f) => f.state !== 'in-place').map((f) => f.path), ['model.safetensors']);
      assert.equal((await cli(['list'])).find((l) => l.repoId === REPO)!.state, 'downloaded');
      assert.equal(verifyLines(await cli(['verify', REPO])).summary.ok, true);
    });

    it('a single hf_hub_download(config.json) is not a downloaded model', async () => {
      hub = await startStandin();
      const commit = hub.commitOf(REPO);
      await online('download-file', REPO, 'config.json');
      assert.equal(await fs.readFile(path.join(cache, REPO_FOLDER, 'refs', 'main'), 'utf8'), commit, 'the library names the revision');
      await assert.rejects(fs.access(path.join(cache, REPO_FOLDER, 'trees')), 'hf_hub_download records no listing');

      const listed = (await cli(['list'])).find((l) => l.repoId === REPO)!;
      assert.equal(listed.state, 'partial');
      const [info] = await cli(['info', REPO]);
      assert.equal((info!.local as { state: string }).state, 'partial');
      const verified = await cliMayFail(['verify', REPO]);
      assert.equal(verified.code, 1);
      const { files, summary } = verifyLines(verified.lines);
      assert.deepEqual(files.map((f) => [f.path, f.status]), [['config.json', 'ok'], ['model*.safetensors', 'missing']]);
      assert.equal(summary.ok, false);
    });

    it('HfApi reads model info and the recursive tree from the stand-in as from the Hub', async () => {
      hub = await startStandin();
      const api = await online<PyApi>('api', REPO);
      assert.equal(api.id, REPO);
      assert.equal(api.sha, hub.commitOf(REPO));
      const all = realHubRepo().files.map((f) => f.path);
      const infos = filesOf(hub, all);
      assert.deepEqual(api.siblings.map((s) => s.rfilename), [...all].sort());
      for (const s of api.siblings) {
        const info = infos.get(s.rfilename)!;
        assert.equal(s.size, info.size, `${s.rfilename}: size`);
        assert.equal(s.blob_id, info.gitSha1, `${s.rfilename}: blob id`);
        assert.deepEqual(s.lfs, info.lfs ? { sha256: info.sha256, size: info.size } : null, `${s.rfilename}: lfs`);
      }
      const files = api.tree.filter((e) => e.type === 'file');
      assert.deepEqual(files.map((f) => f.path).sort(), [...all].sort());
      for (const f of files) {
        const info = infos.get(f.path)!;
        assert.equal(f.blob_id, info.gitSha1, `${f.path}: tree oid`);
        assert.equal(f.size, info.size);
        assert.deepEqual(f.lfs, info.lfs ? { sha256: info.sha256, size: info.size } : null);
      }
      const folders = api.tree.filter((e) => e.type === 'directory').map((d) => d.path);
      assert.deepEqual(folders.sort(), ['chat', 'extra', 'extra/deep', 'original']);
    });
  });
});
