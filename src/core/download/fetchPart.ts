import { type Dispatcher } from 'undici';
import { HttpStatusError, serverMessageOf } from '../http/httpStatusError';
import { pauseSocketReading, READ_BUFFER_BYTES, releaseReceivedBytes } from '../http/reusedReadBuffers';
import { serverRetryDelayMs } from '../http/retryDelay';
import { type PartState } from './partPlan';
import { SizeMismatchError } from './transferErrors';

/**
 * Received bytes are copied into slabs, and a slab is written when full: few syscalls. Copying
 * (instead of holding on to undici's chunks until a batch is full) lets each socket read's buffer die
 * young: held chunks outlived several minor GCs, were promoted, and were then only freed by full GCs,
 * which with 16 connections had the process at 160+ MB. (A slab reaches the disk in several smaller
 * writes: see writeInPieces.)
 *
 * The size depends on how many parts are being fetched in the process. One connection (a fast link)
 * keeps at most three slabs (one filling, two being written): large ones halve the writes. Many
 * connections (a capped link, several files) keep one filling each: small ones halve the memory that
 * takes (16 x 256 KiB: 4 MiB), with the same speed (measured on the capped benchmark, 4-5 MB less peak
 * RSS; on the uncapped one, 256 KiB for a single connection was 5% slower).
 */
const SLAB_BYTES_ONE_CONNECTION = 512 * 1024;
const SLAB_BYTES_MANY_CONNECTIONS = 256 * 1024;
/**
 * Slabs in the process, over every connection and file: what bounds memory. A connection asks for
 * bytes only with a slab to put them in, and pauses its response before a read could arrive that has
 * none: so this is also how many connections receive at once, and must not be fewer than a capped
 * file's connections (12 made a 2 GB file behind a 25 MB/s cap 10-20% slower). 32 bought no speed on a
 * capped link once paused connections stopped holding socket reads, and cost 6-9 MB of peak RSS.
 */
const MAX_SLABS = 16;
/**
 * A partly filled slab is written after this long anyway: on a slow or stalled link, bytes then
 * reach the disk (and the sidecar and progress) instead of waiting in memory. Flushing whenever the
 * socket had nothing buffered instead meant one write per 64 KiB socket read on a fast link.
 */
const FLUSH_AFTER_MS = 100;
/**
 * Slab writes one connection may have in flight. With one, a write that took a little longer (a burst
 * of page faults) paused the socket every time; with two, the next slab is on its way while one is
 * written. More added a slab of memory each (+2 MB peak RSS with four) and no speed. They complete in
 * any order, but are committed (counted as done, hashed, reported) in file order.
 */
const MAX_WRITES_IN_FLIGHT = 2;

/** The process's slabs (module-wide, like the shared dispatcher), and the connections waiting for one. */
const slabs = { free: [] as Buffer[], allocated: 0, waiting: new Set<PartFetch>(), fetches: 0 };

/**
 * A slab of the size that suits how many parts are being fetched: a free one of that size, else a new
 * one, in place of a free one of the other size when the pool is full. So the pool follows what runs:
 * small slabs left from a moment with two connections do not serve a fast single connection for good,
 * nor large ones from a fast link the many connections of a capped one.
 */
function takeSlab(): Buffer | undefined {
  const size = slabs.fetches > 1 ? SLAB_BYTES_MANY_CONNECTIONS : SLAB_BYTES_ONE_CONNECTION;
  const suitable = slabs.free.findIndex((slab) => slab.length === size);
  if (suitable >= 0) return slabs.free.splice(suitable, 1)[0];
  if (slabs.allocated >= MAX_SLABS) {
    if (!slabs.free.length) return undefined;
    slabs.free.pop(); // replaced: its memory goes with the next GC
    slabs.allocated--;
  }
  slabs.allocated++;
  // A buffer of its own (not from Node's pool): a large file's slab memory moves to the worker that
  // writes and hashes it, and back (hashWorker.ts).
  return Buffer.allocUnsafeSlow(size);
}

