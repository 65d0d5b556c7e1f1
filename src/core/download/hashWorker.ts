import { Worker } from 'node:worker_threads';
import { type HashAlgorithm } from '../cache/contentHash';
import { PIECE_SIZE_CHOOSER_SOURCE } from './pieceSizeChooser';

/**
 * SHA-256 of a multi-gigabyte file costs about as much CPU as receiving and writing it (Node hashes
 * about 2 GB/s on one core). Done on the main thread, it caps a loopback or LAN download at well
 * under the link speed. So large files are written and hashed by one shared worker thread instead:
 * the main thread receives into slabs of shared memory and hands each full slab over; the worker
 * writes it to the partial file and, when the slab sits at the hash frontier (always, for a file on
 * one connection), hashes it from the same memory: one pass, and the receiving thread does nothing
 * else. On two cores, receiving on one and writing + hashing on the other keeps both busy.
 *
 * Bytes that land ahead of the frontier (parts on other connections) or were on disk before (resume)
 * are read back from the file once the frontier reaches them: recent writes, still in the page cache.
 *
 * The worker's code is a string evaluated by `new Worker(code, { eval: true })`: the extension and
 * the CLI are single-file bundles, so there is no separate worker file to point at. It is plain
 * CommonJS with no imports of ours, which is what an eval'd worker gets.
 *
 * One worker serves every file in the process (one more V8 isolate costs several MB of RSS), taking
 * files' writes in the order they come and interleaving their read-backs a read at a time. Messages:
 * main → worker `open`, `write` (a slab: shared buffer, offset, length, file position), `end` (bytes
 * written contiguously from 0 reach here), `digest` (reply once `size` bytes are hashed), `close`;
 * worker → main `written` (per write, maybe with an error), `digest`, `error`, `closed`, each with
 * the job's id.
 */
const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
// Read-back size: big enough that a read costs little next to its hash (a syscall per 256 KiB hashed
// in ~120 us), small because it stays resident once used: 1 MiB put 0.8 MB on a fast download's peak RSS.
const CHUNK = 256 * 1024;
${PIECE_SIZE_CHOOSER_SOURCE}
// Slabs are written in pieces of one of these sizes, whichever costs less here (see pieceSizeChooser.ts);
// the largest is a whole slab in one write (slabs are at most 512 KiB; for a 256 KiB slab it writes just
// what 256 KiB pieces would, and its timings say so).
const pieces = new PieceSizeChooser({ sizes: [64 * 1024, 256 * 1024, 512 * 1024] });
const buffer = Buffer.allocUnsafe(CHUNK);
const jobs = new Map();
let scheduled = false;

function fail(job, error) {
  job.failed = true;
  parentPort.postMessage({ id: job.id, type: 'error', message: String(error && error.message || error), code: error && error.code });
}

function step() {
  scheduled = false;
  let more = false;
  // One read per job per turn, so files hashed together advance together and messages get through.
  for (const job of jobs.values()) {
    if (job.failed || job.position >= job.end) continue;
    try {
      const length = Math.min(CHUNK, job.end - job.position);
      const read = fs.readSync(job.fd, buffer, 0, length, job.position);
      if (read <= 0) throw new Error('file shorter than its written parts at ' + job.position);
      job.hash.update(buffer.subarray(0, read));
      job.position += read;
    } catch (error) {
      fail(job, error);
      continue;
    }
    if (job.position < job.end) more = true;
    else maybeDigest(job);
  }
  if (more) schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  setImmediate(step);
}

function write(job, m) {
  // A slab's memory was moved here (transferred) and goes back with the reply; anything else is a copy.
  const bytes = m.bytes || new Uint8Array(m.buffer, m.offset, m.length);
  const reply = (extra) => m.buffer
    ? parentPort.postMessage({ id: job.id, type: 'written', write: m.write, buffer: m.buffer, ...extra }, [m.buffer])
    : parentPort.postMessage({ id: job.id, type: 'written', write: m.write, ...extra });
  try {
    if (job.fd < 0) throw new Error('the partial file is not open');
    const piece = pieces.next();
    const started = performance.now();
    for (let done = 0; done < m.length; ) done += fs.writeSync(job.fd, bytes, done, Math.min(piece, m.length - done), m.position + done);
    pieces.record(piece, m.length, performance.now() - started);
  } catch (error) {
    reply({ message: String(error && error.message || error), code: error && error.code });
    return;
  }
  // At the frontier: hash from memory. Anything else is read back once the frontier gets there.
  if (!job.failed && m.position === job.position) {
    job.hash.update(bytes);
    job.position += m.length;
    maybeDigest(job);
  }
  reply({});
}

function maybeDigest(job) {
  if (job.want === undefined || job.failed || job.position < job.want) return;
  if (job.position !== job.want) return fail(job, new Error('hashed ' + job.position + ' of ' + job.want + ' bytes'));
  parentPort.postMessage({ id: job.id, type: 'digest', hex: job.hash.digest('hex') });
  job.want = undefined;
  job.failed = true; // a digest ends the hash: nothing more may be added
}

