import assert from 'node:assert/strict';
import { LargeFileGate } from '../../../../src/core/snapshot/largeFileGate';

/** Settles pending promise callbacks, so "still waiting" can be asserted without timers. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LargeFileGate', () => {
  it('lets one large file in at a time while no transfer has found the link capped', async () => {
    const gate = new LargeFileGate();
    const signal = new AbortController().signal;
    const leaveFirst = await gate.enter(signal);
    let secondIn = false;
    const second = gate.enter(signal).then((leave) => {
      secondIn = true;
      return leave;
    });
    await flush();
    assert.equal(secondIn, false);
    leaveFirst();
    leaveFirst(); // a second call changes nothing
    const leaveSecond = await second;
    assert.equal(secondIn, true);
    leaveSecond();
  });

  it('lets every waiting file in once a transfer reports the link capped', async () => {
    const gate = new LargeFileGate();
    const signal = new AbortController().signal;
    await gate.enter(signal);
    const entered: number[] = [];
    const waiters = [1, 2, 3].map((n) => gate.enter(signal).then(() => entered.push(n)));
    await flush();
    assert.deepEqual(entered, []);
    gate.linkIsCapped();
    await Promise.all(waiters);
    assert.deepEqual(entered.sort(), [1, 2, 3]);
  });

  it('rejects a waiting file with the abort reason when its download is cancelled', async () => {
    const gate = new LargeFileGate();
    await gate.enter(new AbortController().signal);
    const controller = new AbortController();
    const waiting = gate.enter(controller.signal);
    controller.abort(new Error('user cancelled'));
    await assert.rejects(waiting, /user cancelled/);
  });
});
