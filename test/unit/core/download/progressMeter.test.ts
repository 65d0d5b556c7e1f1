import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
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

/** A clock whose timers fire half a millisecond early, as Node's can by `performance.now()`. */
class EarlyClock extends FakeClock {
  override setTimeout(callback: () => void, ms: number): unknown {
    return super.setTimeout(callback, ms - 0.5);
  }
}

describe('progress meter', () => {
  it('adds up many files and parts, with resumed bytes counted as done but not as speed', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (s) => events.push(s) });
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
    meter.addFile('f', 2_000_000);
    for (let i = 1; i <= 1000; i++) {
      clock.advance(1);
      meter.update('f', i * 1000);
    }
    // 1000 updates over 1 s (from 0 to 1000 ms inclusive: 11 events if they were 100 ms apart).
    assert.ok(events.length <= 10, `got ${events.length} events`);
    clock.advance(200);
    assert.equal(events.at(-1)!.doneBytes, 1_000_000, 'the trailing event carries the last update');
    meter.update('f', 2_000_000);
    void meter.complete();
    assert.equal(events.at(-1)!.final, true);
    const count = events.length;
    meter.update('f', 2_000_000);
    clock.advance(500);
    assert.equal(events.length, count, 'nothing after completion');
  });

  it('holds the final event until the interval since the previous one has passed (never 11 in a second)', async () => {
    const clock = new FakeClock();
    const events: { at: number; snapshot: ProgressSnapshot }[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (snapshot) => events.push({ at: clock.time, snapshot }) });
    meter.addFile('f', 1000);
    clock.advance(1000);
    meter.update('f', 400);
    assert.equal(events.length, 2);
    clock.advance(35);
    meter.update('f', 1000);
    let settled = false;
    const completion = meter.complete().then(() => (settled = true));
    assert.equal(events.length, 2, 'not 35 ms after the previous event');
    clock.advance(64);
    await Promise.resolve();
    assert.equal(events.length, 2, 'not 99 ms after');
    assert.equal(settled, false, 'complete() settles only once the final event is out');
    clock.advance(1);
    assert.equal(events.length, 3, 'exactly 100 ms after, and once: the pending trailing event was replaced');
    assert.deepEqual(events[2], { at: 1100, snapshot: { ...events[2]!.snapshot, doneBytes: 1000, final: true } });
    await completion;
    assert.equal(settled, true);
    assert.equal(meter.complete(), meter.complete(), 'later calls return the same promise');
    clock.advance(1000);
    assert.equal(events.length, 3, 'nothing after completion');
  });

  it('skips the event due just before the end, so that the final one need not wait an interval behind it', () => {
    const clock = new FakeClock();
    const events: { at: number; snapshot: ProgressSnapshot }[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (snapshot) => events.push({ at: clock.time, snapshot }) });
    meter.addFile('f', 1000);
    clock.advance(200);
    meter.update('f', 400); // 2000 B/s: 300 ms left, more than an interval
    clock.advance(150);
    meter.update('f', 1000); // every byte in: the end (hash check, rename) is a moment away
    clock.advance(10);
    meter.update('f', 1000); // the file reported done: nothing new
    clock.advance(10);
    assert.deepEqual(events.map((e) => e.at), [0, 200], 'no event for the last bytes, nor for the same bytes again');
    void meter.complete();
    assert.deepEqual(events.map((e) => e.at), [0, 200, 370], 'the final event at once: 170 ms after the previous one');
    assert.equal(events[2]!.snapshot.final, true);
    assert.equal(events[2]!.snapshot.doneBytes, 1000);
  });

  it('emits nothing at 100 % before the end: the final event, when the last hash and rename are done, is not held back', () => {
    const clock = new FakeClock();
    const events: { at: number; snapshot: ProgressSnapshot }[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (snapshot) => events.push({ at: clock.time, snapshot }) });
    meter.addFile('f', 1000);
    clock.advance(200);
    meter.update('f', 400);
    clock.advance(150);
    meter.update('f', 1000); // every byte received; the hash of the last slabs still runs
    clock.advance(400);
    meter.tick(); // the heartbeat: nothing new to say
    clock.advance(1000);
    assert.deepEqual(events.map((e) => e.at), [0, 200], 'no event while only the end is left');
    void meter.complete();
    assert.deepEqual(events.map((e) => e.at), [0, 200, 1750], 'the final event at once');
    assert.equal(events[2]!.snapshot.doneBytes, 1000);
  });

  it('emits again when a finished file starts over (its hash did not match)', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1000);
    clock.advance(200);
    meter.update('f', 1000);
    clock.advance(200);
    meter.update('f', 0);
    clock.advance(200);
    assert.deepEqual(events.map((e) => e.doneBytes), [0, 0]);
  });

  it('foresees the end at the recent rate when the download sped up (the smoothed speed lags behind)', () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: () => times.push(clock.time) });
    meter.addFile('f', 10_000);
    clock.advance(100);
    meter.update('f', 100); // 1000 B/s: the smoothed speed starts here
    clock.advance(100);
    meter.update('f', 1100); // 10 kB/s now; smoothed about 1300 B/s
    clock.advance(100);
    meter.update('f', 9500); // 84 kB/s: the 500 bytes left are 6 ms away (the smoothed speed says 400 ms)
    clock.advance(10);
    meter.update('f', 10_000);
    void meter.complete();
    assert.deepEqual(times, [0, 100, 200, 310], 'the event due at 300 skipped, the final one at once');
  });

  it('skips no more than one event when the end it expected does not come (a stall before the last bytes)', () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: () => times.push(clock.time) });
    meter.addFile('f', 1000);
    clock.advance(200);
    meter.update('f', 500); // 2500 B/s: 200 ms left
    clock.advance(100);
    meter.update('f', 960); // due now, and at 4600 B/s the end looks 9 ms away: skipped
    clock.advance(1000); // ...but the last bytes never come
    assert.deepEqual(times, [0, 200, 400], 'emitted one interval after the skipped one');
  });

  it('never emits early when a timer fires early: the rest of the interval is waited out', () => {
    const clock = new EarlyClock();
    const times: number[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: () => times.push(clock.time) });
    meter.addFile('f', 1000);
    clock.advance(1000);
    meter.update('f', 10); // at 1000
    clock.advance(35);
    meter.update('f', 20); // trailing, due at 1100
    clock.advance(200);
    meter.update('f', 30); // at 1235
    clock.advance(35);
    void meter.complete(); // due at 1335
    clock.advance(200);
    assert.deepEqual(times, [0, 1000, 1100, 1235, 1335]);
  });

  it('emits the final event at once when the previous one is old enough', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1000);
    clock.advance(100);
    void meter.complete();
    assert.equal(events.length, 2);
    assert.equal(events[1]!.final, true);
  });

  it('by default leaves 105 ms between events, so that even read with some delay no second holds 11', () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const meter = new ProgressMeter({ clock, onUpdate: () => times.push(clock.time) });
    meter.addFile('f', 1e9);
    for (let t = 1; t <= 3000; t++) {
      clock.advance(1);
      meter.update('f', t * 1000);
    }
    void meter.complete();
    clock.advance(200);
    assert.ok(times.length >= 28, `${times.length} events`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 105, `gap ${times[i]! - times[i - 1]!} before event ${i}`);
    // The final event (35 ms after the previous one before the fix) keeps the gap too.
    assert.ok(times.at(-1)! - times.at(-2)! >= 105);
  });

  it('with the system clock, the final event waits out the interval exactly (a timer firing early is armed again)', async () => {
    const times: number[] = [];
    const meter = new ProgressMeter({ onUpdate: () => times.push(performance.now()) });
    meter.addFile('f', 1000);
    meter.update('f', 1000);
    await meter.complete();
    assert.equal(times.length, 2);
    const gap = times[1]! - times[0]!;
    assert.ok(gap >= 104.9 && gap < 160, `gap ${gap} ms`);
  });

  it('keeps the process alive until the final event is out (the CLI awaits it before exiting)', () => {
    const meterModule = path.resolve(__dirname, '../../../../src/core/download/progressMeter.js');
    const script = `
      const { ProgressMeter } = require(${JSON.stringify(meterModule)});
      const meter = new ProgressMeter({ onUpdate: (s) => console.log(s.final ? 'final' : 'event') });
      meter.addFile('f', 10);
      void meter.complete().then(() => console.log('settled'));`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(child.stderr, '');
    assert.deepEqual(child.stdout.trim().split('\n'), ['event', 'final', 'settled']);
  });

  it('smooths speed over about 3 s instead of jumping with every burst', () => {
    const clock = new FakeClock();
    const events: ProgressSnapshot[] = [];
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (s) => events.push(s) });
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
    const meter = new ProgressMeter({ clock, minIntervalMs: 100, onUpdate: (s) => events.push(s) });
    meter.addFile('f', 1000);
    clock.advance(1000);
    meter.update('f', 500);
    clock.advance(1000);
    meter.update('f', 0);
    assert.equal(events.at(-1)!.doneBytes, 0);
    assert.ok(events.at(-1)!.bytesPerSecond >= 0);
  });
});
