import assert from 'node:assert/strict';
import { PIECE_SIZE_CHOOSER_SOURCE } from '../../../../src/core/download/pieceSizeChooser';

interface Chooser {
  next(): number;
  record(size: number, bytes: number, ms: number): void;
}
type ChooserClass = new (options: { sizes: number[]; warmUp?: number; exploreEvery?: number; minBytes?: number }) => Chooser;

// The very text the hashing worker evaluates.
const PieceSizeChooser = new Function(`${PIECE_SIZE_CHOOSER_SOURCE}\nreturn PieceSizeChooser;`)() as ChooserClass;

const KiB = 1024;
const SLAB = 512 * KiB;

/** Runs `slabs` slab writes where writing a MiB in pieces of each size costs `msPerMiB(size)`; returns the sizes used. */
function run(chooser: Chooser, slabs: number, msPerMiB: (size: number) => number): number[] {
  const used: number[] = [];
  for (let i = 0; i < slabs; i++) {
    const size = chooser.next();
    used.push(size);
    chooser.record(size, SLAB, (msPerMiB(size) * SLAB) / (1024 * KiB));
  }
  return used;
}

const count = (sizes: number[], size: number) => sizes.filter((s) => s === size).length;

describe('piece size chooser (hashing worker)', () => {
  it('takes turns until each size was timed, then writes in the cheaper one, trying the other now and then', () => {
    const chooser = new PieceSizeChooser({ sizes: [64 * KiB, 256 * KiB], warmUp: 4, exploreEvery: 32 });
    const used = run(chooser, 8 + 320, (size) => (size === 64 * KiB ? 0.4 : 0.25));
    assert.deepEqual(used.slice(0, 8), [64, 256, 64, 256, 64, 256, 64, 256].map((k) => k * KiB));
    const after = used.slice(8);
    assert.equal(count(after, 64 * KiB), 10, 'one slab in 32 tries the dearer size');
    assert.equal(count(after, 256 * KiB), 310);
  });

  it('moves to the other size when the machine changes and it becomes clearly cheaper', () => {
    const chooser = new PieceSizeChooser({ sizes: [64 * KiB, 256 * KiB], warmUp: 4, exploreEvery: 8 });
    run(chooser, 100, (size) => (size === 64 * KiB ? 0.4 : 0.25));
    // Large folios now cost far more (memory the host must fault in again, say).
    const used = run(chooser, 200, (size) => (size === 64 * KiB ? 0.4 : 1.4));
    assert.ok(count(used.slice(-100), 64 * KiB) >= 85, `mostly 64 KiB pieces at the end: ${count(used.slice(-100), 64 * KiB)} of 100`);
  });

  it('stays with the size in use while the other is only a little cheaper (timings are noisy)', () => {
    const chooser = new PieceSizeChooser({ sizes: [64 * KiB, 256 * KiB], warmUp: 4, exploreEvery: 32 });
    const used = run(chooser, 8 + 96, (size) => (size === 64 * KiB ? 0.3 : 0.28));
    assert.equal(count(used.slice(8), 256 * KiB), 3, 'the first size in use kept; the slightly cheaper one only tried');
  });

  it('with a single size, always that one', () => {
    const chooser = new PieceSizeChooser({ sizes: [64 * KiB], warmUp: 2, exploreEvery: 4 });
    assert.deepEqual(new Set(run(chooser, 40, () => 0.4)), new Set([64 * KiB]));
  });

  it('does not time short writes: their cost per byte says little', () => {
    const chooser = new PieceSizeChooser({ sizes: [64 * KiB, 256 * KiB], warmUp: 1, exploreEvery: 1000, minBytes: 128 * KiB });
    chooser.record(chooser.next(), 4 * KiB, 50); // 64 KiB pieces, a tiny and very slow write: ignored
    chooser.record(chooser.next(), SLAB, 1); // 256 KiB
    chooser.record(chooser.next(), SLAB, 0.2); // 64 KiB, timed now: cheaper
    assert.equal(chooser.next(), 64 * KiB);
  });
});
