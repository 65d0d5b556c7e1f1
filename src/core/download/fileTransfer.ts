import { setMaxListeners } from 'node:events';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createContentHasher } from '../cache/contentHash';
import { HttpStatusError } from '../http/httpStatusError';
import { proxyErrorIn } from '../http/proxyError';
import { backoffDelayMs, MAX_SERVER_WAIT_MS } from '../http/retryDelay';
import { type Logger, silentLogger } from '../logging/logger';
import { abortableDelay } from './abortableDelay';
import { type FetchPartOutcome, FatalPartError, fetchPart } from './fetchPart';
import { FrontierHasher } from './frontierHasher';
import { stopHashWorkerWhenIdle, WorkerHasher } from './hashWorker';
import { LocalWaitClock } from './localWaitClock';
import { contiguousEnd, doneOf, type PartState, planParts, remainingOf, splitLargestPart, tileRemainder } from './partPlan';
import { ConnectionProbe } from './connectionProbe';
import { ProgressiveFlush } from './progressiveFlush';
import { writeInPieces } from './writeInPieces';
import { SidecarSaver } from './sidecarSaver';
import { DiskFullError, HashMismatchError, SizeMismatchError, TransferCancelledError, TransferFailedError } from './transferErrors';
import { type TransferOptions, type TransferResult } from './transferFile';
import { readSidecar, removeSidecar, sidecarMatches } from './transferSidecar';

const MiB = 1024 * 1024;
const MAX_REDIRECTS = 10;
/**
 * Files at least this large may be written and hashed by the shared worker thread (see hashWorker.ts
 * and resetHasher); smaller ones always on this thread, where starting or messaging a worker would
 * cost more than it saves.
 */
const WORKER_MIN_BYTES = 32 * MiB;
/**
 * A large file is hashed on this thread until this much has arrived; then, if it came faster than
 * `WORKER_BYTES_PER_S`, on the worker (which re-hashes those bytes from the page cache: kept small, so
 * that the worker catches up long before the file ends). Receiving and hashing together keep one core
 * busy at about 750 MB/s (receiving ~1.2 GB/s, SHA-256 ~2 GB/s on this class of machine): well below
 * that, this thread keeps up alone. More than the 25 MB a capped CDN-like server may let through at
 * full speed at the start of each request, so that such a burst does not pass for a fast link.
 */
const LINK_SPEED_SAMPLE_BYTES = 32 * MiB;
const WORKER_BYTES_PER_S = 400e6;
/**
 * Parts are planned no larger than this, and connections take them in file order. Hashing must see
 * the file in order, so what is written ahead of the contiguous prefix waits to be hashed: with one
 * big part per connection, most of the file would still be unhashed when the last byte arrives.
 * Small parts in order keep the prefix within about connections × this of the newest byte. Each
 * part is one more request on a kept-alive connection (one round trip).
 */
const MAX_PART_BYTES = 16 * MiB;
/**
 * A free connection takes half of the part with the most left, down to parts of this (when the caller's
 * `minPartBytes` is not smaller). At a file's end on a capped link, each part left crawls at the cap:
 * at 25 MB/s an 8 MiB floor leaves the last 16 MiB on one connection for over half a second, 2 MiB
 * spreads it over eight. Each steal costs one more request, on a link where requests are cheap.
 */
const STEAL_FLOOR_BYTES = 2 * MiB;
/**
 * With adaptive connections, a file stays on one connection while that connection alone delivers at
 * least this much: the link is not capped per connection, so more connections would only add CPU
 * (on a LAN or loopback, the CPU is the limit). Slower than this, every allowed connection opens
 * and is kept if it helps (see ConnectionProbe).
 */
const FAST_CONNECTION_BYTES_PER_S = 60e6;

/**
 * Connections over every file of the process. Behind a per-connection cap, four files of 16 made 64:
 * past what two cores can take in (32 × 25 MB/s is already more), each one more socket, parser and
 * pinned read buffer, and more than the slab pool serves, so connections stalled waiting for slabs.
 */
const MAX_CONNECTIONS_IN_PROCESS = 32;
let connectionsInProcess = 0;

