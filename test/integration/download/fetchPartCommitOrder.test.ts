import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { type FetchPartRequest } from '../../../src/core/download/fetchPart';
import { type PartState } from '../../../src/core/download/partPlan';
import { fetchWholeBody as fetchWhole } from './wholeBodyFetch';

/**
 * A connection may have more than one slab write in flight, and writes may finish in any order (the
 * disk, a busy worker); the part must still only count bytes as done in file order, or a crash could
 * leave a sidecar claiming bytes that are not on disk.
 */
describe('fetchPart: writes finishing out of order are committed in file order', function () {
  this.timeout(30_000);
  const body = randomBytes(5 * 1024 * 1024 + 777);
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
    agent = new Agent();
  });
  after(async () => {
    await agent.close();
    server.close();
  });

  /** The whole body as one part, with the test's own writer (and whatever else it sets). */
  const fetchWholeBody = (part: PartState, options: Pick<FetchPartRequest, 'write' | 'commit'> & Partial<FetchPartRequest>) =>
    fetchWhole({ dispatcher: agent, url, size: body.length }, part, options);

  it('writes every byte, with the later of two writes in flight finishing first', async () => {
    const file = Buffer.alloc(body.length);
    const part: PartState = { start: 0, end: body.length, done: 0 };
    const commits: { position: number; length: number; doneBefore: number }[] = [];
    let overtaken = 0;
    // Each write finishes only once the next one has started (or after a moment, for the last):
    // so whenever two are in flight, the second finishes first.
    let releaseEarlier: (() => void) | undefined;
    const write = (chunk: Buffer, position: number) =>
      new Promise<void>((resolve) => {
        chunk.copy(file, position);
        const earlier = releaseEarlier;
        releaseEarlier = undefined;
        const finish = () => resolve();
        if (earlier) {
          overtaken++;
          setImmediate(finish);
          setTimeout(earlier, 5);
        } else {
          releaseEarlier = finish;
          setTimeout(() => releaseEarlier === finish && ((releaseEarlier = undefined), finish()), 20);
        }
      });
    const outcome = await fetchWholeBody(part, {
      write,
      commit: (chunk, position) => {
        commits.push({ position, length: chunk.length, doneBefore: part.done });
        assert.equal(position, part.start + part.done, 'committed where the part ends');
        part.done += chunk.length;
      },
    });
    assert.equal(outcome.kind, 'done');
    assert.ok(overtaken > 0, 'some writes overtook an earlier one');
    assert.equal(part.done, body.length);
    let expected = 0;
    for (const commit of commits) {
      assert.equal(commit.position, expected);
      expected += commit.length;
    }
    assert.ok(file.equals(body));
  });

  it('reports waiting for its own writes in pairs, and ends not waiting, also when cancelled or failing mid-wait', async () => {
    for (const ending of ['done', 'cancel', 'disk error'] as const) {
      const part: PartState = { start: 0, end: body.length, done: 0 };
      const events: boolean[] = [];
      const controller = new AbortController();
      // Slow writes: received bytes soon have to wait for them.
      const write = () =>
        new Promise<void>((resolve, reject) => {
          const waited = events.includes(true);
          if (ending === 'cancel' && waited) controller.abort(new Error('cancelled by the test'));
          setTimeout(() => (ending === 'disk error' && waited ? reject(new Error('disk error by the test')) : resolve()), 15);
        });
      const settled = fetchWholeBody(part, {
        signal: controller.signal,
        onLocalWait: (waiting) => events.push(waiting),
        write,
        commit: (chunk) => (part.done += chunk.length),
      });
      // A cancelled or failed part settles with the reason (wrapped as a final error).
      if (ending === 'done') assert.equal((await settled).kind, 'done');
      else await assert.rejects(settled, (error: { error?: unknown }) => String(error.error).includes(`${ending === 'cancel' ? 'cancelled' : 'disk error'} by the test`));
      assert.ok(events.length >= 2, `waited at least once: ${JSON.stringify(events)}`);
      events.forEach((waiting, i) => assert.equal(waiting, i % 2 === 0, `starts and stops alternate: ${JSON.stringify(events)}`));
      assert.equal(events.at(-1), false, 'not waiting once settled');
    }
  });
});
