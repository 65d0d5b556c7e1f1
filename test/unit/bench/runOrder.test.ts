import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The benchmark is plain ESM run by node; the transpiled tests are CommonJS (their import() becomes a
// require, which cannot load an .mjs on Node 20), so a child node computes the orders with the real module.
const runOrderUrl = pathToFileURL(path.resolve(__dirname, '../../../../bench/download/runOrder.mjs')).href;

type Order = { warmUp: string | undefined; rounds: string[][] };

function ordersFor(cases: readonly (readonly [readonly string[], number])[]): Order[] {
  const script = `import { balancedRunOrder } from ${JSON.stringify(runOrderUrl)};
    const cases = ${JSON.stringify(cases)};
    process.stdout.write(JSON.stringify(cases.map(([tools, runs]) => balancedRunOrder(tools, runs))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return (JSON.parse(out) as Order[]).map((o) => ({ warmUp: o.warmUp, rounds: o.rounds }));
}

/** The warm-up, then every timed run, as the bench runs them. */
function sequenceOf(order: Order): string[] {
  return [...(order.warmUp ? [order.warmUp] : []), ...order.rounds.flat()];
}

/** For each tool, how often each other tool ran right before it (in the order of `tools`). */
function predecessors(sequence: string[], tools: readonly string[]): Map<string, number[]> {
  const count = (before: string, tool: string) => sequence.filter((t, i) => i > 0 && t === tool && sequence[i - 1] === before).length;
  return new Map(tools.map((t) => [t, tools.filter((o) => o !== t).map((o) => count(o, t))]));
}

describe('benchmark run order', () => {
  const uncapped = ['cli', 'cli-1', 'curl', 'aria2c'];
  const capped = ['cli', 'cli-16', 'aria2c'];
  const cases = [
    [uncapped, 3],
    [capped, 3],
    [capped, 4],
    [uncapped, 1],
    [uncapped, 6],
    [['a', 'b'], 3],
    [['curl'], 2],
  ] as const;
  let orders: Order[];
  before(() => {
    orders = ordersFor(cases);
  });

  it('runs every tool once per round, after a warm-up by one of them', () => {
    const order = orders[0]!;
    assert.equal(order.rounds.length, 3);
    for (const round of order.rounds) assert.deepEqual([...round].sort(), [...uncapped].sort());
    assert.ok(uncapped.includes(order.warmUp!));
  });

  it('with four tools and three runs, puts each tool right after each other tool exactly once', () => {
    const sequence = sequenceOf(orders[0]!);
    for (const [tool, counts] of predecessors(sequence, uncapped)) assert.deepEqual(counts, [1, 1, 1], `before ${tool}: ${sequence.join(' ')}`);
  });

  it('never runs a tool right after itself, and spreads the predecessors as evenly as the count allows', () => {
    cases.slice(0, -1).forEach(([tools, runs], i) => {
      const sequence = sequenceOf(orders[i]!);
      const label = `${tools.join(',')} × ${runs}: ${sequence.join(' ')}`;
      assert.equal(sequence.length, tools.length * runs + 1, label);
      for (const round of orders[i]!.rounds) assert.deepEqual([...round].sort(), [...tools].sort(), label);
      for (let j = 1; j < sequence.length; j++) assert.notEqual(sequence[j], sequence[j - 1], label);
      for (const [tool, counts] of predecessors(sequence, tools)) {
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${label}, before ${tool}: ${counts.join(',')}`);
      }
    });
  });

  it('has no warm-up for a lone tool', () => {
    assert.deepEqual(orders.at(-1), { warmUp: undefined, rounds: [['curl'], ['curl']] });
  });
});
