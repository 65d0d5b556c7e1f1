import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Dispatcher, request } from 'undici';
import { createDispatcher } from '../../../src/core/http/createDispatcher';
import { type ExpectedHash } from '../../../src/core/cache/contentHash';
import { type TransferOptions } from '../../../src/core/download/transferFile';
import { startHubStandin, type HubStandin } from '../../fixtures/hubStandin';

export const REPO = 'org/transfer';
export const MiB = 1024 * 1024;

/** Files every download test uses: a small LFS file, a multi-part one, and a git-stored one. */
export const FILES = {
  small: { path: 'small.safetensors', size: 3 * MiB + 333, seed: 1 },
  large: { path: 'large.safetensors', size: 24 * MiB + 4321, seed: 2 },
  config: { path: 'config.json', content: Buffer.from('{"model_type":"llama","hidden_size":64}\n'), lfs: false },
};

/**
 * The ways received bytes reach the disk: written (and hashed) on the calling thread, as for small
 * files and slow links; handed to the shared worker that writes and hashes them, as for large files on
 * a fast link; and the move between the two in the middle of a file (the worker then re-reads what
 * this thread had hashed). The transfer suites run under each, so every fault is also seen by each path.
 */
export const WRITE_PATHS = [
  { name: 'this thread writes', workerMinBytes: Number.MAX_SAFE_INTEGER },
  { name: 'the worker writes', workerMinBytes: 0, workerBytesPerSecond: 0 },
  { name: 'writing moves to the worker mid-file', workerMinBytes: 0, workerBytesPerSecond: 1, linkSpeedSampleBytes: 2 * MiB },
] as const;

export type WritePath = { readonly workerMinBytes: number; readonly workerBytesPerSecond?: number; readonly linkSpeedSampleBytes?: number };

export interface Harness {
  hub: HubStandin;
  dispatcher: Dispatcher;
  dir: string;
  /** Passed to every transfer (see WRITE_PATHS); undefined: the product defaults. */
  writePath?: WritePath;
  close(): Promise<void>;
}

export async function startHarness(writePath?: WritePath): Promise<Harness> {
  const hub = await startHubStandin({ repos: [{ id: REPO, files: Object.values(FILES) }] });
  // The product's dispatcher (its sockets reuse their read buffers), without proxies from this environment.
  const dispatcher = createDispatcher({ connections: 16, env: {} });
  const dir = await mkdtemp(path.join(tmpdir(), 'transfer-'));
  return {
    hub,
    dispatcher,
    dir,
    ...(writePath ? { writePath } : {}),
    async close() {
      await dispatcher.destroy();
      await hub.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Declares the suite `title` once per write path (see WRITE_PATHS), every test with a harness of its
 * own: `body` gets one object that stands for the current test's harness.
 */
export function describeOnEveryWritePath(title: string, body: (h: Harness) => void): void {
  for (const writePath of WRITE_PATHS) {
    describe(`${title} (${writePath.name})`, function () {
      this.timeout(60_000);
      let current: Harness | undefined;
      const harness = () => {
        if (!current) throw new Error('the harness exists only while a test runs');
        return current;
      };
      beforeEach(async () => {
        current = await startHarness(writePath);
      });
      afterEach(async () => {
        await current?.close();
        current = undefined;
      });
      body({
        get hub() {
          return harness().hub;
        },
        get dispatcher() {
          return harness().dispatcher;
        },
        get dir() {
          return harness().dir;
        },
        get writePath() {
          return harness().writePath;
        },
        close: () => harness().close(),
      });
    });
  }
}

/** The CDN URL the Hub redirects an LFS resolve to (fresh signature each time). */
export async function resolveCdnUrl(h: Harness, filePath: string): Promise<string> {
  const response = await request(`${h.hub.endpoint}/${REPO}/resolve/main/${filePath}`, { dispatcher: h.dispatcher, method: 'GET' });
  await response.body.dump();
  const location = response.headers.location;
  if (response.statusCode !== 302 || typeof location !== 'string') throw new Error(`resolve gave ${response.statusCode}`);
  return location;
}

export function expectedHashOf(h: Harness, filePath: string): ExpectedHash {
  const info = h.hub.fileInfo(REPO, filePath);
  return info.sha256 ? { algorithm: 'sha256', hex: info.sha256 } : { algorithm: 'git-sha1', hex: info.gitSha1 };
}

/** Options for one file, with short timeouts so failure paths run fast on loopback. */
export async function optionsFor(h: Harness, filePath: string, extra: Partial<TransferOptions> = {}): Promise<TransferOptions> {
  const info = h.hub.fileInfo(REPO, filePath);
  const name = path.basename(filePath);
  return {
    url: info.lfs ? await resolveCdnUrl(h, filePath) : `${h.hub.endpoint}/${REPO}/resolve/main/${filePath}`,
    resolveUrl: info.lfs ? () => resolveCdnUrl(h, filePath) : undefined,
    partialPath: path.join(h.dir, `${name}.incomplete`),
    sidecarPath: path.join(h.dir, `${name}.incomplete.json`),
    expectedSize: info.size,
    expectedHash: expectedHashOf(h, filePath),
    dispatcher: h.dispatcher,
    partThresholdBytes: 8 * MiB,
    minPartBytes: 2 * MiB,
    connections: 4,
    retryBaseDelayMs: 20,
    stallTimeoutMs: 2000,
    ...h.writePath,
    ...extra,
  };
}

/** SHA-256 of a file on disk, streamed. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** CDN GETs for one file (its path contains the sha256). */
export function cdnGets(h: Harness, filePath: string) {
  const sha = h.hub.fileInfo(REPO, filePath).sha256!;
  return h.hub.requests.filter((r) => r.origin === 'cdn' && r.method === 'GET' && r.path.includes(sha));
}
