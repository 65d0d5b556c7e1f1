import { promises as fs } from 'node:fs';
import { type Dispatcher } from 'undici';
import { scanRepo } from '../cache/cacheScanner';
import { commitBlob, linkSnapshotFile, writeRef } from '../cache/cacheWriter';
import { isCommitSha, repoCachePaths, safeRepoRelativePath, type RepoCachePaths } from '../cache/cachePaths';
import { createContentHasher, expectedHashFromEtag, type ExpectedHash } from '../cache/contentHash';
import { detectLinkMode, type LinkMode } from '../cache/linkMode';
import { treeListingFromRepoFiles } from '../cache/treeListing';
import { writeTreeListing } from '../cache/writeTreeListing';
import { bytesToFree, ensureFreeSpace, freeBytesAt, freeSpaceMargin } from '../download/diskSpace';
import { ProgressMeter } from '../download/progressMeter';
import { DiskFullError, TransferCancelledError } from '../download/transferErrors';
import { partialBytesOnDisk } from '../download/transferSidecar';
import { transferFile, type TransferOptions } from '../download/transferFile';
import { type HubClient } from '../hub/hubClient';
import { OfflineModeError } from '../hub/hubErrors';
import { InvalidHubResponseError, type ModelInfo } from '../hub/modelInfo';
import { blobEtag, type RepoFile } from '../hub/repoFile';
import { parseRepoId } from '../hub/repoId';
import { assertRevision } from '../hub/revision';
import { type Logger, silentLogger } from '../logging/logger';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from './allowPatterns';
import { acquireBlobLock } from './blobLock';
import { LargeFileGate } from './largeFileGate';
import { removeLeftovers } from './removeLeftovers';
import { type DownloadEvent, type PlannedFile } from './downloadEvents';
import { DownloadDiskFullError, HubInconsistencyError, NothingToDownloadError } from './downloadErrors';
import { localModelState } from './localModelState';
import { snapshotCompleteness } from './snapshotCompleteness';

/** Files above this are "large": split into Range parts, and one at a time on a fast link (see LargeFileGate). */
const LARGE_FILE_BYTES = 64 * 1024 * 1024;

export interface DownloadModelOptions {
  readonly hub: HubClient;
  /** The Hugging Face hub cache root (see `resolveHubCacheDir`). */
  readonly cacheRoot: string;
  readonly repoId: string;
  /** Branch, tag, `refs/pr/N` or 40-hex commit, checked by `assertRevision` before any request. @default 'main' */
  readonly revision?: string;
  /** Which repo files to fetch (fnmatch patterns). @default MLX_ALLOW_PATTERNS */
  readonly allowPatterns?: readonly string[];
  readonly dispatcher: Dispatcher;
  /** Sent only to the Hub's own origin (small files), never to the CDN. */
  readonly token?: string;
  /** Range connections for one large file (a CDN caps each one; more of them add up). @default 16 */
  readonly connectionsPerFile?: number;
  /** Files downloaded at once. @default 4 */
  readonly parallelFiles?: number;
  /** Flush every blob to the disk before it is placed (see TransferOptions.syncToDisk). @default false */
  readonly syncToDisk?: boolean;
  /** @default detected per cache (symlinks where the file system allows, like huggingface_hub) */
  readonly linkMode?: LinkMode;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: DownloadEvent) => void;
  readonly logger?: Logger;
  /** Tuning passed to every file transfer (stall timeout, retry delays, part threshold). */
  readonly transfer?: Pick<TransferOptions, 'stallTimeoutMs' | 'retryBaseDelayMs' | 'maxRetries' | 'partThresholdBytes' | 'minPartBytes' | 'fastConnectionBytesPerSecond'>;
}

export interface DownloadModelResult {
  readonly repoId: string;
  readonly commit: string;
  readonly snapshotPath: string;
  readonly files: readonly PlannedFile[];
  readonly bytesDownloaded: number;
  /**
   * True when offline mode (`HF_HUB_OFFLINE`) kept the Hub out of it and the revision was already complete in
   * the cache: that snapshot is the result, as huggingface_hub's offline `snapshot_download` returns it.
   */
  readonly offline?: boolean;
}

