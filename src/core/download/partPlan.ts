/** A byte range of the file `[start, end)` of which the first `done` bytes are on disk. */
export interface PartState {
  start: number;
  end: number;
  done: number;
  /** Bytes received past `done` and not yet written (in memory or in a pending write). Never saved. */
  pending?: number;
}

/** Options of {@link planParts}. */
export interface PartPlanOptions {
  readonly size: number;
  /** Parts fetched at once. */
  readonly connections: number;
  /** Files up to this size are fetched in one stream. */
  readonly partThresholdBytes: number;
  /** No part is planned smaller than this. */
  readonly minPartBytes: number;
  /**
   * No part is planned larger than this (more parts than connections then: connections take them in
   * file order). @default Infinity (one part per connection)
   */
  readonly maxPartBytes?: number;
}

/** Aligning boundaries keeps writes page-aligned and makes sidecars easy to read. */
const ALIGN = 1024 * 1024;

/**
 * Splits a file into equal aligned parts: one per connection, but none smaller than `minPartBytes`
 * or larger than `maxPartBytes` (one part at or below the threshold, or for a single connection).
 */
export function planParts(options: PartPlanOptions): PartState[] {
  const { size } = options;
  if (size <= options.partThresholdBytes || options.connections <= 1) return [{ start: 0, end: size, done: 0 }];
  const count = Math.max(1, Math.min(options.connections, Math.floor(size / Math.max(1, options.minPartBytes))));
  const cap = Math.max(ALIGN, options.maxPartBytes ?? Infinity);
  const step = Math.max(ALIGN, Math.min(Math.floor(cap / ALIGN) * ALIGN, Math.ceil(size / count / ALIGN) * ALIGN));
  const parts: PartState[] = [];
  for (let start = 0; start < size; start += step) parts.push({ start, end: Math.min(size, start + step), done: 0 });
  return parts;
}

/** Bytes of the part not yet on disk. */
export function remainingOf(part: PartState): number {
  return part.end - part.start - part.done;
}

/** Bytes of the part nobody has received yet: what work stealing may take away. */
function unclaimedOf(part: PartState): number {
  return remainingOf(part) - (part.pending ?? 0);
}

/** Bytes on disk over all parts. */
export function doneOf(parts: readonly PartState[]): number {
  return parts.reduce((sum, part) => sum + part.done, 0);
}

/**
 * Where the run of bytes on disk that starts at `from` ends: `from` itself when the byte at `from`
 * is not written yet. The frontier hasher reads back up to here.
 */
export function contiguousEnd(parts: readonly PartState[], from: number): number {
  let position = from;
  for (;;) {
    const holder = parts.find((part) => part.start <= position && position < part.start + part.done);
    if (!holder) return position;
    position = holder.start + holder.done;
  }
}

/**
 * Work stealing, as aria2c does on capped CDNs: when a connection is free, halve the part with the
 * most bytes left and hand it the upper half, so the last minutes are not spent on one connection.
 * The part being halved keeps its in-flight request and stops at its new end.
 * Returns the new part (already inserted in `parts`, which stays sorted), or undefined when no part
 * has at least two `minPartBytes` left.
 */
export function splitLargestPart(parts: PartState[], minPartBytes: number): PartState | undefined {
  let largest: PartState | undefined;
  for (const part of parts) if (!largest || unclaimedOf(part) > unclaimedOf(largest)) largest = part;
  const floor = Math.max(1, minPartBytes);
  if (!largest || unclaimedOf(largest) < 2 * floor) return undefined;
  // Bytes already received for the part (pending writes) stay below the cut.
  const from = largest.start + largest.done + (largest.pending ?? 0);
  const middle = Math.min(largest.end - floor, Math.ceil((from + unclaimedOf(largest) / 2) / ALIGN) * ALIGN);
  const upper: PartState = { start: middle, end: largest.end, done: 0 };
  largest.end = middle;
  parts.splice(parts.indexOf(largest) + 1, 0, upper);
  return upper;
}

/**
 * Cuts every part with more than two `partBytes` unclaimed just above what its connection has
 * received (plus one `partBytes`), and tiles the rest with new parts of `partBytes`, inserted in file
 * order. Used when a transfer that ran on one open-ended part opens more connections: they then take
 * small parts in file order, so the in-order hash keeps up (see fileTransfer.ts MAX_PART_BYTES).
 */
export function tileRemainder(parts: PartState[], partBytes: number): void {
  const step = Math.max(ALIGN, Math.floor(partBytes / ALIGN) * ALIGN);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (unclaimedOf(part) <= 2 * step) continue;
    const received = part.start + part.done + (part.pending ?? 0);
    const cut = Math.ceil((received + step) / ALIGN) * ALIGN;
    if (cut >= part.end) continue;
    const tiles: PartState[] = [];
    for (let start = cut; start < part.end; start += step) tiles.push({ start, end: Math.min(part.end, start + step), done: 0 });
    part.end = cut;
    parts.splice(i + 1, 0, ...tiles);
    i += tiles.length;
  }
}