parentPort.on('message', (m) => {
  let job = jobs.get(m.id);
  if (m.type === 'open') {
    job = { id: m.id, position: 0, end: 0, want: undefined, failed: false, fd: -1 };
    jobs.set(m.id, job);
    try {
      job.fd = fs.openSync(m.path, 'r+');
      job.hash = createHash(m.algorithm === 'sha256' ? 'sha256' : 'sha1');
      if (m.algorithm !== 'sha256') job.hash.update('blob ' + m.size + '\0');
    } catch (error) {
      fail(job, error);
    }
  } else if (!job) {
    if (m.type === 'close') parentPort.postMessage({ id: m.id, type: 'closed' });
    if (m.type === 'write') parentPort.postMessage({ id: m.id, type: 'written', write: m.write, buffer: m.buffer, message: 'the partial file is closed' }, m.buffer ? [m.buffer] : []);
  } else if (m.type === 'write') {
    write(job, m);
  } else if (m.type === 'end') {
    if (m.end > job.end) job.end = m.end;
    schedule();
  } else if (m.type === 'digest') {
    job.want = m.size;
    if (m.size > job.end) job.end = m.size;
    maybeDigest(job);
    schedule();
  } else if (m.type === 'close') {
    jobs.delete(m.id);
    if (job.fd >= 0) try { fs.closeSync(job.fd); } catch {}
    parentPort.postMessage({ id: m.id, type: 'closed' });
  }
});
`;

interface JobCallbacks {
  onDigest(hex: string): void;
  /** A write settled (`memory`: the chunk's memory, moved back); `error` is the disk's (ENOSPC …). */
  onWritten(write: number, memory: ArrayBuffer | undefined, error?: Error): void;
  onError(error: Error): void;
  onClosed(): void;
}

type WorkerReply = { id: number; type: 'digest' | 'error' | 'closed' | 'written'; hex?: string; write?: number; buffer?: ArrayBuffer; message?: string; code?: string };

/**
 * A slab's memory is moved to the worker and back (transferred, not copied) when it is a buffer of its
 * own: the receiving thread then copies each byte once, into the slab. (Shared memory would avoid the
 * move, but V8 copies into a SharedArrayBuffer with relaxed atomics, byte-safe and several times slower
 * than memcpy: that copy alone cost more than the write it saved.) Node's small pooled Buffers share one
 * ArrayBuffer and cannot be moved: those are copied.
 */
function movable(chunk: Uint8Array): boolean {
  return !(chunk.buffer instanceof SharedArrayBuffer) && chunk.buffer.byteLength >= 64 * 1024 && chunk.byteOffset === 0;
}

function replyError(m: WorkerReply): Error {
  return Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
}

/** The process-wide hashing worker, started on first use; referenced only while files use it. */
class HashWorkerHost {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly jobs = new Map<number, JobCallbacks>();
  private stopping = false;

  open(path: string, algorithm: HashAlgorithm, size: number, callbacks: JobCallbacks): number {
    const worker = this.ensure();
    // A file that chose the worker: the link is not (or no longer) one where hashing moved off it.
    this.stopping = false;
    const id = this.nextId++;
    this.jobs.set(id, callbacks);
    // Referenced while a file is being hashed: a pending digest must keep the process alive.
    if (this.jobs.size === 1) worker.ref();
    worker.postMessage({ type: 'open', id, path, algorithm, size });
    return id;
  }

  post(message: { type: 'end' | 'digest' | 'close'; id: number; end?: number; size?: number }): void {
    this.worker?.postMessage(message);
  }

  /** Hands `chunk` to the worker to write at `position` (false: the worker is gone). */
  postWrite(id: number, write: number, chunk: Uint8Array, position: number): boolean {
    if (!this.worker) return false;
    const base = { type: 'write', id, write, position, length: chunk.length };
    if (movable(chunk)) {
      try {
        this.worker.postMessage({ ...base, buffer: chunk.buffer, offset: chunk.byteOffset }, [chunk.buffer as ArrayBuffer]);
        return true;
      } catch {
        // Not transferable in this runtime (an embedder may pin Node's buffers): copy it instead.
      }
    }
    this.worker.postMessage({ ...base, bytes: chunk });
    return true;
  }

  /** Forgets a job whose `closed` arrived (or whose worker died). */
  private release(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size > 0) return;
    if (this.stopping) this.stop();
    else this.worker?.unref();
  }

  /** Ends the worker (now, or once its last file lets go): its isolate's memory goes back to the system. */
  stopWhenIdle(): void {
    this.stopping = true;
    if (this.jobs.size === 0) this.stop();
  }

  private stop(): void {
    this.stopping = false;
    const worker = this.worker;
    // Forgotten first: its exit is then no failure of anything (see `dead`), and the next file starts a new one.
    this.worker = undefined;
    void worker?.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // Small heap limits: the worker holds one read buffer (outside the heap) and a few hash objects.
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 } });
    worker.unref();
    worker.on('message', (m: WorkerReply) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      if (m.type === 'written') job.onWritten(m.write ?? 0, m.buffer, m.message === undefined ? undefined : replyError(m));
      else if (m.type === 'digest') job.onDigest(m.hex ?? '');
      else if (m.type === 'error') job.onError(replyError(m));
      else {
        this.release(m.id);
        job.onClosed();
      }
    });
    const dead = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const jobs = [...this.jobs.entries()];
      this.jobs.clear();
      for (const [, job] of jobs) {
        job.onError(error);
        job.onClosed();
      }
    };
    worker.on('error', dead);
    worker.on('exit', (code) => dead(new Error(`the hashing worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