/** A slab whose memory is lost (moved to a thread that died). */
function dropSlab(): void {
  slabs.allocated--;
}

function releaseSlab(slab: Buffer): void {
  slabs.free.push(slab);
  // Oldest waiter first; each takes at most one slab per pump.
  for (const fetch of slabs.waiting) {
    if (!slabs.free.length) break;
    slabs.waiting.delete(fetch);
    fetch.pump();
  }
}

/** The start of an error response kept for its message. */
const ERROR_BODY_LIMIT = 4096;

type Headers = Record<string, string | string[] | undefined>;

/** Everything one ranged GET needs. */
export interface FetchPartRequest {
  readonly dispatcher: Dispatcher;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The part to extend. Its `end` may shrink while we stream (work stealing): we stop there. */
  readonly part: PartState;
  readonly size: number;
  /** Send `Range` even from byte 0 (to learn whether the server honours it). */
  readonly wantRange: boolean;
  readonly stallTimeoutMs: number;
  /** The transfer's abort signal (cancel, or another part failed). */
  readonly signal: AbortSignal;
  /** Called once with the status before the body streams. */
  readonly onResponse: (status: number) => void;
  /**
   * Called with `true` when received bytes start to wait for this process (a write in flight, no free
   * slab) and with `false` when they stop; every `true` is followed by a `false` before the part settles.
   */
  readonly onLocalWait?: (waiting: boolean) => void;
  /**
   * Writes `chunk` at `position`; settles once no byte of `chunk` is in use any more. Failures here are
   * local (disk) failures. Several may run at once, for consecutive positions. A writer on another
   * thread may take `chunk`'s memory along (the slab is empty meanwhile) and hand it back as the
   * resolved value, or as the error's `memory`.
   */
  readonly write: (chunk: Buffer, position: number) => Promise<Buffer | void>;
  /** A written chunk, in file order: advances `part.done`. `chunk` is valid only during the call. */
  readonly commit: (chunk: Buffer, position: number) => void;
}

/** What happened, for the caller's retry policy. Non-retryable failures are thrown instead. */
export type FetchPartOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'ended-early' }
  | { readonly kind: 'range-ignored' }
  | { readonly kind: 'range-not-satisfiable'; readonly total?: number }
  | { readonly kind: 'expired'; readonly status: number }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'retry'; readonly error: unknown; readonly status?: number; readonly delayMs?: number };

/** A failure that must not be retried: a disk error, a size mismatch, a hard HTTP error. */
export class FatalPartError {
  constructor(readonly error: unknown) {}
}

export class StallError extends Error {
  override readonly name = 'StallError';
  constructor(readonly ms: number) {
    super(`no data for ${ms} ms`);
  }
}

/**
 * One GET for the rest of one part, streamed into the file with backpressure: bytes are copied into
 * slabs from a process-wide pool, one slab is written while the next fills, and the response is
 * paused when received bytes have no slab to go to, so memory stays bounded however many connections.
 * A stall timer (reset by every chunk, paused while the response is paused for the disk) aborts a
 * connection that went quiet.
 *
 * Uses undici's `dispatch` with a handler rather than `request()`: no body stream, no promise per
 * chunk; a 2 GB download is tens of thousands of socket reads.
 */
export function fetchPart(req: FetchPartRequest): Promise<FetchPartOutcome> {
  return new Promise((resolve, reject) => new PartFetch(req, resolve, reject).start());
}

