import assert from 'node:assert/strict';
import { type MeterClock, ProgressMeter, type ProgressSnapshot } from '../../../../src/core/download/progressMeter';

/** A clock the test advances by hand; timers fire when their time comes. */
class FakeClock implements MeterClock {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }
}

describe('progress meter', () => {
  it('adds up many files and parts, with resumed bytes counted as done but not as speed', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, onUpdate: (s) => events.push(s) });
    meter.addFile('a', 1e9, 5e8);
    meter.addFile('b', 3000);
    clock.advance(1000);
    meter.update('a', 5e8 + 1000);
    meter.update('b', 300);
    clock.advance(100);
    const last = events.at(-1)!;
    assert.equal(last.doneBytes, 5e8 + 1300);
    assert.equal(last.totalBytes, 1e9 + 3000);
    assert.ok(last.bytesPerSecond > 0 && last.bytesPerSecond < 5000, `speed ${last.bytesPerSecond}: the 500 MB resumed must not count`);
    assert.ok(Math.abs(last.etaSeconds! - (last.totalBytes - last.doneBytes) / last.bytesPerSecond) < 1e-6);
  });

  it('emits at most 10 events per second, with a trailing event and a final one', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1_000_000);
    for (let i = 1; i <= 1000; i++) {
      clock.advance(1);
      meter.update('f', i * 1000);
    }
    // 1000 updates over 1 s.
    assert.ok(events.length <= 11, `got ${events.length} events`);
    clock.advance(200);
    assert.equal(events.at(-1)!.doneBytes, 1_000_000, 'the trailing event carries the last update');
    meter.complete();
    assert.equal(events.at(-1)!.final, true);
    const count = events.length;
    meter.update('f', 1_000_000);
    clock.advance(500);
    assert.equal(events.length, count, 'nothing after completion');
  });

  it('smooths speed over about 3 s instead of jumping with every burst', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1e12);
    let done = 0;
    // 10 s at 1 MB/s, then the rate drops to 0.1 MB/s.
    for (let t = 0; t < 10_000; t += 100) {
      clock.advance(100);
      done += 100_000;
      meter.update('f', done);
    }
    assert.ok(Math.abs(events.at(-1)!.bytesPerSecond - 1_000_000) < 1, 'steady rate is reported exactly');
    for (let t = 0; t < 1000; t += 100) {
      clock.advance(100);
      done += 10_000;
      meter.update('f', done);
    }
    const afterOneSecond = events.at(-1)!.bytesPerSecond;
    // e^(-1/3) ≈ 0.72 of the old rate is still in the average after 1 s.
    assert.ok(afterOneSecond > 600_000 && afterOneSecond < 800_000, `speed after 1 s: ${afterOneSecond}`);
    for (let t = 0; t < 15_000; t += 100) {
      clock.advance(100);
      done += 10_000;
      meter.update('f', done);
    }
    assert.ok(Math.abs(events.at(-1)!.bytesPerSecond - 100_000) < 10_000, 'after 16 s the new rate dominates');
  });

  it('lowers done without touching speed when a file restarts from 0', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1000);
    clock.advance(1000);
    meter.update('f', 500);
    clock.advance(1000);
    meter.update('f', 0);
    assert.equal(events.at(-1)!.doneBytes, 0);
    assert.ok(events.at(-1)!.bytesPerSecond >= 0);
  });
});