/**
 * Downloads the files of a model that mlx_lm needs into the shared Hugging Face cache, exactly as
 * huggingface_hub lays it out: blobs by hash, relative snapshot links, `trees/<commit>.json` before the
 * first file is written, and `refs/<revision>` written only once every file is in place (so a half-downloaded
 * model never looks complete to mlx_lm). Everything is planned and validated (paths, etags, free space)
 * before the first byte is written.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadModelResult> {
  const started = performance.now();
  const log = options.logger ?? silentLogger;
  const emit = options.onEvent ?? (() => {});
  const { id: repoId } = parseRepoId(options.repoId);
  const revision = options.revision ?? 'main';
  // Before any request or write: a name the ref could not be written under fails now, not after the download.
  assertRevision(revision);
  const signal = options.signal ?? new AbortController().signal;
  const allow = options.allowPatterns ?? MLX_ALLOW_PATTERNS;

  let info: ModelInfo;
  try {
    info = await options.hub.modelInfo(repoId, { revision, signal });
  } catch (error) {
    // Offline, a revision that is complete in the cache is already downloaded (like huggingface_hub).
    const cached = error instanceof OfflineModeError ? await completeCachedSnapshot(options.cacheRoot, repoId, revision, allow) : undefined;
    if (!cached) throw error;
    const totalBytes = cached.files.reduce((n, f) => n + f.size, 0);
    emit({ type: 'plan', repoId, revision, commit: cached.commit, files: cached.files, totalBytes, remainingBytes: 0 });
    emit({ type: 'done', repoId, commit: cached.commit, snapshotPath: cached.snapshotPath, bytesDownloaded: 0, seconds: (performance.now() - started) / 1000 });
    log.info(`[download] ${repoId}@${cached.commit.slice(0, 8)}: offline, already complete in the cache`);
    return { repoId, ...cached, bytesDownloaded: 0, offline: true };
  }
  const commit = info.sha;
  if (!commit) throw new InvalidHubResponseError(`${options.hub.endpoint}/api/models/${repoId}`, 'no commit sha in the model info');
  const repoFiles = await options.hub.listFiles(repoId, commit, { signal });
  const wanted = repoFiles.filter((f) => matchesAnyPattern(f.path, allow));
  if (wanted.length === 0) throw new NothingToDownloadError(repoId);

  const paths = repoCachePaths(options.cacheRoot, repoId);
  // Validate every name the Hub gave us before anything touches the disk.
  for (const file of wanted) {
    safeRepoRelativePath(file.path);
    paths.blob(blobEtag(file));
  }
  paths.snapshotDir(commit);

  const linkMode = options.linkMode ?? (await prepareRoot(options.cacheRoot));
  const planned = await Promise.all(wanted.map((file) => planFile(paths, commit, file)));
  const remainingBytes = planned.reduce((n, f) => n + (f.state === 'to-download' ? f.size - f.partialBytes : 0), 0);
  if (remainingBytes > 0) await ensureFreeSpace({ dir: options.cacheRoot, neededBytes: remainingBytes });
  // Once, before the first file lands in the cache (not before: a gated repo's refused resolve writes nothing).
  let listingRecorded: Promise<void> | undefined;
  const recordListing = () => (listingRecorded ??= recordTreeListing(options.cacheRoot, repoId, commit, repoFiles, log));
  const totalBytes = planned.reduce((n, f) => n + f.size, 0);
  emit({ type: 'plan', repoId, revision, commit, files: planned, totalBytes, remainingBytes });
  log.info(`[download] ${repoId}@${commit.slice(0, 8)}: ${planned.length} files, ${remainingBytes} of ${totalBytes} bytes to fetch`);

  let filesDone = 0;
  // Quiet until every file is registered: an event after the first file alone would show a wrong total.
  let registered = false;
  const meter = new ProgressMeter({ onUpdate: (s) => registered && emit({ type: 'progress', filesDone, filesTotal: planned.length, ...s }) });
  for (const f of planned) meter.addFile(f.path, f.size, f.state === 'to-download' ? f.partialBytes : f.size);
  registered = true;
  meter.tick();
  const heartbeat = setInterval(() => meter.tick(), 1000);
  heartbeat.unref();

  // Files with the same content share one blob: fetch it once, then link every path to it.
  const byEtag = new Map<string, PlannedFile[]>();
  for (const f of planned) byEtag.set(f.etag, [...(byEtag.get(f.etag) ?? []), f]);

  let bytesDownloaded = 0;
  const gate = new LargeFileGate();
  const largeFileBytes = options.transfer?.partThresholdBytes ?? LARGE_FILE_BYTES;
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    await runPool([...byEtag.values()], options.parallelFiles ?? 4, inner, async (group) => {
      const first = group[0]!;
      let created = false;
      if (first.state === 'to-download') {
        const leave = first.size > largeFileBytes ? await gate.enter(inner.signal) : undefined;
        try {
          const result = await fetchBlob({ ...options, repoId, commit, paths, file: first, signal: inner.signal, emit, meter, log, gate, onReceived: leave, beforeFirstWrite: recordListing });
          bytesDownloaded += result.bytes;
          created = result.created;
        } finally {
          leave?.();
        }
      }
      await recordListing();
      for (const [index, f] of group.entries()) {
        if (f.state !== 'in-place') {
          // In copy mode only the last path may take a new blob over; earlier ones copy it.
          await linkSnapshotFile({ root: options.cacheRoot, repoId, commit, path: f.path, etag: f.etag, mode: linkMode, newBlob: created && index === group.length - 1 });
        }
        meter.update(f.path, f.size);
        filesDone++;
        emit({ type: 'file-done', path: f.path, size: f.size, downloaded: f.state === 'to-download' });
      }
    });
  } catch (error) {
    throw await explainDiskFull(error, options.cacheRoot, repoId, paths, commit, planned);
  } finally {
    clearInterval(heartbeat);
    signal.removeEventListener('abort', onOuterAbort);
  }

  try {
    await recordListing();
    if (!isCommitSha(revision) || revision.toLowerCase() !== commit) {
      await writeRef({ root: options.cacheRoot, repoId, ref: revision, commit });
    }
  } catch (error) {
    // Every file is in place; a disk that filled up meanwhile is told as such, not as a raw ENOSPC.
    throw await explainDiskFull(error, options.cacheRoot, repoId, paths, commit, planned);
  }
  await removeLeftovers(paths, commit);
  await meter.complete(); // the final progress event comes before "done"
  const snapshotPath = paths.snapshotDir(commit);
  emit({ type: 'done', repoId, commit, snapshotPath, bytesDownloaded, seconds: (performance.now() - started) / 1000 });
  return { repoId, commit, snapshotPath, files: planned, bytesDownloaded };
}

/**
 * Writes `trees/<commit>.json` (every file of the repo, as huggingface_hub >= 2.0 records it before its
 * first download) ahead of the first file written: it tells readers which files a complete snapshot
 * holds (and whose partial download is waiting), lets the library download offline by commit id, and
 * records the hash of files copied without a blob link. Best effort, like the library: without it the
 * cache still works, judged by the conservative check.
 */
