// `node dist/cli.js download … --json | head -1`: the reader closes the pipe after one line. The CLI must
// stop the download as on Ctrl-C (locks released, the partial kept), say so in one line and exit 141
// (128 + SIGPIPE, what a shell shows for a process SIGPIPE stopped) — not crash with an EPIPE stack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { scanRepo } from '../../../src/core/cache/cacheScanner';
import { verifyRepo } from '../../../src/core/cache/cacheVerifier';
import { startHubStandin } from '../../fixtures/hubStandin';
import { listTree, MiB, tinyModel } from '../snapshot/modelHarness';
import { CLI, startCli, useCliFixture } from './cliProcess';

const REPO = 'mlx-community/Tiny-4bit';
const EXIT_OUTPUT_CLOSED = 141;

/** Polls `probe` every 20 ms until it is true (a file appearing has no event to await across processes). */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const locksUnder = async (dir: string) => (await listTree(dir)).filter((p) => p.endsWith('.lock.mlxmm'));

describe('CLI whose output is closed early (| head -1)', function () {
  this.timeout(120_000);
  const t = useCliFixture('mlx-cli-epipe-');


  it('download --json stops cleanly with exit 141: no stack, no lock left, the partial resumes', async () => {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 32 * MiB)] });
    // Held mid-file, so the download is certainly still running (and holding its lock) when the reader leaves.
    t.hub.faults.set({ kind: 'stall', afterBytes: 4 * MiB, ms: 60_000, origin: 'cdn', times: 1 });
    const child = spawn(process.execPath, [CLI, 'download', REPO, '--json', '--connections', '1', '--cache-dir', t.cacheDir, '--endpoint', t.hub.endpoint], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    // The reader: takes the first line, then (once the download holds its blob lock) closes the pipe;
    // the CLI's next progress line, due within a second, meets the closed pipe.
    const firstLine = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before its first line: ${stderr}`)));
    });
    assert.equal((JSON.parse(firstLine) as { type: string }).type, 'plan');
    const partialBytes = async () => ((await scanRepo(t.cacheDir, REPO))?.partials ?? []).reduce((n, p) => n + p.bytes, 0);
    await until(async () => (await locksUnder(t.cacheDir)).length > 0 && (await partialBytes()) >= 4 * MiB, 'the blob lock and 4 MiB on disk');
    child.stdout.destroy();

    const { code, signal } = await exited;
    assert.equal(signal, null, 'exited by itself, not killed');
    assert.equal(code, EXIT_OUTPUT_CLOSED, stderr);
    assert.doesNotMatch(stderr, /\n\s+at |Unhandled|node:internal|Error:/, 'no stack trace');
    assert.deepEqual(
      stderr.trim().split('\n'),
      ['mlx-models: stopped: stdout was closed by its reader (EPIPE); run the same command again to resume'],
      'one line that says why and what to do',
    );
    assert.deepEqual(await locksUnder(t.cacheDir), [], 'every lock released');
    assert.ok((await partialBytes()) >= 4 * MiB, 'the partial file is kept for the next run');

    const again = startCli(['download', REPO, '--json', '--cache-dir', t.cacheDir, '--endpoint', t.hub.endpoint]);
    const rerun = await again.exited;
    assert.equal(rerun.code, 0, rerun.stderr);
    const plan = again.lines.find((l) => l.type === 'plan')!;
    assert.ok(Number(plan.remainingBytes) < Number(plan.totalBytes), 'the rerun resumed instead of starting over');
    assert.equal((await verifyRepo({ root: t.cacheDir, repoId: REPO })).ok, true);
    assert.deepEqual((await listTree(t.cacheDir)).filter((p) => /\.incomplete|\.mlxmm|\.tmp/.test(p)), [], 'no leftovers after the rerun');
  });
});