/** Thrown by a part to make the whole file start again from byte 0. */
class RestartSignal {
  constructor(readonly reason: 'range-ignored' | 'range-not-satisfiable' | 'no-range-resume') {}
}

/** The state of one `transferFile` call. See `transferFile.ts` for the contract. */
export class FileTransfer {
  private readonly log: Logger;
  private readonly size: number;
  private readonly connections: number;
  private readonly threshold: number;
  private readonly minPartBytes: number;
  private readonly maxPartBytes: number;
  private readonly maxRetries: number;
  private readonly originOfUrl: string;

  private handle!: FileHandle;
  private flush!: ProgressiveFlush;
  private parts: PartState[] = [];
  private hasher!: FrontierHasher | WorkerHasher;
  /** While a large file is hashed here: how fast the link is (see checkLinkSpeed). */
  private speedCheck: { from: number | undefined; bytes: number } | undefined;
  /** A hasher being let go (see moveHashingHere, checkLinkSpeed); settled before the file is closed. */
  private retiredHasher: Promise<void> | undefined;
  private saver!: SidecarSaver;
  private controller = new AbortController();
  private fill: () => void = () => undefined;

  private url: string;
  private urlGeneration = 0;
  private refreshing: Promise<void> | undefined;
  /** Learnt from the first 206: until then only one connection runs. */
  private rangeConfirmed = false;
  /** Learnt from a 200 to a Range request: from then on, one stream and no Range at all. */
  private rangeUnsupported = false;

  /** Connections allowed right now (adaptive mode starts at 1). */
  private allowed: number;
  /** Adaptive, but opened every connection at once: another file had found the link capped. */
  private readonly startedWide: boolean;
  private active = 0;
  private probe: ConnectionProbe | undefined;
  /** When this file's connections waited for our own disk: the probe ignores such times. */
  private readonly localWait = new LocalWaitClock();

  private bytesDownloaded = 0;
  private resumedFromBytes = 0;
  private connectionsUsed = 0;
  private restarts = 0;

  constructor(private readonly options: TransferOptions) {
    this.log = options.logger ?? silentLogger;
    this.size = options.expectedSize;
    this.connections = Math.max(1, options.connections ?? 8);
    this.startedWide = options.adaptiveConnections === true && options.linkCapped?.() === true;
    this.allowed = options.adaptiveConnections && !this.startedWide ? 1 : this.connections;
    this.threshold = options.partThresholdBytes ?? 64 * MiB;
    this.minPartBytes = Math.max(1, options.minPartBytes ?? 8 * MiB);
    this.maxPartBytes = Math.max(this.minPartBytes, options.maxPartBytes ?? MAX_PART_BYTES);
    this.maxRetries = options.maxRetries ?? 5;
    this.url = options.url;
    this.originOfUrl = new URL(options.url).origin;
    if (!Number.isSafeInteger(this.size) || this.size < 0) throw new RangeError(`expectedSize must be a non-negative integer, got ${this.size}`);
  }

