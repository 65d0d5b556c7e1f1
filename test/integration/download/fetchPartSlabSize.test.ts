import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { type PartState } from '../../../src/core/download/partPlan';
import { fetchWholeBody } from './wholeBodyFetch';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Slabs are large for a lone connection (fewer writes on a fast link) and small when many connections
 * each fill one (less memory behind a capped link). What a write receives is (part of) one slab.
 */
describe('fetchPart: slab size by how many parts are fetched at once', function () {
  this.timeout(30_000);
  const body = randomBytes(6 * MiB);
  /** The server sends this much of each body at once, the rest when the test says. */
  const HEAD = 5 * MiB;
  let server: Server;
  let url: string;
  let agent: Agent;
  let held: ServerResponse[] = [];
  const sendRest = () => {
    for (const res of held) res.end(body.subarray(HEAD));
    held = [];
  };

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, HEAD));
      held.push(res);
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

  /**
   * Fetches the body `count` times at once. The rest of every body is sent only once each fetch has
   * written the first part: until then all of them are surely running. Returns the writes of that first
   * part (`[position, length]`); every byte must arrive.
   */
  const fetchBodies = async (count: number): Promise<number[]> => {
    const headWrites: number[] = [];
    const committed = new Array<number>(count).fill(0);
    const fetchOne = async (index: number) => {
      const file = Buffer.alloc(body.length);
      const part: PartState = { start: 0, end: body.length, done: 0 };
      const outcome = await fetchWholeBody({ dispatcher: agent, url, size: body.length }, part, {
        write: async (chunk, position) => {
          if (position < HEAD) headWrites.push(chunk.length);
          chunk.copy(file, position);
        },
        commit: (chunk) => {
          part.done += chunk.length;
          committed[index] = part.done;
          if (committed.every((bytes) => bytes >= HEAD)) sendRest();
        },
      });
      assert.deepEqual(outcome, { kind: 'done' });
      assert.ok(file.equals(body), 'every byte in place');
    };
    await Promise.all(Array.from({ length: count }, (_, index) => fetchOne(index)));
    return headWrites;
  };

  it('writes up to 512 KiB at a time for a lone connection', async () => {
    const largest = Math.max(...(await fetchBodies(1)));
    assert.ok(largest > 256 * KiB && largest <= 512 * KiB, `largest write ${largest / KiB} KiB`);
  });

  it('writes at most 256 KiB at a time while several connections fetch', async () => {
    const writes = await fetchBodies(4);
    // The first connection's first slab was taken while it was alone.
    const large = writes.filter((bytes) => bytes > 256 * KiB);
    assert.ok(large.length <= 1, `writes over 256 KiB: ${large.map((bytes) => bytes / KiB).join(', ')} KiB`);
    assert.ok(writes.length >= 4 * 19, `${writes.length} writes for 4 x 5 MiB`);
  });
});