class PartFetch implements Dispatcher.DispatchHandler {
  private readonly from: number;
  private readonly ranged: boolean;
  private readonly requestedEnd: number;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why we aborted (stall, cancel), or undefined. Applied as soon as undici hands us the controller. */
  private abortReason: unknown;
  private stallTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** File offset of the next write. */
  private position: number;
  /** The slab being filled, and how much of it is. */
  private slab: Buffer | undefined;
  private filled = 0;
  /** Received bytes not yet copied into a slab (no slab was free): the response is paused meanwhile. */
  private leftover: Buffer | undefined;
  /** The last chunk of our share has been received. */
  private complete = false;
  private flushDue = false;
  /** Wakes the final drain (see finish) when a released slab pumped us. */
  private onPumped: (() => void) | undefined;
  /** Bytes of the writes started and not yet committed, and how many those are. */
  private writingBytes = 0;
  private writesInFlight = 0;
  /** Settles when every write started so far is committed (or failed). */
  private committed: Promise<void> = Promise.resolve();
  private writeFailure: { error: unknown } | undefined;
  private status = 0;
  private errorHeaders: Headers = {};
  private errorBody: Buffer[] | undefined;
  private errorBodyLength = 0;
  /** The request's headers while it waits for a slab before it is sent (see start). */
  private request: Record<string, string> | undefined;
  /** Set once the outcome is decided: later events from undici are ignored. */
  private finishing = false;
  private waitingLocally = false;
  /** Counted in `slabs.fetches` (from start until it finishes). */
  private counted = false;

  constructor(
    private readonly req: FetchPartRequest,
    private readonly resolve: (outcome: FetchPartOutcome) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const { part } = req;
    this.from = part.start + part.done;
    this.position = this.from;
    const lastPart = part.end === req.size;
    this.ranged = req.wantRange || this.from > 0 || !lastPart;
    this.requestedEnd = lastPart ? req.size : part.end;
  }

  start(): void {
    const { req } = this;
    const lastPart = req.part.end === req.size;
    const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
    // The last part asks open-ended (`bytes=N-`), as the Hub's clients do; others ask for their range.
    if (this.ranged) headers.range = `bytes=${this.from}-${lastPart ? '' : req.part.end - 1}`;
    if (req.signal.aborted) return this.finish(() => this.cancelled());
    req.signal.addEventListener('abort', this.onAbort, { once: true });
    slabs.fetches++;
    this.counted = true;
    this.request = headers;
    // Bytes are asked for only once they have a slab to go to: else the first read of the response
    // would wait in memory (and pin its socket's read buffer) until a slab frees up.
    this.slab = takeSlab();
    if (this.slab) this.dispatch();
    else {
      slabs.waiting.add(this);
      this.waitLocally(true);
    }
  }

  private dispatch(): void {
    const { req } = this;
    const headers = this.request as Record<string, string>;
    this.request = undefined;
    this.waitLocally(false);
    this.armStall();
    try {
      const url = new URL(req.url);
      req.dispatcher.dispatch({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers }, this);
    } catch (error) {
      this.finish(() => ({ kind: 'retry', error }));
    }
  }

  private readonly onAbort = () => this.abort(this.req.signal.reason);

  private abort(reason: unknown): void {
    this.abortReason ??= reason;
    if (this.controller) this.controller.abort(reason instanceof Error ? reason : new Error(String(reason)));
    // Still queued in undici (no controller yet): settle now; onRequestStart aborts it when it comes up.
    else this.finish(() => this.failedOutcome(reason));
  }

