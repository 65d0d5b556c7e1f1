/** What a progress bar shows. */
export interface ProgressSnapshot {
  readonly doneBytes: number;
  readonly totalBytes: number;
  /** Smoothed over about `smoothingMs`; 0 until bytes flow. */
  readonly bytesPerSecond: number;
  /** Undefined while the speed is unknown or zero. */
  readonly etaSeconds: number | undefined;
  /** True on the one event emitted by {@link ProgressMeter.complete}. */
  readonly final: boolean;
}

/** Time source and timers, injectable so tests drive the meter with a fake clock. */
export interface MeterClock {
  now(): number;
  /** `keepAlive`: the timer keeps the process running until it fires (the final event's does). */
  setTimeout(callback: () => void, ms: number, keepAlive?: boolean): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: MeterClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms, keepAlive = false) => {
    const handle = setTimeout(callback, ms);
    // A pending progress event must never keep a CLI process alive; the final one, awaited, must come.
    if (!keepAlive) handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link ProgressMeter}. */
export interface ProgressMeterOptions {
  readonly onUpdate: (snapshot: ProgressSnapshot) => void;
  /**
   * Minimum gap between events, the final one included: at most 10 per second. A little over 100 ms,
   * so that a reader of the events (through a pipe, with its own delays) never sees 11 within a second.
   * @default 105
   */
  readonly minIntervalMs?: number;
  /**
   * Time constant of the speed's exponential moving average.
   * @default 3000
   */
  readonly smoothingMs?: number;
  /** @default systemClock */
  readonly clock?: MeterClock;
}

interface Entry {
  total: number;
  done: number;
}

/**
 * Adds up progress of many files (and of the parts inside each, via each file's `bytesDone`) into
 * one bar. Bytes that were already on disk when a file was added count as done but not as speed,
 * so a resumed download does not show a burst of impossible speed.
 */
export class ProgressMeter {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: MeterClock;
  private readonly minInterval: number;
  private readonly smoothing: number;
  private doneBytes = 0;
  private totalBytes = 0;
  /** Bytes that arrived since the speed was last sampled. */
  private freshBytes = 0;
  private lastSampleAt: number;
  private speed = 0;
  private hasSpeed = false;
  private lastEmitAt = -Infinity;
  /** The last event due was skipped because the download was about to end (see request). */
  private skippedBeforeEnd = false;
  /** The timer of the next event (a trailing or the final one), while one waits. */
  private pending: unknown;
  private finished = false;
  /** Settles once the final event was emitted. */
  private completion?: Promise<void>;

  constructor(private readonly options: ProgressMeterOptions) {
    this.clock = options.clock ?? systemClock;
    this.minInterval = options.minIntervalMs ?? 105;
    this.smoothing = options.smoothingMs ?? 3000;
    this.lastSampleAt = this.clock.now();
  }

