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
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: MeterClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending progress event must never keep a CLI process alive.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link ProgressMeter}. */
export interface ProgressMeterOptions {
  readonly onUpdate: (snapshot: ProgressSnapshot) => void;
  /**
   * Minimum gap between events (10 per second).
   * @default 100
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
  private trailing: unknown;
  private finished = false;

  constructor(private readonly options: ProgressMeterOptions) {
    this.clock = options.clock ?? systemClock;
    this.minInterval = options.minIntervalMs ?? 100;
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

  /** Emits the final event (always, regardless of throttling) and stops. */
  complete(): void {
    if (this.finished) return;
    this.finished = true;
    this.clock.clearTimeout(this.trailing);
    this.trailing = undefined;
    this.emit(true);
  }

  /** The current state, without emitting. */
  snapshot(final = false): ProgressSnapshot {
    const remaining = Math.max(0, this.totalBytes - this.doneBytes);
    const etaSeconds = this.speed > 0 ? remaining / this.speed : remaining === 0 && final ? 0 : undefined;
    return { doneBytes: this.doneBytes, totalBytes: this.totalBytes, bytesPerSecond: this.speed, etaSeconds, final };
  }

  /** Emits now if the last event is old enough, else once the interval has passed (one trailing event). */
  private request(): void {
    if (this.finished || this.trailing !== undefined) return;
    const wait = this.lastEmitAt + this.minInterval - this.clock.now();
    if (wait <= 0) return this.emit(false);
    this.trailing = this.clock.setTimeout(() => {
      this.trailing = undefined;
      if (!this.finished) this.emit(false);
    }, wait);
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
