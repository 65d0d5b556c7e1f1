import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanCache, scanRepo } from '../../../src/core/cache/cacheScanner';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { localModelState } from '../../../src/core/snapshot/localModelState';
import { startHubStandin } from '../../fixtures/hubStandin';
import { listTree, MiB, pythonView, tinyModel } from '../snapshot/modelHarness';
import { useCliFixture, startCli } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';

/** A small deterministic PRNG, so a failing kill schedule can be replayed from the printed seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('CLI download, in real child processes', function () {
  this.timeout(120_000);
  const t = useCliFixture('mlx-cli-');
  const cli = (...args: string[]) => t.cli(args);


  it('downloads with JSON-line progress, then list, scan, verify and delete agree', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 24 * MiB)] });
    const run = cli('download', REPO, '--json');
    const { code, stderr } = await run.exited;
    assert.equal(code, 0, stderr);
    const types = run.lines.map((l) => l.type);
    assert.equal(types[0], 'plan');
    assert.equal(types.at(-1), 'done');
    assert.ok(types.includes('progress'));

    const list = cli('list', '--json');
    assert.equal((await list.exited).code, 0);
    assert.equal(list.lines.find((l) => l.repoId === REPO)?.state, 'downloaded', 'a non-seed model in the cache is listed');

    const verify = cli('verify', REPO, '--json');
    assert.equal((await verify.exited).code, 0);
    assert.equal(verify.lines.at(-1)?.ok, true);

    const del = cli('delete', REPO, '--json');
    assert.equal((await del.exited).code, 0);
    assert.deepEqual((await scanCache(t.cacheDir)).repos, []);
  });

  it('verify fails (exit 1) when a blob was altered on disk, and --repair then download fixes it', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
    assert.equal((await cli('download', REPO).exited).code, 0);
    const snapshot = localModelState(await scanRepo(t.cacheDir, REPO)).snapshotPath!;
    const blob = await fs.realpath(path.join(snapshot, 'model.safetensors'));
    const handle = await fs.open(blob, 'r+');
    await handle.write(Buffer.from('X'), 0, 1, 12345);
    await handle.close();
    const verify = cli('verify', REPO);
    const { code, stdout } = await verify.exited;
    assert.equal(code, 1);
    assert.match(stdout, /MISMATCH\s+model\.safetensors/);
    assert.match(stdout, /--repair/, 'the summary says how to repair');

    // A plain download keeps what is in place; --repair removes the damaged file so it is fetched again.
    assert.equal((await cli('download', REPO).exited).code, 0);
    assert.equal((await cli('verify', REPO).exited).code, 1, 'download alone did not repair it');
    const repair = await cli('verify', REPO, '--repair').exited;
    assert.equal(repair.code, 1, 'the damaged file is still reported');
    assert.match(repair.stdout, /removed 1 damaged file \(model\.safetensors\)/);
    await assert.rejects(fs.access(blob), 'the bad blob is gone');
    const again = cli('download', REPO, '--json');
    assert.equal((await again.exited).code, 0);
    assert.equal(again.lines.find((l) => l.type === 'file-start')?.path, 'model.safetensors', 'only the removed file is fetched');
    assert.equal((await cli('verify', REPO).exited).code, 0);
  });

  it('resumes to identical bytes after being SIGKILLed at 10 random points', async () => {
    const seed = Number(process.env.MLX_KILL_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed);
    const total = 192 * MiB;
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, total)] });
    // A link of ~1.5 s for the whole file: on loopback a run would finish before most kills could land mid-transfer.
    t.hub.faults.set({ kind: 'link-cap', bytesPerSecond: 128 * MiB, origin: 'cdn' });
    const expected = t.hub.fileInfo(REPO, 'model.safetensors').sha256!;
    const kills: string[] = [];
    for (let i = 0; i < 10; i++) {
      const run = cli('download', REPO, '--json', '--connections', String(1 + Math.floor(random() * 8)));
      const plan = await run.waitForLine((l) => l.type === 'plan');
      const resumed = Number(plan.totalBytes) - Number(plan.remainingBytes);
      if (random() < 0.2) {
        // Right after planning: while the resumed partial is re-hashed, or the first connections open.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
      } else {
        // At a random point of what is left: mid-part, mid-write, between parts or files, mid-rename.
        const target = resumed + random() * (total - resumed);
        await run.waitForLine((l) => (l.type === 'progress' && Number(l.doneBytes) >= target) || l.type === 'done').catch(() => undefined);
      }
      run.child.kill('SIGKILL');
      const { signal } = await run.exited;
      const lastProgress = run.lines.filter((l) => l.type === 'progress').at(-1);
      kills.push(`${signal ?? 'finished'}@${(Number(lastProgress?.doneBytes ?? resumed) / MiB).toFixed(0)}MiB`);
    }
    const final = cli('download', REPO, '--json');
    const { code, stderr } = await final.exited;
    assert.equal(code, 0, `seed ${seed}, kills ${kills.join(' ')}: ${stderr}`);

    const repo = await scanRepo(t.cacheDir, REPO);
    assert.equal(localModelState(repo).state, 'downloaded', `seed ${seed}`);
    assert.deepEqual(repo!.partials, [], 'no partial left');
    assert.equal((await verifyRepo({ root: t.cacheDir, repoId: REPO })).ok, true, `seed ${seed}`);
    const py = pythonView(t.cacheDir);
    assert.deepEqual(py.warnings, []);
    assert.equal(Object.values(py.repos[0]!.revisions)[0]!.files['model.safetensors']!.sha256, expected, `seed ${seed}, kills ${kills.join(' ')}`);
    const leftovers = (await listTree(t.cacheDir)).filter((p) => /\.incomplete|\.mlxmm|\.tmp/.test(p));
    assert.deepEqual(leftovers, [], `no partial, sidecar, lock or temp file left behind (seed ${seed}, kills ${kills.join(' ')})`);
    console.log(`      kill schedule (seed ${seed}): ${kills.join(' ')}`);
  });

  it('Ctrl-C stops within a second with exit code 130, and the next run resumes', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 64 * MiB)] });
    t.hub.faults.set({ kind: 'stall', afterBytes: 8 * MiB, ms: 60_000, origin: 'cdn', times: 1 });
    const run = cli('download', REPO, '--json', '--connections', '1');
    await run.waitForLine((l) => l.type === 'progress' && Number(l.doneBytes) >= 8 * MiB);
    const sentAt = performance.now();
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    assert.ok(performance.now() - sentAt < 1000, 'exited within 1 s');
    assert.equal(code, 130);
    assert.match(stderr, /cancelled; run the same command again to resume/);

    const again = cli('download', REPO, '--json');
    const plan = await again.waitForLine((l) => l.type === 'plan');
    assert.ok(Number(plan.remainingBytes) <= 56 * MiB + 4096, 'resumes instead of starting over');
    assert.equal((await again.exited).code, 0);
  });

  it('fails with one actionable line for unknown repos and unreachable Hubs', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
    const missing = await cli('download', 'mlx-community/Does-Not-Exist').exited;
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /^mlx-models: .*(not found|does not exist|check the id)/i);

    const endpoint = t.hub.endpoint;
    await t.hub.close();
    const dead = await startCli(['download', REPO, '--cache-dir', t.cacheDir, '--endpoint', endpoint]).exited;
    assert.equal(dead.code, 1);
    assert.equal(dead.stderr.trim().split('\n').length, 1, dead.stderr);
    assert.deepEqual(await listTree(t.cacheDir), [], 'nothing written');
  });
});