  /** Registers a file; `doneBytes` already on disk count as done, not as speed. Re-adding a key replaces it. */
  addFile(key: string, totalBytes: number, doneBytes = 0): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.totalBytes -= previous.total;
      this.doneBytes -= previous.done;
    }
    this.entries.set(key, { total: totalBytes, done: doneBytes });
    this.totalBytes += totalBytes;
    this.doneBytes += doneBytes;
    this.request();
  }

  /** A file now has `bytesDone` on disk. Going backwards (a restart from 0) lowers done, not speed. */
  update(key: string, bytesDone: number): void {
    const entry = this.entries.get(key);
    if (!entry) return this.addFile(key, bytesDone, bytesDone);
    const delta = bytesDone - entry.done;
    // Nothing new (a file reported done after its last bytes were counted): no event, so the final one
    // at the end need not wait out an interval behind an event that said nothing.
    if (delta === 0) return;
    entry.done = bytesDone;
    this.doneBytes += delta;
    if (delta > 0) this.freshBytes += delta;
    this.request();
  }

  /**
   * Emits (throttled) without new bytes, so speed and ETA move while a download stalls: a heartbeat
   * calls this about once a second; the speed then decays towards zero instead of freezing.
   */
  tick(): void {
    this.request();
  }

  /**
   * Stops, and emits the final event: always, but not sooner than `minIntervalMs` after the previous
   * event (it takes the place of a pending trailing one and waits out the rest of the interval), so
   * the rate limit holds for it too. Emitted before this returns when the previous event is old enough.
   * Await the promise before reporting the work done: it settles once the final event was emitted,
   * and its timer keeps the process alive until then.
   */
  complete(): Promise<void> {
    if (this.completion) return this.completion;
    this.finished = true;
    this.clock.clearTimeout(this.pending);
    this.pending = undefined;
    this.completion = new Promise((resolve, reject) =>
      this.whenIntervalPassed(true, () => {
        try {
          this.emit(true);
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return this.completion;
  }

  /** The current state, without emitting. */
  snapshot(final = false): ProgressSnapshot {
    const remaining = Math.max(0, this.totalBytes - this.doneBytes);
    const etaSeconds = this.speed > 0 ? remaining / this.speed : remaining === 0 && final ? 0 : undefined;
    return { doneBytes: this.doneBytes, totalBytes: this.totalBytes, bytesPerSecond: this.speed, etaSeconds, final };
  }

  /** Emits now if the last event is old enough, else once the interval has passed (one trailing event). */
  private request(): void {
    if (this.finished || this.pending !== undefined) return;
    this.whenIntervalPassed(false, () => {
      if (this.finished) return;
      // Every byte is in and only the end (the hash's last slabs, the rename) is left: an event now
      // would say nothing the final one will not, and would hold it back for an interval when the end
      // comes soon after (measured: 50-105 ms before the CLI's "done" in 12 of 49 runs of 1.8 GB).
      if (this.allBytesIn()) return;
      if (!this.skippedBeforeEnd && this.endsWithinInterval()) {
        // An event now would hold the final one (a moment away) back for a whole interval: skipped,
        // and looked at again one interval on, when it is emitted whatever the estimate said.
        this.skippedBeforeEnd = true;
        this.pending = this.clock.setTimeout(() => {
          this.pending = undefined;
          this.request();
        }, this.minInterval);
        return;
      }
      this.skippedBeforeEnd = false;
      this.emit(false);
    });
  }

  /**
   * Whether the bytes left arrive before another interval has passed, at the smoothed speed or at the
   * rate since the last event, whichever is higher: the smoothed speed lags far behind a download that
   * sped up after its start (a fast link, after the first file's ramp-up), and the final event then
   * waited out most of an interval behind an event that said nothing new.
   */
  private endsWithinInterval(): boolean {
    const remaining = this.totalBytes - this.doneBytes;
    const elapsed = this.clock.now() - this.lastSampleAt;
    const recent = elapsed > 0 ? (this.freshBytes * 1000) / elapsed : 0;
    const rate = Math.max(this.speed, recent);
    return rate > 0 && (remaining * 1000) / rate < this.minInterval;
  }

  private allBytesIn(): boolean {
    return this.totalBytes > 0 && this.doneBytes >= this.totalBytes;
  }

  /**
   * Runs `callback` now if `minIntervalMs` have passed since the last event, else once they have. A timer
   * may fire a fraction of a millisecond early by this clock: it is then armed again for the rest.
   */
  private whenIntervalPassed(keepAlive: boolean, callback: () => void): void {
    const wait = this.lastEmitAt + this.minInterval - this.clock.now();
    if (wait <= 0) return callback();
    this.pending = this.clock.setTimeout(
      () => {
        this.pending = undefined;
        this.whenIntervalPassed(keepAlive, callback);
      },
      Math.ceil(wait),
      keepAlive,
    );
  }

  private emit(final: boolean): void {
    this.sample();
    this.lastEmitAt = this.clock.now();
    this.options.onUpdate(this.snapshot(final));
  }

  /**
   * Exponential moving average in continuous time: the weight of the new rate is 1 - e^(-dt/τ), so
   * irregular sampling (events come when bytes do) still averages over about τ. The first sample
   * sets the speed directly, so the display does not creep up from 0.
   */
  private sample(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastSampleAt;
    if (elapsed <= 0) return;
    const rate = (this.freshBytes * 1000) / elapsed;
    if (!this.hasSpeed) {
      if (this.freshBytes > 0) {
        this.speed = rate;
        this.hasSpeed = true;
      }
    } else {
      const weight = 1 - Math.exp(-elapsed / this.smoothing);
      this.speed += weight * (rate - this.speed);
    }
    this.freshBytes = 0;
    this.lastSampleAt = now;
  }
}