  private armStall(): void {
    // Re-armed per received chunk (tens of thousands per GB): moving the one timer is cheaper than a new one.
    if (this.stallTimer) this.stallTimer.refresh();
    else this.stallTimer = setTimeout(() => this.abort(new StallError(this.req.stallTimeoutMs)), this.req.stallTimeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined || this.finishing) controller.abort(this.abortReason instanceof Error ? this.abortReason : new Error('request no longer needed'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    if (this.finishing) return;
    this.armStall();
    const { req } = this;
    this.status = statusCode;
    if (statusCode !== 200 && statusCode !== 206) {
      this.errorHeaders = headers;
      this.errorBody = [];
      return;
    }
    req.onResponse(statusCode);
    if (statusCode === 200 && this.ranged) {
      // A server (or a CDN that compressed) ignored Range: appending would corrupt the file.
      return this.decideAndAbort(() => ({ kind: 'range-ignored' }));
    }
    if (statusCode === 200) {
      const length = Number(headers['content-length']);
      if (headers['content-length'] !== undefined && length !== req.size) return this.decideAndAbort(() => fatal(new SizeMismatchError(req.url, req.size, length)));
    } else {
      const range = parseContentRange(String(headers['content-range'] ?? ''));
      if (range?.total !== undefined && range.total !== req.size) return this.decideAndAbort(() => fatal(new SizeMismatchError(req.url, req.size, range.total ?? 0)));
      if (!range || range.start !== this.from) {
        const error = new Error(`unexpected Content-Range "${String(headers['content-range'])}" for bytes=${this.from}-`);
        return this.decideAndAbort(() => ({ kind: 'retry', error, status: statusCode }));
      }
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, data: Buffer): void {
    if (this.finishing) return;
    this.armStall();
    if (this.errorBody) {
      this.errorBody.push(data);
      this.errorBodyLength += data.length;
      if (this.errorBodyLength >= ERROR_BODY_LIMIT) this.decideAndAbort(() => this.classifyError());
      return;
    }
    const { part } = this.req;
    let chunk = data;
    const at = this.position + this.writingBytes + this.filled;
    if (at + chunk.length > this.requestedEnd) {
      // More than the range (or the whole file) we asked for: the server's idea of the file differs.
      const { url, size } = this.req;
      return this.decideAndAbort(() => fatal(new SizeMismatchError(url, size, at + chunk.length)));
    }
    // Work stealing moved this part's end below what we asked for: keep only our share.
    if (at + chunk.length > part.end) chunk = chunk.subarray(0, Math.max(0, part.end - at));
    if (at + chunk.length >= part.end) this.complete = true;
    if (chunk.length) this.leftover = chunk;
    this.pump();
    // All of it copied into slabs (or past our share): the socket may read into its buffer again.
    if (!this.leftover) releaseReceivedBytes(data.length);
    // Our share is complete. A response that goes on past it (the part was split) is cut here; one
    // that ends exactly here is left to end, so its connection is kept alive for the next part.
    if (this.complete && part.end < this.requestedEnd) this.decideAndAbort(() => this.endOutcome());
  }

  onResponseEnd(): void {
    if (this.finishing) return;
    this.finish(() => (this.errorBody ? this.classifyError() : this.endOutcome()));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.finishing) return;
    // Bytes received before the connection broke are good: they are written, so the retry starts after them.
    this.finish(() => this.failedOutcome(error));
  }

  /**
   * Moves bytes along: copies what was received into a slab (taking one from the pool when needed),
   * starts writing the slab when it is full, complete or due, and pauses the response while received
   * bytes have nowhere to go. Called after every event; idempotent.
   */
  pump(): void {
    if (this.request) {
      // Not asked yet: waiting for a slab (see start).
      if (this.finishing) return;
      this.slab ??= takeSlab();
      if (!this.slab) return void slabs.waiting.add(this);
      return this.dispatch();
    }
    for (;;) {
      if (this.writeFailure) return;
      if (this.leftover) {
        this.slab ??= takeSlab();
        if (this.slab) {
          const n = Math.min(this.leftover.length, this.slab.length - this.filled);
          this.leftover.copy(this.slab, this.filled, 0, n);
          this.filled += n;
          this.leftover = n < this.leftover.length ? this.leftover.subarray(n) : undefined;
        } else {
          // No free slab: wait for one (a slab we fill is written within FLUSH_AFTER_MS, so one frees up).
          slabs.waiting.add(this);
        }
      }
      // No room for another whole socket read: written now, so that the next read has a slab to go to.
      const full = this.slab !== undefined && this.filled > this.slab.length - READ_BUFFER_BYTES;
      const last = this.complete && !this.leftover;
      if (this.writesInFlight < MAX_WRITES_IN_FLIGHT && this.filled > 0 && (full || last || this.flushDue || this.finishing)) {
        this.startWrite();
        continue;
      }
      break;
    }
    this.req.part.pending = this.writingBytes + this.filled + (this.leftover?.length ?? 0);
    if (this.filled > 0 && this.writesInFlight === 0) this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flushDue = true;
      this.pump();
    }, FLUSH_AFTER_MS);
    // Received bytes waiting for our own disk (this connection's previous write, or a free slab): the
    // network is not the limit while they do, whatever the rate says.
    const roomForNextRead = this.roomForNextRead();
    this.waitLocally(!roomForNextRead);
    if (roomForNextRead) this.resume();
    else this.pause();
    const pumped = this.onPumped;
    this.onPumped = undefined;
    pumped?.();
  }

