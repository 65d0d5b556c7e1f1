import assert from 'node:assert/strict';
import { ConnectionProbe } from '../../../../src/core/download/connectionProbe';

/**
 * A simulated transfer: bytes arrive at `perConnection` bytes/s on each open connection (or at `total`
 * bytes/s whatever the connections, for a link that is slow as a whole), measured from the clock, so
 * timer jitter does not change the rates the probe sees.
 */
function simulate(options: {
  perConnection?: number;
  total?: number;
  maxConnections?: number;
  /** `alternate`: every other look, as when a capped server sends in bursts and writes bunch up. */
  backpressure?: boolean | 'alternate';
  stall?: { afterMs: number; forMs: number };
  /** A faster start (socket buffers filling, a CDN's initial allowance). */
  burst?: { forMs: number; rate: number };
  /** What other transfers found out about the link. */
  linkKnownCapped?: () => boolean;
}) {
  let connections = 1;
  let bytes = 0;
  const started = performance.now();
  let at = started;
  const events: string[] = [];
  let flip = false;
  const advance = () => {
    const now = performance.now();
    const stalled = options.stall && now - started >= options.stall.afterMs && now - started < options.stall.afterMs + options.stall.forMs;
    const bursting = options.burst && now - started < options.burst.forMs;
    const rate = stalled ? 0 : bursting ? options.burst!.rate : (options.total ?? (options.perConnection ?? 0) * connections);
    bytes += (rate * (now - at)) / 1000;
    at = now;
  };
  /** Looks the probe took (one per tick), and at which of them it opened more connections. */
  let looks = 0;
  let openedAtLook: number | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const probe = new ConnectionProbe({
    bytesSoFar: () => (looks++, advance(), bytes),
    activeConnections: () => connections,
    fastBytesPerSecond: 60e6,
    localBackpressure: () => (options.backpressure === 'alternate' ? (flip = !flip) : (options.backpressure ?? false)),
    canOpenMore: (options.maxConnections ?? 16) > 1,
    openMore: () => {
      advance();
      connections = options.maxConnections ?? 16;
      openedAtLook ??= looks;
      events.push(`open ${connections}`);
    },
    backToOne: () => {
      advance();
      connections = 1;
      events.push('back to one');
      resolveDone();
    },
    onVerdict: (capped) => {
      events.push(capped ? 'capped' : 'not capped');
      // The verdict after the check ends the story (the first one, at opening, may be skipped).
      if (events.filter((e) => e.endsWith('capped')).length === 2 || events.includes('back to one')) resolveDone();
    },
    linkKnownCapped: options.linkKnownCapped,
    log: () => undefined,
  });
  return { probe, events, done, openedAtLook: () => openedAtLook };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ConnectionProbe (adaptive connections)', function () {
  this.timeout(8000);

  it('keeps one connection while it is fast', async () => {
    const { probe, events } = simulate({ perConnection: 500e6 });
    probe.start();
    await wait(700);
    probe.stop();
    assert.deepEqual(events, []);
  });

  it('opens more when each connection is capped, and keeps them when the throughput multiplies', async () => {
    const { probe, events, done } = simulate({ perConnection: 20e6 });
    probe.start();
    await done;
    probe.stop();
    assert.deepEqual(events, ['capped', 'open 16', 'capped']);
  });

  it('opens more at its third look (0.3 s in): one to warm up, two slow in a row', async () => {
    const { probe, done, openedAtLook } = simulate({ perConnection: 20e6 });
    probe.start();
    await done;
    probe.stop();
    // Readings of the byte count: the one at start, then one per look.
    assert.equal(openedAtLook(), 1 + 3);
  });

  it('is not fooled by a fast first moment: a burst, then the cap, still opens more', async () => {
    const { probe, events, done } = simulate({ perConnection: 20e6, burst: { forMs: 250, rate: 400e6 } });
    probe.start();
    await done;
    probe.stop();
    assert.deepEqual(events, ['capped', 'open 16', 'capped']);
  });

  it('goes back to one connection when more did not help (the link is slow as a whole)', async () => {
    const { probe, events, done } = simulate({ total: 20e6 });
    probe.start();
    await done;
    probe.stop();
    assert.deepEqual(events, ['capped', 'open 16', 'back to one', 'not capped']);
  });

  it('opens more at its first look once another file found the link capped, without finding it out again', async () => {
    let known = false;
    const { probe, events } = simulate({ perConnection: 500e6, linkKnownCapped: () => known });
    probe.start();
    await wait(250);
    assert.deepEqual(events, [], 'fast and nothing known: one connection');
    known = true;
    await wait(150);
    probe.stop();
    // No verdict of its own ("capped" is already known) and no check afterwards.
    assert.deepEqual(events, ['open 16']);
  });

  it('a stall on a link that has been fast is not a capped link: nothing opens, nobody is told "capped"', async () => {
    const { probe, events } = simulate({ total: 500e6, stall: { afterMs: 650, forMs: 500 } });
    probe.start();
    await wait(1400);
    probe.stop();
    assert.deepEqual(events, []);
  });

  it('still opens more on a capped link when every other look is held back by our own disk', async () => {
    const { probe, events, done } = simulate({ perConnection: 20e6, backpressure: 'alternate' });
    probe.start();
    await done;
    probe.stop();
    assert.deepEqual(events, ['capped', 'open 16', 'capped']);
  });

  it('ignores slow moments when our own disk was the limit', async () => {
    const { probe, events } = simulate({ perConnection: 20e6, backpressure: true });
    probe.start();
    await wait(700);
    probe.stop();
    assert.deepEqual(events, []);
  });

  it('only reports a capped link when no more connections may open', async () => {
    const { probe, events } = simulate({ perConnection: 20e6, maxConnections: 1 });
    probe.start();
    await wait(700);
    probe.stop();
    assert.deepEqual(events, ['capped']);
  });
});