  async run(): Promise<TransferResult> {
    const { signal } = this.options;
    if (signal?.aborted) throw new TransferCancelledError(this.options.url, 0);
    await fs.mkdir(path.dirname(this.options.partialPath), { recursive: true });
    // Not 'a': appends would ignore our positions. O_CREAT without O_TRUNC keeps what is there.
    this.handle = await fs.open(this.options.partialPath, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
    this.flush = new ProgressiveFlush(this.handle, this.options.syncToDisk === true);
    const onAbort = () => this.controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let discard = false;
    try {
      await this.loadState();
      this.saver = new SidecarSaver(this.options.sidecarPath, { url: this.url, size: this.size, hash: this.options.expectedHash, parts: () => this.parts });
      // Saved before any request, so a file with holes never exists without its sidecar.
      if (this.size > 0) await this.saver.flush();
      this.resetHasher();
      this.options.onProgress?.(this.resumedFromBytes);

      for (;;) {
        const outcome = await this.runRound();
        if (outcome === 'complete') break;
        await this.restartFromZero(outcome.reason);
      }
      this.options.onReceived?.();

      await this.flush.settled();
      if (this.options.syncToDisk) await this.handle.datasync();
      const onDisk = (await this.handle.stat()).size;
      if (onDisk !== this.size) throw new SizeMismatchError(this.url, this.size, onDisk);
      await this.retiredHasher;
      const actual = await this.hasher.digest(this.size);
      const { expectedHash } = this.options;
      if (actual !== expectedHash.hex.toLowerCase()) {
        discard = true;
        throw new HashMismatchError(this.url, expectedHash.algorithm, expectedHash.hex, actual);
      }
      await this.saver.stop();
      await removeSidecar(this.options.sidecarPath);
      this.log.info(`[download] done ${path.basename(this.options.partialPath)}: ${this.bytesDownloaded} bytes this run, ${this.resumedFromBytes} resumed, ${this.connectionsUsed} connections`);
      return { bytesDownloaded: this.bytesDownloaded, resumedFromBytes: this.resumedFromBytes, connectionsUsed: this.connectionsUsed, restarts: this.restarts };
    } catch (error) {
      throw await this.settleAfterFailure(error, discard);
    } finally {
      this.probe?.stop();
      signal?.removeEventListener('abort', onAbort);
      await this.flush?.settled();
      await this.retiredHasher;
      await this.handle.close().catch(() => undefined);
      if (discard) {
        // The partial first: a holey partial must never outlive its sidecar.
        await fs.rm(this.options.partialPath, { force: true });
        await removeSidecar(this.options.sidecarPath);
      }
    }
  }

  /** Leaves partial + sidecar consistent and maps the failure to the error the caller sees. */
  private async settleAfterFailure(error: unknown, discard: boolean): Promise<unknown> {
    this.controller.abort(error);
    await this.hasher?.settle();
    if (discard) {
      // A save it had scheduled would bring the sidecar of the discarded partial back after its removal.
      await this.saver?.stop();
      return error;
    }
    if (!this.saver) return error;
    const diskFull = (error as NodeJS.ErrnoException)?.code === 'ENOSPC';
    if (diskFull) {
      // The failed write may have half-landed past the last recorded byte. Dropping everything past
      // the highest recorded byte frees those blocks, usually enough for the small sidecar below.
      const recordedEnd = Math.max(0, ...this.parts.map((part) => part.start + part.done));
      const length = (await this.handle.stat().catch(() => undefined))?.size ?? 0;
      if (length > recordedEnd) await this.handle.truncate(recordedEnd).catch(() => undefined);
    }
    // Record the last completed writes, so the next run loses nothing. May fail on a full disk:
    // then the older sidecar stays, which understates and is therefore still correct.
    await this.saver.flush().catch(() => undefined);
    await this.saver.stop();
    const done = doneOf(this.parts);
    if (this.options.signal?.aborted) return new TransferCancelledError(this.options.url, done);
    if (diskFull) return new DiskFullError(this.options.partialPath, done, this.size);
    return error;
  }

  /** Works out what is already on disk. */
  private async loadState(): Promise<void> {
    const length = (await this.handle.stat()).size;
    const sidecar = await readSidecar(this.options.sidecarPath);
    const name = path.basename(this.options.partialPath);
    if (sidecar && sidecar !== 'invalid' && sidecarMatches(sidecar, this.size, this.options.expectedHash)) {
      // Trust the sidecar only as far as the file really reaches (it may have been truncated since).
      this.parts = sidecar.parts.map((part) => ({ start: part.start, end: part.end, done: Math.min(part.done, Math.max(0, length - part.start)) }));
      if (length > this.size) await this.handle.truncate(this.size);
    } else if (sidecar === undefined && length > 0 && length <= this.size) {
      // A partial without sidecar (killed before the first save, or Python's `.incomplete`): a
      // single stream wrote it front to back, so its length is what is done. The hash check at the
      // end catches anything else.
      this.parts = [{ start: 0, end: this.size, done: length }];
    } else {
      if (length > 0) {
        this.log.warn(`[download] ${name}: discarding a partial file of ${length} bytes (${sidecar === undefined ? 'larger than the file' : 'its sidecar does not match'})`);
        await this.handle.truncate(0);
        this.restarts++;
      }
      this.parts = this.freshPlan();
    }
    this.resumedFromBytes = doneOf(this.parts);
    if (this.resumedFromBytes > 0) this.log.info(`[download] ${name}: resuming at ${this.resumedFromBytes} of ${this.size} bytes`);
  }

  private freshPlan(): PartState[] {
    if (this.rangeUnsupported) return [{ start: 0, end: this.size, done: 0 }];
    // Adaptive: one open-ended part while one connection is enough (no request per part: on a fast
    // link each one costs a round trip and more); it is tiled when more connections open.
    const connections = this.allowed < this.connections ? 1 : this.connections;
    return planParts({ size: this.size, connections, partThresholdBytes: this.threshold, minPartBytes: this.minPartBytes, maxPartBytes: this.maxPartBytes });
  }

  /**
   * Where a file is hashed. Small files: here. Large ones: here too at first, and on the worker once
   * the link proves fast (see checkLinkSpeed), or from the start when there is a large prefix on disk
   * to re-hash (resume). A link known to be capped per connection keeps hashing here (moveHashingHere).
   */
  private resetHasher(): void {
    const minBytes = this.options.workerMinBytes ?? WORKER_MIN_BYTES;
    const mayUseWorker = this.size >= minBytes && !this.linkKnownCapped();
    const onDisk = doneOf(this.parts);
    const workerNow =
      mayUseWorker && (this.options.workerBytesPerSecond === 0 || (onDisk > 0 && onDisk >= minBytes) || this.options.hashOnWorkerFromStart?.() === true);
    this.hasher = workerNow ? this.hasherOnWorker() : this.hasherOnThisThread();
    if (workerNow) this.log.debug(`[download] ${path.basename(this.options.partialPath)}: hashing on the worker from the start`);
    // Measured also when on the worker already: the caller's next files learn whether that still holds.
    this.speedCheck = mayUseWorker && this.options.workerBytesPerSecond !== 0 ? { from: undefined, bytes: 0 } : undefined;
    // Re-hash what an earlier run left on disk, while the network fetches the rest.
    this.hasher.poke();
  }

  /** Lets go of the hasher that was in use (its writes in flight finish first); awaited before the file closes. */
  private retire(previous: FrontierHasher | WorkerHasher, then?: () => void): void {
    this.retiredHasher = Promise.all([this.retiredHasher, previous.settle()]).then(() => then?.());
  }

  private hasherOnWorker(): WorkerHasher {
    return new WorkerHasher(this.options.partialPath, this.options.expectedHash.algorithm, this.size, this.writtenEnd);
  }

  /**
   * Called per commit while a large file is hashed here: once `LINK_SPEED_SAMPLE_BYTES` have arrived,
   * a link faster than `WORKER_BYTES_PER_S` moves hashing to the worker (receiving alone then takes
   * most of this thread). Slower links keep it here: hashing them costs this thread little, and the
   * worker would cost ~13 MB of RSS.
   */
  private checkLinkSpeed(bytes: number): void {
    const check = this.speedCheck;
    if (!check) return;
    const now = performance.now();
    // Timed from the first commit, so the first request's round trip does not count.
    if (check.from === undefined) return void (check.from = now);
    check.bytes += bytes;
    if (check.bytes < (this.options.linkSpeedSampleBytes ?? LINK_SPEED_SAMPLE_BYTES)) return;
    this.speedCheck = undefined;
    const bytesPerSecond = check.bytes / Math.max(1e-3, (now - check.from) / 1000);
    const fast = bytesPerSecond >= (this.options.workerBytesPerSecond ?? WORKER_BYTES_PER_S) && !this.linkKnownCapped();
    this.options.onHashingPlaceFound?.(fast);
    if (!fast) return;
    const previous = this.hasher;
    if (!(previous instanceof FrontierHasher)) return;
    this.log.debug(`[download] ${path.basename(this.options.partialPath)}: ${Math.round(bytesPerSecond / 1e6)} MB/s; hashing on the worker`);
    // The worker starts at byte 0 and reads back what was hashed here (recent writes, in the page cache).
    this.hasher = this.hasherOnWorker();
    this.hasher.poke();
    this.retire(previous);
  }

  private readonly writtenEnd = (from: number) => contiguousEnd(this.parts, from);

  private hasherOnThisThread(): FrontierHasher {
    return new FrontierHasher(createContentHasher(this.options.expectedHash.algorithm, this.size), this.handle, this.writtenEnd);
  }

  private linkKnownCapped(): boolean {
    return this.options.adaptiveConnections === true && this.options.linkCapped?.() === true;
  }

  /**
   * The link turned out capped per connection (the probe opened more, or another file found it so):
   * hashing moves from the worker to this thread. The worker is there for a fast single connection,
   * where receiving takes a core and hashing another; many capped connections deliver far less than
   * this thread hashes, and each one costs memory, so the worker's ~13 MB of RSS is better given back.
   * The new hasher starts at byte 0 and reads back what the worker had hashed (recent writes, still in
   * the page cache); writes still on the worker finish there and are committed here as usual.
   */
  private moveHashingHere(): void {
    this.speedCheck = undefined;
    const previous = this.hasher;
    if (!(previous instanceof WorkerHasher)) return;
    this.log.debug(`[download] ${path.basename(this.options.partialPath)}: link capped per connection; hashing on the main thread`);
    this.hasher = this.hasherOnThisThread();
    this.hasher.poke();
    this.retire(previous, stopHashWorkerWhenIdle);
  }

  private async restartFromZero(reason: RestartSignal['reason']): Promise<void> {
    this.restarts++;
    if (this.restarts > Math.max(this.maxRetries, 1)) {
      throw new TransferFailedError(this.url, this.restarts, new Error(`had to restart from byte 0 ${this.restarts} times (${reason})`));
    }
    this.log.warn(`[download] ${path.basename(this.options.partialPath)}: restarting from byte 0 (${reason})`);
    if (reason === 'range-ignored') {
      this.rangeUnsupported = true;
      this.rangeConfirmed = false;
    }
    await this.hasher.settle();
    this.parts = this.freshPlan();
    // Sidecar first: until the truncate, it understates what the file holds, which is safe.
    await this.saver.flush();
    await this.handle.truncate(0);
    this.resetHasher();
    this.options.onProgress?.(0);
  }

  /**
   * Runs connections until every part is done, a part demands a restart from 0, or a failure.
   * Only one connection runs until a 206 proves the server honours Range; then up to `connections`,
   * and free connections steal half of the largest remaining part.
   */
  private runRound(): Promise<'complete' | RestartSignal> {
    const { signal } = this.controller;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const started = new Set<PartState>();
      let active = 0;
      let restart: RestartSignal | undefined;
      let failure: { error: unknown } | undefined;
      const roundController = new AbortController();
      // One listener per connection (up to 16 and more): not the leak Node warns about past 10.
      setMaxListeners(0, roundController.signal);
      const onAbort = () => roundController.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });

      const settle = () => {
        if (active > 0) return;
        const unfinished = this.parts.some((part) => remainingOf(part) > 0);
        if (!failure && !restart && unfinished && !roundController.signal.aborted) return fill();
        signal.removeEventListener('abort', onAbort);
        this.fill = () => undefined;
        if (failure) reject(failure.error);
        else if (restart) resolve(restart);
        else if (unfinished) reject(roundController.signal.reason);
        else resolve('complete');
      };
      const launch = (part: PartState) => {
        started.add(part);
        active++;
        connectionsInProcess++;
        this.active = active;
        this.connectionsUsed = Math.max(this.connectionsUsed, active);
        this.runPart(part, roundController.signal).then(
          () => {
            active--;
            connectionsInProcess--;
            this.active = active;
            // A connection is free: give it the next part, or half of the slowest one.
            fill();
            settle();
          },
          (error: unknown) => {
            active--;
            connectionsInProcess--;
            this.active = active;
            if (error instanceof RestartSignal) restart ??= error;
            else failure ??= { error };
            roundController.abort(error);
            settle();
          },
        );
      };
      const fill = () => {
        if (failure || restart || roundController.signal.aborted) return;
        // Another file found that more connections do not help on this link: no new ones beyond the first.
        if (this.options.adaptiveConnections && this.allowed > 1 && this.options.linkCapped?.() === false) this.allowed = 1;
        if (this.linkKnownCapped()) this.moveHashingHere();
        const limit = this.rangeConfirmed && !this.rangeUnsupported ? this.allowed : 1;
        // Every file keeps at least one connection; beyond that, files share the process's budget.
        while (active < limit && (active === 0 || connectionsInProcess < MAX_CONNECTIONS_IN_PROCESS)) {
          const next =
            this.parts.find((part) => remainingOf(part) > 0 && !started.has(part)) ??
            (this.rangeConfirmed && !this.rangeUnsupported ? splitLargestPart(this.parts, Math.min(this.minPartBytes, STEAL_FLOOR_BYTES)) : undefined);
          if (!next) break;
          launch(next);
        }
      };
      this.fill = fill;
      fill();
      settle();
    });
  }

  /** Fetches one part to its end, retrying; throws a RestartSignal or a final error. */
  private async runPart(part: PartState, signal: AbortSignal): Promise<void> {
    let failures = 0;
    let redirects = 0;
    while (remainingOf(part) > 0) {
      if (signal.aborted) throw signal.reason;
      const generation = this.urlGeneration;
      const url = this.url;
      const before = part.done;
      let outcome: FetchPartOutcome;
      try {
        outcome = await fetchPart({
          dispatcher: this.options.dispatcher,
          url,
          headers: this.headersFor(url),
          part,
          size: this.size,
          wantRange: this.size > this.threshold && !this.rangeUnsupported,
          stallTimeoutMs: this.options.stallTimeoutMs ?? 10_000,
          signal,
          onResponse: (status) => this.onResponse(status),
          onLocalWait: (waiting) => this.localWait.onWait(waiting),
          write: (chunk, position) => (this.hasher instanceof WorkerHasher ? this.hasher.write(chunk, position) : writeInPieces(this.handle, chunk, position)),
          commit: (chunk, position) => this.commit(part, chunk, position),
        });
      } catch (error) {
        throw error instanceof FatalPartError ? error.error : error;
      }
      if (part.done > before) failures = 0;
      switch (outcome.kind) {
        case 'done':
          continue;
        case 'redirect':
          if (++redirects > MAX_REDIRECTS) throw new HttpStatusError(310, url, `more than ${MAX_REDIRECTS} redirects`);
          if (generation === this.urlGeneration) this.url = outcome.location;
          continue;
        case 'range-ignored':
          throw new RestartSignal('range-ignored');
        case 'range-not-satisfiable':
          if (outcome.total !== undefined && outcome.total !== this.size) throw new SizeMismatchError(url, this.size, outcome.total);
          if (part.start + part.done === 0) throw new HttpStatusError(416, url, 'the server cannot serve this file from its first byte');
          throw new RestartSignal('range-not-satisfiable');
        case 'expired':
          failures++;
          this.giveUpAfter(failures, new HttpStatusError(outcome.status, url, 'the download link expired'), outcome.status);
          this.log.info(`[download] link expired (HTTP ${outcome.status}); getting a fresh one`);
          await this.refreshUrl(generation, outcome.status);
          continue;
        case 'ended-early':
        case 'retry': {
          const error = outcome.kind === 'retry' ? outcome.error : new Error('the connection closed before the part ended');
          const status = outcome.kind === 'retry' ? outcome.status : undefined;
          // A proxy that wants credentials or refuses the host answers the same on every retry.
          const proxy = proxyErrorIn(error);
          if (proxy?.status === 407 || proxy?.status === 403) throw new TransferFailedError(this.url, 1, proxy, proxy.status);
          // Without Range support, the bytes after a cut can only come from a new stream from 0.
          if (this.rangeUnsupported && part.done > 0) throw new RestartSignal('no-range-resume');
          if (part.done === before) failures++;
          this.giveUpAfter(failures, error, status);
          const serverDelay = outcome.kind === 'retry' ? outcome.delayMs : undefined;
          const reason = error instanceof Error ? error.message : String(error);
          if (serverDelay !== undefined && serverDelay > (this.options.maxServerWaitMs ?? MAX_SERVER_WAIT_MS)) {
            // Down for now: sitting silent for minutes (or the day a Retry-After may ask for) helps nobody.
            this.log.debug(`[download] part ${part.start}: ${reason}; the server asks to wait ${Math.round(serverDelay)} ms, longer than we wait: giving up`);
            throw new TransferFailedError(this.url, failures, error, status, serverDelay);
          }
          const delay = serverDelay ?? (failures > 0 ? backoffDelayMs({ attempt: failures, baseMs: this.options.retryBaseDelayMs }) : 0);
          this.log.debug(`[download] part ${part.start}: ${reason}; waiting ${Math.round(delay)} ms${serverDelay !== undefined ? ' (as the server asked)' : ''} before retry ${failures}/${this.maxRetries}`);
          if (delay > 0) await abortableDelay(delay, signal);
          continue;
        }
      }
    }
  }

  private giveUpAfter(failures: number, error: unknown, status: number | undefined): void {
    if (failures <= this.maxRetries) return;
    // A final HTTP error reads better as itself than wrapped.
    if (error instanceof HttpStatusError && status !== undefined && status < 500 && status !== 408 && status !== 429) throw error;
    throw new TransferFailedError(this.url, failures, error, status);
  }

  private onResponse(status: number): void {
    if (status === 206 && !this.rangeConfirmed && !this.rangeUnsupported) {
      this.rangeConfirmed = true;
      // Watched also when no more connections may open: the caller still wants to know the link is capped.
      // Not when this file opened them all because another had found the link capped: slow connections
      // then say nothing new (on a slow link they would keep saying "capped" after it was found not to be).
      if (this.allowed < this.connections || (this.options.onCappedLink && !this.startedWide)) this.startProbe();
      // Defer: the caller is inside fetchPart; let it start streaming first.
      queueMicrotask(() => this.fill());
    }
  }

  /** Adaptive connections (see ConnectionProbe), watched from the first 206 on. */
  private startProbe(): void {
    this.probe ??= new ConnectionProbe({
      bytesSoFar: () => this.bytesDownloaded,
      activeConnections: () => this.active,
      fastBytesPerSecond: this.options.fastConnectionBytesPerSecond ?? FAST_CONNECTION_BYTES_PER_S,
      localBackpressure: () => this.localWait.waitedMostlySinceLastLook(),
      canOpenMore: this.allowed < this.connections,
      openMore: () => {
        this.moveHashingHere();
        this.allowed = this.connections;
        if (!this.rangeUnsupported) tileRemainder(this.parts, this.maxPartBytes);
        this.fill();
      },
      backToOne: () => {
        this.allowed = 1;
      },
      onVerdict: (capped) => (capped ? this.options.onCappedLink?.() : this.options.onFastLink?.()),
      linkKnownCapped: this.options.linkCapped,
      log: (message) => this.log.debug(`[download] ${path.basename(this.options.partialPath)}: ${message}`),
    });
    this.probe.start();
  }

  /** One new URL for all parts, however many of them saw the old one expire. */
  private async refreshUrl(seenGeneration: number, status: number): Promise<void> {
    if (this.urlGeneration !== seenGeneration) return;
    this.refreshing ??= (async () => {
      if (this.options.resolveUrl) this.url = await this.options.resolveUrl();
      else if (this.url !== this.options.url) this.url = this.options.url;
      else throw new HttpStatusError(status, this.url, 'the download link expired and no way to renew it was given');
      this.urlGeneration++;
      this.saver.url = this.url;
    })().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  /** Authorization goes to the host the caller named, never to a CDN it redirects to. */
  private headersFor(url: string): Record<string, string> {
    const headers = { ...this.options.headers };
    if (new URL(url).origin !== this.originOfUrl) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    return headers;
  }

  /** Bytes of `part` are on disk (reported in file order): they count, get hashed and saved. */
  private commit(part: PartState, chunk: Buffer, position: number): void {
    if (position !== part.start + part.done) throw new Error(`internal: write at ${position}, part expects ${part.start + part.done}`);
    part.done += chunk.length;
    this.bytesDownloaded += chunk.length;
    this.hasher.offer(position, chunk);
    this.checkLinkSpeed(chunk.length);
    this.options.onProgress?.(doneOf(this.parts));
    this.saver.schedule();
    this.flush.wrote(chunk.length);
  }
}