  /**
   * Whether the next socket read can be taken whole. The response is paused *before* a read arrives
   * that would have nowhere to go, rather than after: received bytes then never wait in memory (the
   * kernel holds them), and the socket's read buffer is free for its next read. A slab is taken now
   * when one is free, so that another connection cannot take it in between.
   */
  private roomForNextRead(): boolean {
    if (this.leftover) return false;
    if (this.complete || this.finishing || this.writeFailure) return true;
    if (this.slab) return this.slab.length - this.filled >= READ_BUFFER_BYTES;
    this.slab = takeSlab();
    if (this.slab) return true;
    slabs.waiting.add(this);
    return false;
  }

  private startWrite(): void {
    const slab = this.slab as Buffer;
    const chunk = slab.subarray(0, this.filled);
    // Read now: `chunk` is empty while a writer on another thread holds its memory.
    const length = chunk.length;
    const position = this.position + this.writingBytes;
    this.slab = undefined;
    this.filled = 0;
    this.flushDue = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.writingBytes += length;
    this.writesInFlight++;
    const written = this.req.write(chunk, position).then(
      (back) => ({ memory: back || slab, failure: undefined }),
      (error: unknown) => ({ memory: (error as { memory?: Buffer } | undefined)?.memory ?? slab, failure: { error } }),
    );
    // Committed in order: after every earlier write, whatever order the disk finished them in.
    this.committed = this.committed.then(async () => {
      const outcome = await written;
      let failed = outcome.failure;
      this.writesInFlight--;
      this.writingBytes -= length;
      if (!failed && !this.writeFailure) {
        try {
          this.req.commit(outcome.memory.subarray(0, length), position);
          this.position += length;
        } catch (error) {
          failed = { error };
        }
      }
      // The slab is free once its write settled and its bytes were committed (hashing may read them).
      // Memory that went to a writer that died never comes back: the pool may allocate anew.
      if (outcome.memory.buffer.byteLength > 0) releaseSlab(outcome.memory);
      else dropSlab();
      if (failed && !this.writeFailure) this.failWrite(failed.error);
      else if (!this.writeFailure) this.pump();
    });
  }

  /** A write failed (a disk error): nothing more is taken in; received bytes not yet written are dropped. */
  private failWrite(error: unknown): void {
    this.writeFailure = { error };
    this.leftover = undefined;
    slabs.waiting.delete(this);
    if (this.slab) releaseSlab(this.slab);
    this.slab = undefined;
    this.filled = 0;
    this.decideAndAbort(() => {
      throw new FatalPartError(error);
    });
  }

  private waitLocally(waiting: boolean): void {
    if (waiting === this.waitingLocally) return;
    this.waitingLocally = waiting;
    this.req.onLocalWait?.(waiting);
  }

