import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { fetchPart } from '../../../src/core/download/fetchPart';
import { type PartState } from '../../../src/core/download/partPlan';

const KiB = 1024;

/**
 * Slabs are large for a lone connection (fewer writes on a fast link) and small when many connections
 * each fill one (less memory behind a capped link). What a write receives is (part of) one slab.
 */
describe('fetchPart: slab size by how many parts are fetched at once', function () {
  this.timeout(30_000);
  const body = randomBytes(6 * 1024 * KiB);
  let server: Server;
  let url: string;
  let agent: Agent;

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
    agent = new Agent({ connections: 8 });
  });
  after(async () => {
    await agent.close();
    server.close();
  });

  /** Fetches the body, returning the size of each write it was handed; the bytes must arrive whole. */
  const fetchBody = async (): Promise<number[]> => {
    const file = Buffer.alloc(body.length);
    const part: PartState = { start: 0, end: body.length, done: 0 };
    const writes: number[] = [];
    const outcome = await fetchPart({
      dispatcher: agent,
      url,
      headers: {},
      part,
      size: body.length,
      wantRange: false,
      stallTimeoutMs: 10_000,
      signal: new AbortController().signal,
      onResponse: () => undefined,
      write: async (chunk, position) => {
        writes.push(chunk.length);
        chunk.copy(file, position);
      },
      commit: (chunk) => {
        part.done += chunk.length;
      },
    });
    assert.deepEqual(outcome, { kind: 'done' });
    assert.ok(file.equals(body), 'every byte in place');
    return writes;
  };

  it('writes up to 512 KiB at a time for a lone connection', async () => {
    const largest = Math.max(...(await fetchBody()));
    assert.ok(largest > 256 * KiB && largest <= 512 * KiB, `largest write ${largest / KiB} KiB`);
  });

  it('writes at most 256 KiB at a time while several connections fetch', async () => {
    const writes = (await Promise.all([fetchBody(), fetchBody(), fetchBody(), fetchBody()])).flat();
    // The first connection's first slab was taken while it was alone.
    const large = writes.filter((bytes) => bytes > 256 * KiB);
    assert.ok(large.length <= 1, `writes over 256 KiB: ${large.map((bytes) => bytes / KiB).join(', ')} KiB`);
    assert.ok(writes.length >= 4 * 20, `${writes.length} writes for 4 x 6 MiB`);
  });
});
