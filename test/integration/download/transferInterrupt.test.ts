import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { transferFile } from '../../../src/core/download/transferFile';
import { TransferCancelledError } from '../../../src/core/download/transferErrors';
import { readSidecar } from '../../../src/core/download/transferSidecar';
import { doneOf } from '../../../src/core/download/partPlan';
import { FILES, MiB, optionsFor, sha256OfFile, describeOnEveryWritePath } from './transferHarness';

const exists = (file: string) => access(file).then(() => true, () => false);

describeOnEveryWritePath('transferFile interrupted', (h) => {

  it('cancels every connection within 1 s, keeps a consistent partial, and resumes from it', async () => {
    const options = await optionsFor(h, FILES.large.path, { stallTimeoutMs: 30_000 });
    // Every connection delivers 2 MiB, then hangs: cancel must not wait for them.
    h.hub.faults.set({ kind: 'stall', afterBytes: 2 * MiB, ms: 60_000, origin: 'cdn' });
    const controller = new AbortController();
    let reached!: () => void;
    const reachedAll = new Promise<void>((resolve) => (reached = resolve));
    const running = transferFile({ ...options, signal: controller.signal, onProgress: (done) => done >= 8 * MiB && reached() });
    await reachedAll;
    const abortedAt = Date.now();
    controller.abort();
    await assert.rejects(running, (error: unknown) => error instanceof TransferCancelledError);
    assert.ok(Date.now() - abortedAt < 1000, `took ${Date.now() - abortedAt} ms`);

    const sidecar = await readSidecar(options.sidecarPath);
    assert.ok(sidecar && sidecar !== 'invalid');
    assert.equal(doneOf(sidecar.parts), 8 * MiB, 'the sidecar records exactly the bytes written');
    assert.ok(await exists(options.partialPath));

    h.hub.faults.clear();
    const result = await transferFile(options);
    assert.equal(result.resumedFromBytes, 8 * MiB);
    assert.equal(result.bytesDownloaded, FILES.large.size - 8 * MiB);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
    assert.equal(await exists(options.sidecarPath), false);
  });

  it('resumes exactly after the downloading process is SIGKILLed mid-way', async () => {
    const options = await optionsFor(h, FILES.large.path, { stallTimeoutMs: 60_000 });
    h.hub.faults.set({ kind: 'stall', afterBytes: 3 * MiB, ms: 60_000, origin: 'cdn' });
    const { dispatcher: _dispatcher, resolveUrl: _resolveUrl, ...serializable } = options;
    const child = spawn(process.execPath, [path.join(__dirname, 'transferChild.js'), JSON.stringify(serializable)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      // Wait for the parts to stall (12 MiB written), then for the sidecar to record them: its
      // saves are throttled to one per second. Bounded by the test timeout; no fixed sleeps.
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.startsWith('failed') || line.startsWith('finished')) assert.fail(`child ended early: ${line}`);
        if (Number(line.split(' ')[1]) >= 12 * MiB) break;
      }
      await new Promise<void>((resolve) => {
        const check = async () => {
          const sidecar = await readSidecar(options.sidecarPath);
          if (sidecar && sidecar !== 'invalid' && doneOf(sidecar.parts) >= 12 * MiB) resolve();
          else setTimeout(check, 50);
        };
        void check();
      });
      child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    const partialSize = (await stat(options.partialPath)).size;
    assert.ok(partialSize > 0);
    const afterKill = await readSidecar(options.sidecarPath);
    assert.ok(afterKill && afterKill !== 'invalid');
    assert.equal(doneOf(afterKill.parts), 12 * MiB, 'the sidecar claims exactly what the child wrote');

    h.hub.faults.clear();
    const result = await transferFile(options);
    assert.equal(result.resumedFromBytes, 12 * MiB);
    assert.equal(result.bytesDownloaded + result.resumedFromBytes, FILES.large.size);
    assert.equal(await sha256OfFile(options.partialPath), options.expectedHash.hex);
  });
});
