/**
 * Source of `PieceSizeChooser`, a plain JavaScript class for the hashing worker (whose code is a string
 * evaluated on its own thread: see hashWorker.ts). Exported as text so that tests can run the very code
 * the worker runs.
 *
 * Why: a slab is written in several smaller writes, and which size of write is cheapest depends on the
 * machine and the moment. Linux sizes page-cache folios after the write. On this project's VMs, a bare
 * loop writing 2 GB spent 0.4 s of CPU in 64 KiB writes and 1.4 s in 256 KiB ones (large folios from
 * memory the host must fault in again), yet inside the CLI, with the network on the other core, the
 * worker's 64 KiB writes took 0.65 s per 1.9 GB and its 256 KiB writes 0.45 s (and a whole 512 KiB slab in
 * one write was 1.5-3% faster again, wall). So the worker times each and uses the cheapest, trying the
 * others now and then in case the machine changed its mind.
 *
 * `next()` returns the piece size for the next slab; `record(size, bytes, ms)` reports how long writing
 * `bytes` in pieces of `size` took. Sizes take turns until each was timed `warmUp` times; after that the
 * cheapest per byte (an exponential average of its last timings) is used, and every `exploreEvery`-th
 * slab goes to another size. Writes shorter than `minBytes` are not timed (too noisy per byte).
 */
export const PIECE_SIZE_CHOOSER_SOURCE = String.raw`
class PieceSizeChooser {
  constructor({ sizes, warmUp = 4, exploreEvery = 32, minBytes = 128 * 1024 }) {
    this.sizes = sizes;
    this.warmUp = warmUp;
    this.exploreEvery = exploreEvery;
    this.minBytes = minBytes;
    // Milliseconds per MiB, averaged, and how many timings each average has seen.
    this.cost = sizes.map(() => 0);
    this.samples = sizes.map(() => 0);
    this.slabs = 0;
    this.explored = 0;
    this.current = 0;
  }

  next() {
    const slab = this.slabs++;
    const untried = this.samples.findIndex((n) => n < this.warmUp);
    if (untried >= 0) return this.sizes[slab % this.sizes.length];
    const best = this.best();
    const others = this.sizes.filter((_, i) => i !== best);
    if (slab % this.exploreEvery !== 0 || others.length === 0) return this.sizes[best];
    // Another size than the best, in turn.
    return others[this.explored++ % others.length];
  }

  record(size, bytes, ms) {
    const i = this.sizes.indexOf(size);
    if (i < 0 || bytes < this.minBytes || !(ms >= 0)) return;
    const perMiB = (ms * 1048576) / bytes;
    this.cost[i] = this.samples[i] === 0 ? perMiB : this.cost[i] + (perMiB - this.cost[i]) / 8;
    this.samples[i]++;
  }

  // The size in use stays until another is clearly cheaper: timings are noisy (the thread may be
  // preempted mid-write), and flapping between sizes would spend the exploration's cost every time.
  best() {
    let cheapest = this.current;
    for (let i = 0; i < this.sizes.length; i++) if (this.cost[i] < this.cost[cheapest]) cheapest = i;
    if (this.cost[cheapest] < this.cost[this.current] * 0.9) this.current = cheapest;
    return this.current;
  }
}
`;
