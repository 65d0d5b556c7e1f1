/**
 * Measures how much of the time a file's connections spent waiting for this process (their received
 * bytes waiting for a write or a free slab), so the connection probe can tell a slow network from a
 * slow disk. Only waits that fill most of an interval count: a server that sends in bursts (nginx's
 * `limit_rate`, many CDNs) fills a slab faster than it is written now and then, however slow the link
 * is on average, and such a link must still be found capped.
 */
export class LocalWaitClock {
  private waiting = 0;
  private since = 0;
  private waitedMs = 0;
  private lookedAt: number;

  constructor(
    /** Share of an interval spent waiting that makes our own disk the limit. */
    private readonly mostly = 0.5,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lookedAt = now();
  }

  /** One connection starts (`true`) or stops (`false`) waiting; calls come in pairs per connection. */
  onWait(waiting: boolean): void {
    if (waiting) {
      if (this.waiting++ === 0) this.since = this.now();
    } else if (this.waiting > 0 && --this.waiting === 0) {
      this.waitedMs += this.now() - this.since;
    }
  }

  /** Whether some connection was waiting for most of the time since the previous call (or since creation). */
  waitedMostlySinceLastLook(): boolean {
    const now = this.now();
    let ms = this.waitedMs;
    if (this.waiting > 0) {
      ms += now - this.since;
      this.since = now;
    }
    const share = ms / Math.max(1, now - this.lookedAt);
    this.waitedMs = 0;
    this.lookedAt = now;
    return share >= this.mostly;
  }
}