let host: HashWorkerHost | undefined;

/**
 * Ends the hashing worker once no file uses it (files that start later get a new one). For when the
 * files in flight moved their hashing to the main thread: an idle isolate is ~13 MB of RSS.
 */
export function stopHashWorkerWhenIdle(): void {
  host?.stopWhenIdle();
}

/**
 * Hashes one partial file in a worker, in file order, as far as it is written contiguously from
 * byte 0. Same contract as `FrontierHasher` (which hashes on the calling thread): the caller reports
 * every completed write via {@link offer}; {@link digest} resolves once every byte up to `size` is hashed.
 * On resume the worker starts at byte 0 and re-hashes what is already on disk.
 */
export class WorkerHasher {
  private readonly id: number;
  private sentEnd = 0;
  private failure: Error | undefined;
  private digestWaiter: { resolve: (hex: string) => void; reject: (error: Error) => void } | undefined;
  private closed: Promise<void> | undefined;
  private closedResolve: () => void = () => undefined;
  private isClosed = false;
  private nextWrite = 1;
  private readonly writes = new Map<number, { resolve: (memory: Buffer | undefined) => void; reject: (error: Error) => void }>();

  constructor(
    path: string,
    algorithm: HashAlgorithm,
    private readonly size: number,
    private readonly writtenEnd: (from: number) => number,
  ) {
    host ??= new HashWorkerHost();
    this.id = host.open(path, algorithm, size, {
      onDigest: (hex) => this.digestWaiter?.resolve(hex),
      onWritten: (write, memory, error) => {
        const waiter = this.writes.get(write);
        this.writes.delete(write);
        const back = memory ? Buffer.from(memory) : undefined;
        if (error) waiter?.reject(Object.assign(error, { memory: back }));
        else waiter?.resolve(back);
      },
      onError: (error) => {
        this.failure ??= error;
        this.digestWaiter?.reject(error);
      },
      onClosed: () => {
        this.isClosed = true;
        // The worker is gone (or the job closed): no write still waiting will be answered.
        for (const waiter of this.writes.values()) waiter.reject(this.failure ?? new Error('the partial file was closed before the write'));
        this.writes.clear();
        this.closedResolve();
      },
    });
  }

  /** Tells the worker about bytes already on disk (on resume). */
  poke(): void {
    this.advance();
  }

  /**
   * Writes `chunk` at `position` on the worker (and hashes it there if it sits at the frontier).
   * When `chunk` is a buffer of its own, its memory moves to the worker (`chunk` is empty meanwhile)
   * and comes back as the resolved value (or as `memory` on the error); otherwise it is copied.
   */
  write(chunk: Uint8Array, position: number): Promise<Buffer | undefined> {
    if (this.isClosed) return Promise.reject(this.failure ?? new Error('the partial file was closed before the write'));
    const write = this.nextWrite++;
    return new Promise<Buffer | undefined>((resolve, reject) => {
      this.writes.set(write, { resolve, reject });
      if (!host?.postWrite(this.id, write, chunk, position)) {
        this.writes.delete(write);
        reject(this.failure ?? new Error('the hashing worker is gone'));
      }
    });
  }

  /** A write completed at `offset` (through {@link write} or not): the worker reads back what it did not hash. */
  offer(_offset: number, _chunk: Uint8Array): void {
    this.advance();
  }

  async digest(size: number): Promise<string> {
    if (this.failure) throw this.failure;
    this.advance();
    if (this.writtenEnd(0) < size) throw new Error(`internal: only ${this.writtenEnd(0)} of ${size} bytes written before the digest`);
    const hex = await new Promise<string>((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      host?.post({ type: 'digest', id: this.id, size });
    });
    await this.settle();
    return hex;
  }

  /** Stops hashing and lets go of the file (the caller is about to close, truncate or delete it). */
  settle(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.closed ??= new Promise<void>((resolve) => {
      this.closedResolve = resolve;
      host?.post({ type: 'close', id: this.id });
    });
    return this.closed;
  }

  private advance(): void {
    const end = Math.min(this.size, this.writtenEnd(this.sentEnd));
    if (end <= this.sentEnd || this.isClosed) return;
    this.sentEnd = end;
    host?.post({ type: 'end', id: this.id, end });
  }
}
