/** How often the probe looks at the throughput. */
const TICK_MS = 100;
/** Looks at the start that are not judged (the connection's first burst or slow start). */
const WARM_UP_TICKS = 1;
/**
 * Slow looks in a row before acting: one can be a hiccup of a busy machine (another process, a GC).
 * Kept short (a capped link is found 0.3 s in, where aria2c opens every connection at once): a wrong
 * call costs little, as the check after it goes back to one connection when more did not help.
 */
const SLOW_TICKS = 2;
/** How long more connections get to show they help. */
const VERIFY_TICKS = 6;
/** More connections must at least double the throughput to count as helping. */
const REQUIRED_GAIN = 2;

export interface ConnectionProbeOptions {
  /** Bytes of this file received so far. */
  readonly bytesSoFar: () => number;
  readonly activeConnections: () => number;
  /** A connection delivering less than this is slow. */
  readonly fastBytesPerSecond: number;
  /** Whether this file's connections waited for our own disk since the last call. */
  readonly localBackpressure: () => boolean;
  /** Whether more connections may be opened at all (not when the caller allows only one). */
  readonly canOpenMore: boolean;
  /** Opens every allowed connection. */
  readonly openMore: () => void;
  /** Back to one connection: no new ones start; the open ones finish their current part. */
  readonly backToOne: () => void;
  /** Whether the link looks capped per connection: first when connections open, again once it is known. */
  readonly onVerdict?: (capped: boolean) => void;
  /** Whether another transfer has found the link capped per connection: then more connections open without finding it out again. */
  readonly linkKnownCapped?: () => boolean;
  readonly log: (message: string) => void;
}

/**
 * Adaptive connections for one file. A download starts on one connection; when that connection
 * stays slow (a CDN capping each connection, or a slow link), every allowed connection opens. Then
 * the probe checks that they helped: behind a per-connection cap the throughput multiplies; when the
 * slowness was something else (a busy or throttled machine, a slow shared link) it does not, and the
 * transfer goes back to one connection, which on such a link costs less CPU and memory.
 */
export class ConnectionProbe {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConnectionProbeOptions) {}

  start(): void {
    if (this.timer) return;
    const o = this.options;
    let lastBytes = o.bytesSoFar();
    let lastAt = performance.now();
    let slowTicks = 0;
    let slowBytes = 0;
    let slowMs = 0;
    let looks = 0;
    // Looks in a row with one connection fast; SLOW_TICKS of them make the link fast for good.
    let fastStreak = 0;
    let beenFast = false;
    let verify: { fromBytes: number; fromAt: number; ticks: number; before: number } | undefined;
    this.timer = setInterval(() => {
      const now = performance.now();
      const bytes = o.bytesSoFar();
      const elapsed = Math.max(1, now - lastAt);
      const rate = ((bytes - lastBytes) * 1000) / elapsed;
      const gained = bytes - lastBytes;
      lastBytes = bytes;
      lastAt = now;

      if (verify) {
        if (++verify.ticks < VERIFY_TICKS) return;
        const after = ((bytes - verify.fromBytes) * 1000) / Math.max(1, now - verify.fromAt);
        this.stop();
        if (after >= verify.before * REQUIRED_GAIN) {
          o.log(`${mb(after)} MB/s on ${o.activeConnections()} connections (was ${mb(verify.before)}): the link caps each connection`);
          o.onVerdict?.(true);
        } else {
          o.log(`${mb(after)} MB/s on more connections, ${mb(verify.before)} on one: no gain, back to one connection`);
          o.backToOne();
          o.onVerdict?.(false);
        }
        return;
      }

      if (o.canOpenMore && o.linkKnownCapped?.()) {
        o.log('another file found the link capped per connection: opening more');
        this.stop();
        o.openMore();
        return;
      }

      const active = o.activeConnections();
      // The first looks say little: a connection starts with a burst (socket buffers filling, a CDN's
      // allowance) or slowly (TCP slow start, a process still warming up).
      if (++looks <= WARM_UP_TICKS) return;
      fastStreak = active === 1 && rate >= o.fastBytesPerSecond ? fastStreak + 1 : 0;
      if (fastStreak >= SLOW_TICKS) beenFast = true;
      // A look during which our own disk was the limit says nothing about the network: skipped. So is
      // everything once one connection has stayed fast: a CDN's cap holds every connection below it, and
      // later slow moments on such a link are the machine's (a busy CPU, a paused VM), not the link's.
      if (o.localBackpressure() || beenFast) return;
      if (active === 0 || rate / active >= o.fastBytesPerSecond) {
        slowTicks = 0;
        slowBytes = 0;
        slowMs = 0;
        return;
      }
      slowTicks++;
      slowBytes += gained;
      slowMs += elapsed;
      if (slowTicks < SLOW_TICKS) return;
      const before = (slowBytes * 1000) / slowMs;
      // Told at once (not after the check) so that other files need not wait for it; corrected if wrong.
      o.onVerdict?.(true);
      if (!o.canOpenMore) return this.stop();
      o.log(`${mb(before)} MB/s on ${active} connection(s): opening more`);
      o.openMore();
      verify = { fromBytes: bytes, fromAt: now, ticks: 0, before };
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function mb(bytesPerSecond: number): number {
  return Math.round(bytesPerSecond / 1e6);
}
