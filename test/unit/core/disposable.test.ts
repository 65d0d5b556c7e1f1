import assert from 'node:assert/strict';
import { Disposable, toDisposable } from '../../../src/core/lifecycle/disposable';

class Owner extends Disposable {
  add(fn: () => void) {
    return this._register(toDisposable(fn));
  }
}

describe('Disposable', () => {
  it('disposes children once, in reverse order of registration', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.add(() => order.push('first'));
    owner.add(() => order.push('second'));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
  });

  it('disposes at once what is registered after disposal', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.add(() => (disposed = true));
    assert.equal(disposed, true);
  });

  it('disposes every child even when one throws, then reports the error', () => {
    const owner = new Owner();
    let later = false;
    owner.add(() => (later = true));
    owner.add(() => {
      throw new Error('boom');
    });
    assert.throws(() => owner.dispose(), /boom/);
    assert.equal(later, true);
  });
});
