import type { Socket } from 'node:net';

/**
 * Socket reads into a buffer each socket keeps, instead of a new 64 KiB buffer per read.
 *
 * Why: by default Node allocates a fresh buffer for every socket read. A download over 16 connections
 * is tens of thousands of them. Those held across a young-generation GC (a connection paused for the
 * disk, headers being parsed) are promoted and freed only by a full GC, which V8 runs when tens of MB
 * of them have piled up: a good part of the CLI's peak RSS under a per-connection cap.
 *
 * How: the sockets are created with Node's `onread` option (a buffer we give, a callback per read).
 * The callback hands the bytes to undici as Node would (`push`, then `readable`), and undici's parser
 * consumes them synchronously. A body consumer that copied the bytes it was given and keeps no view
 * of them says so with `releaseReceivedBytes`.
 * - While a socket streams a body (its last read was all released and no request was written since),
 *   undici gets a view of the socket's buffer. If every byte is released again and nothing is left in
 *   the stream, the buffer is read into again; otherwise it is left to whoever holds a view of it and
 *   the socket gets a new one.
 * - Otherwise (a read that starts a response, or follows one that was not all released) undici gets a
 *   copy of the bytes up to the end of the headers (the raw header lines it keeps for the whole
 *   response then point into a few hundred bytes of their own) and a view of the rest, as above.
 * Correctness thus never depends on a consumer: one that does not release costs a copy per read.
 */

/**
 * What Node asks for per read by default (also the size of Node's own reads, where this module is not
 * used): a consumer that can take this many bytes more can take the next read whole.
 */
export const READ_BUFFER_BYTES = 64 * 1024;

/** Per socket: whether its last read was all body, released, and what it had written by then. */
const lastRead = Symbol('lastRead');
type TrackedSocket = Socket & { [lastRead]?: { released: boolean; bytesWritten: number } };

/** The read being handed to undici right now (reads are handled one at a time, on the main thread). */
let current: { released: number; paused: boolean } | undefined;
/** Decided at the end of a read, taken by `nextBuffer`, which Node calls right after. */
let keepBuffer = false;

function onRead(this: TrackedSocket, nread: number, buffer: Buffer): boolean {
  readBufferCounters.reads++;
  const previous = this[lastRead];
  // A request written since the last read: this read starts a response (headers).
  const streaming = previous?.released === true && previous.bytesWritten === this.bytesWritten;
  // Bytes given as a view of `buffer`, how many of those were released, and of all bytes given.
  let viewed = 0;
  let viewReleased = 0;
  let released = 0;
  let body = nread;
  let paused = false;
  if (streaming) {
    ({ released, paused } = handOver(this, buffer.subarray(0, nread)));
    viewed = nread;
    viewReleased = released;
  } else {
    // undici keeps the raw header lines (views of what it parsed) for the whole response: they get a
    // copy of their own, so that they hold a few hundred bytes, not a socket's buffer, meanwhile.
    const headersEnd = buffer.subarray(0, nread).indexOf('\r\n\r\n') + 4;
    const copied = headersEnd >= 4 ? headersEnd : nread;
    if (headersEnd >= 4) body = nread - headersEnd;
    readBufferCounters.bytesCopied += copied;
    ({ released, paused } = handOver(this, Buffer.from(buffer.subarray(0, copied))));
    if (copied < nread && paused) {
      // Paused at the headers: the rest waits in the stream until undici reads on, as a copy.
      this.push(Buffer.from(buffer.subarray(copied, nread)));
    } else if (copied < nread) {
      const rest = handOver(this, buffer.subarray(copied, nread));
      viewed = nread - copied;
      viewReleased = rest.released;
      released += rest.released;
      paused = rest.paused;
    }
  }
  const taken = this.readableLength === 0;
  // Every byte after the headers went to a consumer that released it: the next read is more body.
  this[lastRead] = { released: taken && released >= body, bytesWritten: this.bytesWritten };
  keepBuffer = taken && viewReleased >= viewed;
  // A paused response (bytes left in the stream, or a consumer that stopped at the end of this read):
  // read no more until undici asks for more (its `socket.read()` starts the socket reading again).
  // Meanwhile the bytes wait in the kernel, not in a buffer of ours.
  return taken && !paused;
}

/** Gives `bytes` to undici, whose 'readable' handler reads and parses them now, while they are valid. */
function handOver(socket: Socket, bytes: Buffer): { released: number; paused: boolean } {
  const read = { released: 0, paused: false };
  current = read;
  keepBuffer = false;
  try {
    socket.push(bytes);
    socket.emit('readable');
  } finally {
    current = undefined;
  }
  return read;
}

/** Socket reads handled here, read buffers allocated for them, bytes handed over as copies (for tests). */
export const readBufferCounters = { reads: 0, buffersAllocated: 0, bytesCopied: 0 };

/** Called by Node when a socket is set up and after every read: a new buffer, or none to keep the one it has. */
function nextBuffer(): Buffer | undefined {
  if (keepBuffer) {
    keepBuffer = false;
    return undefined;
  }
  readBufferCounters.buffersAllocated++;
  return Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
}

/**
 * Connect options (for undici's connector, which passes them to `net.connect` / `tls.connect`) for
 * sockets that reuse their read buffer. Only for sockets of their own: `tls.connect` over a proxy
 * tunnel ignores `onread`, and the tunnel's socket itself must not get it (TLS reads that one by events).
 */
export const reusedReadBufferOptions = { onread: { buffer: nextBuffer, callback: onRead } } as const;

/**
 * A body consumer copied `bytes` bytes of the chunk it was just given and keeps no view of them. Outside
 * a socket read (a chunk undici had kept from an earlier one) this is a no-op.
 */
export function releaseReceivedBytes(bytes: number): void {
  if (current) current.released += bytes;
}

/**
 * A body consumer paused its response while handling a chunk of the current read: the socket stops
 * reading after it, instead of reading once more into a stream nobody reads. Outside a read, a no-op.
 */
export function pauseSocketReading(): void {
  if (current) current.paused = true;
}