async function recordTreeListing(root: string, repoId: string, commit: string, files: readonly RepoFile[], log: Logger): Promise<void> {
  try {
    await writeTreeListing({ root, repoId, commit, listing: treeListingFromRepoFiles(files) });
  } catch (error) {
    log.warn(`[download] ${repoId}: could not record the file list of ${commit.slice(0, 8)}: ${(error as Error).message}`);
  }
}

/**
 * The revision's snapshot when the cache holds it complete (judged as everywhere else: `localModelState`,
 * and against `allow` when the caller asked for other files), as the files a download would have planned.
 */
async function completeCachedSnapshot(
  root: string,
  repoId: string,
  revision: string,
  allow: readonly string[],
): Promise<{ commit: string; snapshotPath: string; files: PlannedFile[] } | undefined> {
  const repo = await scanRepo(root, repoId).catch(() => undefined);
  const local = localModelState(repo, revision);
  const snapshot = local.state === 'downloaded' ? repo?.revisions.find((r) => r.commit === local.commit) : undefined;
  if (!repo || !snapshot || !snapshotCompleteness(repo, snapshot, allow).complete) return undefined;
  const files = snapshot.files
    .filter((f) => matchesAnyPattern(f.path, allow))
    .map((f): PlannedFile => {
      const listed = snapshot.treeListing?.get(f.path);
      return { path: f.path, size: f.size, etag: f.etag ?? listed?.lfs_sha256 ?? listed?.blob_id ?? '', state: 'in-place', partialBytes: 0 };
    });
  return { commit: snapshot.commit, snapshotPath: snapshot.snapshotPath, files };
}