  private pause(): void {
    if (this.finishing || !this.controller || this.controller.paused) return;
    this.controller.pause();
    pauseSocketReading();
    // Waiting for our own disk (or for a slab) is not the server stalling.
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private resume(): void {
    if (this.finishing || !this.controller?.paused) return;
    this.armStall();
    this.controller.resume();
  }

  /** Settles once every received byte is written (or a write failed). */
  private finish(decide: () => FetchPartOutcome): void {
    if (this.finishing) return;
    this.finishing = true;
    if (this.counted) slabs.fetches--;
    clearTimeout(this.stallTimer);
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.req.signal.removeEventListener('abort', this.onAbort);
    // Everything received is good and gets written, however this ends.
    const drain = async () => {
      for (;;) {
        if (this.writesInFlight) await this.committed;
        else if (this.writeFailure) break;
        else if (!this.filled && !this.leftover) break;
        else {
          this.pump();
          // Still no slab to put the leftover in: the next release pumps us again.
          if (!this.writesInFlight) await new Promise<void>((resolve) => (this.onPumped = resolve));
        }
      }
    };
    void drain().then(() => {
      this.waitLocally(false);
      clearTimeout(this.flushTimer);
      slabs.waiting.delete(this);
      if (this.slab) releaseSlab(this.slab);
      this.slab = undefined;
      this.req.part.pending = 0;
      if (this.writeFailure) return this.reject(new FatalPartError(this.writeFailure.error));
      try {
        this.resolve(decide());
      } catch (error) {
        this.reject(error instanceof FatalPartError ? error : new FatalPartError(error));
      }
    });
  }

  /** Decides, then drops the connection (its remaining bytes are not wanted). */
  private decideAndAbort(decide: () => FetchPartOutcome): void {
    if (this.finishing) return;
    this.finish(decide);
    this.controller?.abort(new Error('response no longer needed'));
  }

  private endOutcome(): FetchPartOutcome {
    if (this.position >= this.req.part.end) return { kind: 'done' };
    // A clean end short of the size the Hub gave (X-Linked-Size, the tree). With a Content-Length (which
    // had to equal that size) or chunks, undici reports a short body as an error, so a clean end here is
    // a body delimited by the connection closing: a cut looks exactly like this. Taken as a cut, then:
    // the bytes are kept and the rest asked for with Range. A server whose file really is smaller says
    // so to that request (416 or Content-Range with its size), which ends in SizeMismatchError.
    return { kind: 'ended-early' };
  }

  private failedOutcome(error: unknown): FetchPartOutcome {
    if (this.req.signal.aborted) return this.cancelled();
    return { kind: 'retry', error: this.abortReason instanceof StallError ? this.abortReason : error };
  }

  private cancelled(): never {
    throw new FatalPartError(this.req.signal.reason);
  }

  private classifyError(): FetchPartOutcome {
    const text = Buffer.concat(this.errorBody ?? []).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
    return classifyStatus(this.req.url, this.status, this.errorHeaders, text);
  }
}

function fatal(error: unknown): never {
  throw new FatalPartError(error);
}

function classifyStatus(url: string, status: number, headers: Record<string, string | string[] | undefined>, text: string): FetchPartOutcome {
  const location = headers.location;
  if ([301, 302, 303, 307, 308].includes(status) && typeof location === 'string') {
    return { kind: 'redirect', location: new URL(location, url).toString() };
  }
  if (status === 416) {
    const total = /\/(\d+)\s*$/.exec(String(headers['content-range'] ?? ''));
    return { kind: 'range-not-satisfiable', total: total ? Number(total[1]) : undefined };
  }
  // Presigned CDN URLs expire (about an hour on the Hub): S3/CloudFront say 403, some CDNs 410 or 400.
  // A Hub 403 (gated repo) carries X-Error-Code and is final.
  const code = headers['x-error-code'];
  if ((status === 403 || status === 410 || status === 400) && code === undefined) {
    if (/expired|signature/i.test(text) || (status !== 400 && !text.trim())) return { kind: 'expired', status };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', status, delayMs: serverRetryDelayMs(headers), error: new HttpStatusError(status, url, serverMessageOf(headers, text)) };
  }
  throw new FatalPartError(new HttpStatusError(status, url, serverMessageOf(headers, text), typeof code === 'string' ? code : undefined));
}

function parseContentRange(value: string): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: match[3] === '*' ? undefined : Number(match[3]) };
}
