import assert from 'node:assert/strict';
import { LocalWaitClock } from '../../../../src/core/download/localWaitClock';

/** A clock the test moves by hand. */
function manualClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('LocalWaitClock: was our own disk the limit since the probe last looked?', () => {
  it('does not count short waits of a bursty link (a slab filling faster than it is written now and then)', () => {
    const clock = manualClock();
    const waits = new LocalWaitClock(0.5, clock.now);
    for (let i = 0; i < 10; i++) {
      waits.onWait(true);
      clock.advance(2);
      waits.onWait(false);
      clock.advance(8);
    }
    assert.equal(waits.waitedMostlySinceLastLook(), false, '20 ms of 100 ms');
  });

  it('counts a connection that waits most of the time (a slow disk)', () => {
    const clock = manualClock();
    const waits = new LocalWaitClock(0.5, clock.now);
    for (let i = 0; i < 10; i++) {
      waits.onWait(true);
      clock.advance(9);
      waits.onWait(false);
      clock.advance(1);
    }
    assert.equal(waits.waitedMostlySinceLastLook(), true, '90 ms of 100 ms');
    clock.advance(100);
    assert.equal(waits.waitedMostlySinceLastLook(), false, 'each look judges only the time since the one before');
  });

  it('counts a wait still going on at the look, and goes on counting it after', () => {
    const clock = manualClock();
    const waits = new LocalWaitClock(0.5, clock.now);
    clock.advance(40);
    waits.onWait(true);
    clock.advance(60);
    assert.equal(waits.waitedMostlySinceLastLook(), true, '60 ms of 100 ms, not yet over');
    clock.advance(100);
    assert.equal(waits.waitedMostlySinceLastLook(), true, 'the whole next interval');
    waits.onWait(false);
    clock.advance(100);
    assert.equal(waits.waitedMostlySinceLastLook(), false);
  });

  it('counts time during which any of several connections waited, once', () => {
    const clock = manualClock();
    const waits = new LocalWaitClock(0.5, clock.now);
    waits.onWait(true);
    clock.advance(30);
    waits.onWait(true);
    clock.advance(10);
    waits.onWait(false);
    clock.advance(5);
    waits.onWait(false);
    clock.advance(55);
    assert.equal(waits.waitedMostlySinceLastLook(), false, '45 ms of 100 ms with someone waiting, not the 75 ms of both waits added');
    waits.onWait(true);
    waits.onWait(true);
    clock.advance(100);
    waits.onWait(false);
    assert.equal(waits.waitedMostlySinceLastLook(), true, 'one connection still waiting');
  });

  it('ignores an unpaired stop', () => {
    const clock = manualClock();
    const waits = new LocalWaitClock(0.5, clock.now);
    waits.onWait(false);
    waits.onWait(true);
    clock.advance(100);
    assert.equal(waits.waitedMostlySinceLastLook(), true);
  });
});