/**
 * A full disk mid-download, told in the terms of the pre-check the next run makes: what the rest of the
 * download needs (what the next plan will count: files not yet in `blobs/`, less their partial bytes on
 * disk, which are kept), the margin, and what is free now. "Free at least X" is then exactly what the
 * next run's check asks for, not the size of the one file that hit the wall.
 */
async function explainDiskFull(error: unknown, root: string, repoId: string, paths: RepoCachePaths, commit: string, planned: readonly PlannedFile[]): Promise<unknown> {
  const diskFull = error instanceof DiskFullError || (error as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC';
  if (!diskFull || error instanceof DownloadDiskFullError) return error;
  try {
    let remainingBytes = 0;
    for (const f of planned) {
      if (f.state !== 'to-download') continue;
      const blob = paths.blob(f.etag);
      if ((await sizeOf(blob)) === f.size || (await isInPlace(paths.snapshotFile(commit, f.path), blob, f.size))) continue;
      remainingBytes += f.size - Math.min(await partialBytesOnDisk(paths.incomplete(f.etag), paths.sidecar(f.etag)), f.size);
    }
    const marginBytes = freeSpaceMargin(remainingBytes);
    const freeBytes = await freeBytesAt(root);
    const failed = error instanceof DiskFullError ? { path: error.path, bytesDone: error.bytesDone, expectedSize: error.expectedSize } : { path: (error as NodeJS.ErrnoException).path ?? root };
    return new DownloadDiskFullError({ repoId, ...failed, remainingBytes, marginBytes, freeBytes, toFreeBytes: bytesToFree(remainingBytes, marginBytes, freeBytes), cause: error });
  } catch {
    return error;
  }
}

async function prepareRoot(root: string): Promise<LinkMode> {
  await fs.mkdir(root, { recursive: true });
  return detectLinkMode({ root });
}

/** What one file needs: nothing (already linked), a link (blob cached), or a download. */
async function planFile(paths: RepoCachePaths, commit: string, file: RepoFile): Promise<PlannedFile> {
  const etag = blobEtag(file);
  const base = { path: file.path, size: file.size, etag, partialBytes: 0 };
  const linked = paths.snapshotFile(commit, file.path);
  if (await isInPlace(linked, paths.blob(etag), file.size)) return { ...base, state: 'in-place' };
  const blobSize = await sizeOf(paths.blob(etag));
  if (blobSize === file.size && (await hashMatches(paths.blob(etag), expectedHashOf(etag), file.size))) return { ...base, state: 'blob-cached' };
  if (blobSize !== undefined) await fs.rm(paths.blob(etag), { force: true }); // wrong bytes under a hash name: never trust them
  const partialBytes = await partialBytesOnDisk(paths.incomplete(etag), paths.sidecar(etag));
  return { ...base, state: 'to-download', partialBytes: Math.min(partialBytes, file.size) };
}

/**
 * A snapshot entry that already points at a blob of the right size (it was verified when written), or
 * is a copy of the right size. Copies are what huggingface_hub writes with `HF_HUB_DISABLE_SYMLINKS=1`
 * or without symlink rights, whatever mode this download runs in: like the library, which takes any
 * file at the snapshot path as downloaded, we keep them (`verify` is what reads their bytes).
 */
async function isInPlace(linked: string, blob: string, size: number): Promise<boolean> {
  try {
    const stat = await fs.lstat(linked);
    if (stat.isSymbolicLink()) {
      const [target, blobReal] = await Promise.all([fs.realpath(linked), fs.realpath(blob)]);
      return target === blobReal && (await sizeOf(blob)) === size;
    }
    return stat.isFile() && stat.size === size;
  } catch {
    return false;
  }
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return undefined;
  }
}

function expectedHashOf(etag: string): ExpectedHash {
  const expected = expectedHashFromEtag(etag);
  if (!expected) throw new Error(`"${etag}" is not a content hash`);
  return expected;
}

async function hashMatches(file: string, expected: ExpectedHash, size: number): Promise<boolean> {
  const hasher = createContentHasher(expected.algorithm, size);
  const handle = await fs.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) hasher.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hasher.digest('hex') === expected.hex;
}

