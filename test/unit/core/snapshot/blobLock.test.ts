import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs, watch } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { acquireBlobLock, liveLockHolders, removeStaleLocks, tryAcquireBlobLock } from '../../../../src/core/snapshot/blobLock';

describe('blob lock', () => {
  let dir: string;
  let pythonLock: string;
  const ours = () => `${pythonLock}.mlxmm`;
  const plant = async (content: object | string, ageMs = 0) => {
    await fs.mkdir(path.dirname(ours()), { recursive: true });
    await fs.writeFile(ours(), typeof content === 'string' ? content : JSON.stringify(content));
    const at = new Date(Date.now() - ageMs);
    await fs.utimes(ours(), at, at);
  };
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'bloblock-'));
    pythonLock = path.join(dir, '.locks', 'models--org--m', `${'a'.repeat(64)}.lock`);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('has exactly one holder however many try at once', async () => {
    const attempts = await Promise.all(Array.from({ length: 24 }, () => tryAcquireBlobLock(pythonLock)));
    const holders = attempts.filter((lock) => lock !== undefined);
    assert.equal(holders.length, 1, `${holders.length} holders at once`);
    assert.deepEqual(JSON.parse(await fs.readFile(ours(), 'utf8')).pid, process.pid);
    assert.deepEqual((await fs.readdir(path.dirname(ours()))).sort(), [path.basename(ours())], 'no temp file left');
    await holders[0]!.release();
    assert.ok(await tryAcquireBlobLock(pythonLock), 'free again once released');
  });

  it('is exclusive across processes: three taking it 150 times each never hold it together', async function () {
    this.timeout(60_000);
    const module = path.resolve(__dirname, '../../../../src/core/snapshot/blobLock.js');
    // While holding the lock, each creates a marker exclusively: finding it there means two holders at once.
    const script = `
      const { acquireBlobLock } = require(${JSON.stringify(module)});
      const fs = require('node:fs');
      (async () => {
        let together = 0;
        for (let i = 0; i < 150; i++) {
          const lock = await acquireBlobLock({ pythonLockPath: ${JSON.stringify(pythonLock)}, pollMs: 1 });
          try { fs.writeFileSync(${JSON.stringify(path.join(dir, 'marker'))}, 'x', { flag: 'wx' }); } catch { together++; await lock.release(); continue; }
          await new Promise((resolve) => setImmediate(resolve));
          fs.rmSync(${JSON.stringify(path.join(dir, 'marker'))}, { force: true });
          await lock.release();
        }
        process.stdout.write(String(together));
      })();`;
    const run = () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`exit ${code}`))));
      });
    const together = await Promise.all([run(), run(), run()]);
    assert.deepEqual(together, [0, 0, 0], 'times a process found another holding the lock with it');
  });

  it('takes over a lock naming this very process that it does not hold (a reused pid, a container pid 1)', async () => {
    await plant({ pid: process.pid, host: hostname() });
    const lock = await tryAcquireBlobLock(pythonLock);
    assert.ok(lock);
    await lock.release();
  });

  it("respects another live process's fresh lock, and takes it over once nobody refreshes it", async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await plant({ pid: other.pid, host: hostname() });
      assert.equal(await tryAcquireBlobLock(pythonLock), undefined, 'live and fresh: held');
      assert.deepEqual(await liveLockHolders(path.dirname(ours())), [other.pid]);
      await plant({ pid: other.pid, host: hostname() }, 2 * 60_000);
      assert.deepEqual(await liveLockHolders(path.dirname(ours())), [], 'a pid alive but a lock not refreshed: the pid was reused');
      const lock = await tryAcquireBlobLock(pythonLock);
      assert.ok(lock, 'stale: taken over');
      await lock.release();
    } finally {
      other.kill();
    }
  });

  it("treats another machine's lock as live while it is refreshed, and stale after", async () => {
    await plant({ pid: 1234, host: `not-${hostname()}` });
    assert.equal(await tryAcquireBlobLock(pythonLock), undefined);
    let onWait!: (told: { pid: number; file: string }) => void;
    const told = new Promise<{ pid: number; file: string }>((resolve) => (onWait = resolve));
    const waiting = acquireBlobLock({ pythonLockPath: pythonLock, pollMs: 10, onWait: (pid, file) => onWait({ pid, file }) });
    assert.deepEqual(await told, { pid: -1, file: ours() }, 'the waiter is told whose lock and where it is');
    await plant({ pid: 1234, host: `not-${hostname()}` }, 2 * 60_000);
    const lock = await waiting;
    await lock.release();
  });

  it('counts an empty lock as being written while young, as abandoned when old', async () => {
    await plant('');
    assert.equal(await tryAcquireBlobLock(pythonLock), undefined);
    await plant('', 10_000);
    const lock = await tryAcquireBlobLock(pythonLock);
    assert.ok(lock);
    await lock.release();
  });

  it('removes the temp and moved-aside files of a process killed while taking or breaking a lock, not those of a live one', async () => {
    const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const lockDir = path.dirname(ours());
      await fs.mkdir(lockDir, { recursive: true });
      const scratch = {
        deadTemp: `${ours()}.${dead.pid}-${hostTag}.0badf00d.tmp`,
        deadAside: `${ours()}.${dead.pid}-${hostTag}.0badf00e.stale`,
        liveTemp: `${ours()}.${live.pid}-${hostTag}.0badf00f.tmp`,
        otherHostTemp: `${ours()}.${dead.pid}-ffffffff.0badf010.tmp`,
        oldOtherHostTemp: `${ours()}.${dead.pid}-ffffffff.0badf011.tmp`,
        oldUnnamedTemp: `${ours()}.0badf012.tmp`,
        youngUnnamedTemp: `${ours()}.0badf013.tmp`,
      };
      for (const file of Object.values(scratch)) await fs.writeFile(file, '{}');
      const old = new Date(Date.now() - 2 * 60_000);
      for (const file of [scratch.oldOtherHostTemp, scratch.oldUnnamedTemp]) await fs.utimes(file, old, old);

      await removeStaleLocks(lockDir);

      const left = new Set(await fs.readdir(lockDir));
      const kept = Object.entries(scratch).filter(([, file]) => left.has(path.basename(file))).map(([name]) => name);
      assert.deepEqual(kept.sort(), ['liveTemp', 'otherHostTemp', 'youngUnnamedTemp']);
    } finally {
      live.kill();
    }
  });

  it('names its temp files after its pid and host, so a leftover can be told from a file in use', async () => {
    const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const lockDir = path.dirname(ours());
    await fs.mkdir(lockDir, { recursive: true });
    let watcher!: ReturnType<typeof watch>;
    const firstTemp = new Promise<string>((resolve) => {
      watcher = watch(lockDir, (_event, name) => name && String(name).endsWith('.tmp') && resolve(String(name)));
    });
    try {
      const lock = await tryAcquireBlobLock(pythonLock);
      await lock!.release();
      assert.match(await firstTemp, new RegExp(`\\.lock\\.mlxmm\\.${process.pid}-${hostTag}\\.[0-9a-f]{8}\\.tmp$`));
    } finally {
      watcher.close();
    }
  });
});
