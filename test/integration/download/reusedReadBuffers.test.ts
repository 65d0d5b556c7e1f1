import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { type AddressInfo } from 'node:net';
import { type Dispatcher, request } from 'undici';
import { fetchWholeBody } from './wholeBodyFetch';
import { type PartState } from '../../../src/core/download/partPlan';
import { createDispatcher } from '../../../src/core/http/createDispatcher';
import { pauseSocketReading, readBufferCounters, releaseReceivedBytes } from '../../../src/core/http/reusedReadBuffers';
import { makeTestCertificates } from '../http/testCertificates';

/**
 * The product's dispatcher makes sockets read into a buffer they keep (see reusedReadBuffers.ts).
 * These tests run it against a raw TCP server that writes HTTP/1.1 responses in whatever pieces the
 * test wants, so that headers, bodies and keep-alive boundaries land anywhere within a read, and check
 * the bytes every consumer gets: a body consumer that releases its chunks (the download engine), one
 * that keeps them (undici's own body stream), and one that pauses at the headers.
 */
describe('sockets that reuse their read buffer', function () {
  this.timeout(30_000);
  const body = randomBytes(3 * 1024 * 1024 + 4321);
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  let server: Server;
  let origin: string;
  let dispatcher: Dispatcher;
  /** How the server writes each response; set per test. */
  let respond: (socket: Socket, head: string) => void;

  before(async () => {
    server = createServer((socket) => {
      let pending = '';
      socket.on('data', (data: Buffer) => {
        pending += data.toString('latin1');
        for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
          const head = pending.slice(0, end);
          pending = pending.slice(end + 4);
          respond(socket, head);
        }
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    dispatcher = createDispatcher({ connections: 1, env: {} });
  });
  afterEach(async () => {
    await dispatcher.close();
  });
  after(() => server.close());

  const headFor = (length: number, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\nX-Long: ${'v'.repeat(3000)}\r\n${extra}\r\n`;

  /** Writes `bytes` in pieces of the given sizes (cycled), each in its own TCP segment as far as possible. */
  async function writeInPieces(socket: Socket, bytes: Buffer, sizes: number[]): Promise<void> {
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const n = Math.min(sizes[i % sizes.length] ?? 1, bytes.length - at);
      socket.write(bytes.subarray(at, at + n));
      at += n;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The download engine's consumer: copies each chunk into its slabs and releases it. */
  async function downloadWithFetchPart(): Promise<{ bytes: Buffer; status: number }> {
    const out = Buffer.alloc(body.length);
    const part: PartState = { start: 0, end: body.length, done: 0 };
    let status = 0;
    const outcome = await fetchWholeBody({ dispatcher, url: `${origin}/file`, size: body.length }, part, {
      onResponse: (s) => (status = s),
      write: async (chunk, position) => void chunk.copy(out, position),
      commit: (chunk) => (part.done += chunk.length),
    });
    assert.equal(outcome.kind, 'done');
    return { bytes: out, status };
  }

  it('hands a released body over from the same buffer, read after read, and the bytes are exact', async () => {
    respond = (socket) => socket.write(Buffer.concat([Buffer.from(headFor(body.length), 'latin1'), body]));
    const before = { ...readBufferCounters };
    const { bytes } = await downloadWithFetchPart();
    assert.equal(sha(bytes), sha(body));
    const reads = readBufferCounters.reads - before.reads;
    const allocated = readBufferCounters.buffersAllocated - before.buffersAllocated;
    const copied = readBufferCounters.bytesCopied - before.bytesCopied;
    assert.ok(reads > 20, `expected many socket reads, got ${reads}`);
    // One buffer for the new socket; every read after it reused it (Node's default: one per read),
    // and no body byte went through a copy (only the headers did).
    assert.ok(allocated <= 2, `${allocated} read buffers allocated for ${reads} reads`);
    assert.ok(copied < 8192, `${copied} bytes handed over as copies`);
  });

  it('parses headers that arrive a few bytes at a time, and bodies that share a read with the next headers', async () => {
    // Byte-sized header pieces, then body pieces that split at odd places; keep-alive carries three responses.
    respond = (socket) => void writeInPieces(socket, Buffer.concat([Buffer.from(headFor(body.length), 'latin1'), body]), [1, 2, 3, 70_001, 5, 65_536, 131_072]);
    for (let i = 0; i < 3; i++) {
      const { bytes, status } = await downloadWithFetchPart();
      assert.equal(status, 200);
      assert.equal(sha(bytes), sha(body), `response ${i}`);
    }
  });

  it('gives a consumer that keeps its chunks (undici body stream) bytes nobody overwrites', async () => {
    // Two small responses in one write: the second's headers sit in the same read as the first body.
    const small = randomBytes(40_000);
    respond = (socket) => socket.write(Buffer.concat([Buffer.from(headFor(small.length), 'latin1'), small]));
    const kept: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await request(`${origin}/small`, { dispatcher });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      kept.push(...chunks);
      assert.equal(response.headers['x-long'], 'v'.repeat(3000));
    }
    // Chunks held across later reads of the same socket still hold what they held.
    assert.equal(sha(Buffer.concat(kept)), sha(Buffer.concat([small, small])));
  });

  /** Streams a response through a releasing consumer; returns its body and raw header lines as at its end. */
  function streamReleasing(pauseAtHeaders: boolean): Promise<{ bytes: Buffer; rawHeaders: string }> {
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      dispatcher.dispatch(
        { origin, path: '/file', method: 'GET' },
        {
          onRequestStart: () => undefined,
          onResponseStart(controller) {
            if (!pauseAtHeaders) return;
            // A consumer following the protocol: pause, and tell the socket to stop reading.
            controller.pause();
            pauseSocketReading();
            // Resumed later, after more reads could have reused the socket's buffer.
            setTimeout(() => controller.resume(), 50);
          },
          onResponseData(_controller, chunk: Buffer) {
            chunks.push(Buffer.from(chunk));
            releaseReceivedBytes(chunk.length);
          },
          // undici keeps the raw header lines for the whole response.
          onResponseEnd: (controller) =>
            resolve({ bytes: Buffer.concat(chunks), rawHeaders: Buffer.concat((controller as unknown as { rawHeaders: Buffer[] }).rawHeaders).toString('latin1') }),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  }

  it('leaves the raw header lines intact while the body streams through the buffer they were read into', async () => {
    respond = (socket) => socket.write(Buffer.concat([Buffer.from(headFor(body.length), 'latin1'), body]));
    const { bytes, rawHeaders } = await streamReleasing(false);
    assert.equal(sha(bytes), sha(body));
    assert.ok(rawHeaders.includes(`X-Long${'v'.repeat(3000)}`), `raw headers changed: ${rawHeaders.slice(0, 80)}…`);
  });

  it('keeps the body bytes of a read whose consumer paused at the headers', async () => {
    respond = (socket) => socket.write(Buffer.concat([Buffer.from(headFor(body.length), 'latin1'), body]));
    const { bytes, rawHeaders } = await streamReleasing(true);
    assert.equal(sha(bytes), sha(body));
    assert.ok(rawHeaders.includes(`X-Long${'v'.repeat(3000)}`));
  });

  it('does the same over TLS (tls.connect takes the same option): exact bytes, one buffer, copies only of headers', async () => {
    const certificates = makeTestCertificates();
    const tlsServer = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (_req, res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const tlsOrigin = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    const tlsDispatcher = createDispatcher({ connections: 1, env: {}, strictSSL: false });
    try {
      // A consumer that keeps its chunks, then one that releases them, on the same connection.
      const response = await request(`${tlsOrigin}/kept`, { dispatcher: tlsDispatcher });
      const kept: Buffer[] = [];
      for await (const chunk of response.body) kept.push(chunk as Buffer);
      assert.equal(sha(Buffer.concat(kept)), sha(body));

      const before = { ...readBufferCounters };
      const released: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        tlsDispatcher.dispatch(
          { origin: tlsOrigin, path: '/released', method: 'GET' },
          {
            onRequestStart: () => undefined,
            onResponseData(_controller, chunk: Buffer) {
              released.push(Buffer.from(chunk));
              releaseReceivedBytes(chunk.length);
            },
            onResponseEnd: () => resolve(),
            onResponseError: (_controller, error) => reject(error),
          },
        );
      });
      assert.equal(sha(Buffer.concat(released)), sha(body));
      const reads = readBufferCounters.reads - before.reads;
      assert.ok(reads > 20, `the TLS socket read through our callback (${reads} reads)`);
      assert.equal(readBufferCounters.buffersAllocated - before.buffersAllocated, 0);
      assert.ok(readBufferCounters.bytesCopied - before.bytesCopied < 8192);
    } finally {
      await tlsDispatcher.close();
      tlsServer.close();
      certificates.remove();
    }
  });
});
