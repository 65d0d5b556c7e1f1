import { type Duplex } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type Dispatcher } from 'undici';

/**
 * Response bytes between two forced young-generation collections. Every 2 MiB was right while each
 * socket read allocated its own buffer; since reads reuse one buffer per socket (reusedReadBuffers.ts),
 * there is little to free, and each collection mostly promoted whatever happened to be alive. Every
 * 8 MiB (measured against 2, 4 and 16, alternating runs of the download benchmark): 0.1-0.3 s less CPU
 * per 2 GB, 5% faster uncapped, and the same or lower peak RSS (capped 4x450 MB: 74.5-76.4 MB against
 * 78.4-82.1 MB, MB = 10^6); every 16 MiB let the uncapped peak climb by 2 MB.
 */
const BYTES_PER_COLLECTION = 8 * 1024 * 1024;

/** undici's response header record (its type is not exported from the package root). */
type Headers = Record<string, string | string[] | undefined>;

type Collect = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

/**
 * Keeps the CLI process small while it streams gigabytes (the project's goal: < 80 MB peak RSS for a
 * 2 GB model). Only for the CLI's own process: it changes V8 flags for the whole isolate and forces
 * garbage collections, which must never happen in the VS Code extension host, where other
 * extensions share the isolate.
 *
 * Two costs dominate a download's RSS, neither visible in the JS heap (measured on a 1 GiB file):
 *
 * - undici parses HTTP/1 with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
 *   compiler (Liftoff) and, once the parser is hot, recompiles it in the background with its
 *   optimizing compiler; llhttp is one huge state machine, and without this flag the peak was about
 *   30 MB higher (a bare undici download loop: 138 MB, with the flag 105 MB). `--liftoff-only` skips that tier-up; body bytes are not parsed, only delimited, so
 *   the baseline code costs no measurable throughput. undici compiles llhttp on its first connection,
 *   so the flag takes effect if set before then (it is read at compile time, unlike heap-size flags).
 *
 * - Buffers outside the JS heap (once a fresh 64 KiB malloc'd buffer per socket read; now mostly the
 *   odd read that is not a body's) are freed only when V8 collects the small objects pointing at them.
 *   Those objects are tiny, so the young generation fills (and collects) only after tens of megabytes
 *   of such buffers have piled up in the malloc heap, which then stays that large. A minor GC every
 *   few MiB of response body frees them while they are few; it costs well under a millisecond each.
 *
 * Returns the dispatcher interceptor that triggers the collections, or undefined when `gc` cannot be
 * exposed (the interceptor is then pointless).
 */
export function enableLowMemoryMode(): Dispatcher.DispatcherComposeInterceptor | undefined {
  v8.setFlagsFromString('--liftoff-only');
  // `--expose-gc` set at run time applies to contexts created afterwards: a fresh one hands us `gc`.
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('typeof gc === "function" ? gc : undefined') as Collect | undefined;
  if (!collect) return undefined;
  let sinceCollection = 0;
  let scheduled = false;
  const onBytes = (length: number) => {
    sinceCollection += length;
    if (sinceCollection < BYTES_PER_COLLECTION || scheduled) return;
    sinceCollection = 0;
    scheduled = true;
    // Not inside undici's parser callback, but right after the current socket read has been handled
    // (microtasks run after each read's callback). Not setImmediate: libuv reads each ready socket up
    // to 32 times per loop turn, so with 16 connections hundreds of 64 KiB buffers piled up before it ran.
    queueMicrotask(() => {
      scheduled = false;
      collect({ type: 'minor', execution: 'sync' });
    });
  };
  return (dispatch) => (options, handler) => dispatch(options, new ByteCountingHandler(handler, onBytes));
}

/** Passes everything through to `inner`, reporting the length of each response body chunk. */
class ByteCountingHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly onBytes: (length: number) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Headers, socket: Duplex): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Headers, statusMessage?: string): void {
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.onBytes(chunk.length);
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Headers): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inner.onResponseError?.(controller, error);
  }
}