interface FetchBlobContext extends DownloadModelOptions {
  readonly repoId: string;
  readonly commit: string;
  readonly paths: RepoCachePaths;
  readonly file: PlannedFile;
  readonly signal: AbortSignal;
  readonly emit: (event: DownloadEvent) => void;
  readonly meter: ProgressMeter;
  readonly log: Logger;
  readonly gate: LargeFileGate;
  /** Every byte of the file has arrived (its flush to disk and hash check still to come). */
  readonly onReceived?: () => void;
  /** Called once the Hub agreed to serve the file, before its partial file is created. */
  readonly beforeFirstWrite: () => Promise<void>;
}

/** Downloads one blob under a lock, verifies it and moves it into `blobs/`. */
async function fetchBlob(ctx: FetchBlobContext): Promise<{ bytes: number; created: boolean }> {
  const { file, paths, signal } = ctx;
  const lock = await acquireBlobLock({
    pythonLockPath: paths.lock(file.etag),
    signal,
    onWait: (holderPid, lockFile) => ctx.emit({ type: 'waiting-for-lock', path: file.path, holderPid, lockFile }),
  });
  try {
    // Another process may have finished this blob while we waited.
    if ((await sizeOf(paths.blob(file.etag))) === file.size) return { bytes: 0, created: false };
    const resolve = async () => {
      const resolved = await ctx.hub.resolveFile(ctx.repoId, ctx.commit, file.path, { signal });
      if (resolved.etag.toLowerCase() !== file.etag.toLowerCase()) throw new HubInconsistencyError(file.path, file.etag, resolved.etag);
      return resolved.url;
    };
    const url = await resolve();
    await ctx.beforeFirstWrite();
    const onHub = new URL(url).origin === new URL(ctx.hub.endpoint).origin;
    const partialBytes = await partialBytesOnDisk(paths.incomplete(file.etag), paths.sidecar(file.etag));
    ctx.emit({ type: 'file-start', path: file.path, size: file.size, resumeFrom: Math.min(partialBytes, file.size) });
    const result = await transferFile({
      ...ctx.transfer,
      url,
      resolveUrl: resolve,
      partialPath: paths.incomplete(file.etag),
      sidecarPath: paths.sidecar(file.etag),
      expectedSize: file.size,
      expectedHash: expectedHashOf(file.etag),
      dispatcher: ctx.dispatcher,
      headers: ctx.token && onHub ? { authorization: `Bearer ${ctx.token}` } : undefined,
      connections: ctx.connectionsPerFile ?? 16,
      adaptiveConnections: true,
      // What one file finds out about the link holds for the others: behind a per-connection cap they
      // open all their connections without finding it out again (about half a second each), and when
      // more connections turn out not to help, they all go back to one.
      linkCapped: () => ctx.gate.linkCapped,
      syncToDisk: ctx.syncToDisk === true,
      onCappedLink: () => ctx.gate.linkIsCapped(),
      onFastLink: () => ctx.gate.linkIsFast(),
      hashOnWorkerFromStart: () => ctx.gate.hashOnWorker,
      onHashingPlaceFound: (onWorker) => (ctx.gate.hashOnWorker = onWorker),
      // The next large file may start while this one is flushed and checked.
      onReceived: ctx.onReceived,
      signal,
      onProgress: (bytes) => ctx.meter.update(file.path, bytes),
      logger: ctx.log,
    });
    const { created } = await commitBlob({ root: ctx.cacheRoot, repoId: ctx.repoId, etag: file.etag, from: paths.incomplete(file.etag) });
    return { bytes: result.bytesDownloaded, created };
  } finally {
    await lock.release();
  }
}

/**
 * Runs `work` over `items` with at most `limit` at once. The first failure aborts the others and is
 * rethrown once all have stopped (a real error wins over the cancellations it caused).
 */
async function runPool<T>(items: T[], limit: number, controller: AbortController, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length && !controller.signal.aborted) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        if (firstError === undefined || (firstError instanceof TransferCancelledError && !(error instanceof TransferCancelledError))) firstError = error;
        controller.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (firstError !== undefined) throw firstError;
  if (controller.signal.aborted) throw controller.signal.reason;
}
