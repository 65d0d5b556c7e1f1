// In which order the benchmark runs its tools on one repo.
//
// On this kind of VM a run can be slowed by what ran just before it, and not alike for every pair nor
// from one hour to the next (5 s pause after each deletion, as the bench does): in one series on the
// 4×450 MB repo the CLI's last file took 0.6-1.0 s instead of 0.35 in about one run in three right after
// aria2c and never after curl, while curl took 2.1-2.3 s instead of 1.8 in three of eight runs right after
// the CLI; in the three bench runs that followed, the CLI ran slow (2.2-2.9 s instead of ~1.9) in 7 of its
// 12 runs right after curl and in 1 of 12 after aria2c, and curl never did. A plain rotation of
// [cli, cli-1, curl, aria2c] put the CLI after aria2c in two runs of three and curl after aria2c never:
// each tool had its own luck. So the order is chosen: rounds that each run every tool once (slow drifts
// of the machine hit all tools alike), chained so that every tool follows each other tool as often as the
// others do, and an untimed warm-up run first, so that the first timed run too comes right after another
// tool's download of the same files.

/**
 * @param {readonly string[]} tools
 * @param {number} runs timed runs per tool
 * @returns {{ warmUp: string | undefined, rounds: string[][] }} warmUp is undefined for a single tool
 */
export function balancedRunOrder(tools, runs) {
  if (tools.length < 2) return { warmUp: undefined, rounds: Array.from({ length: runs }, () => [...tools]) };
  const perms = permutations(tools);
  // Exhaustive while small (4 tools × 3 runs: 4 × 24³ orders), round by round beyond.
  const exhaustive = tools.length * perms.length ** runs <= 200_000;
  let best;
  for (const warmUp of tools) {
    const candidate = exhaustive ? searchAll(warmUp, perms, runs) : greedy(warmUp, perms, runs);
    if (!best || candidate.cost < best.cost) best = { warmUp, ...candidate };
  }
  return { warmUp: best.warmUp, rounds: best.rounds };
}

/** How often each tool came right after each other one in this sequence (the warm-up first). */
function followCounts(sequence) {
  const counts = new Map();
  for (let i = 1; i < sequence.length; i++) {
    const key = `${sequence[i - 1]}>${sequence[i]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Lower is fairer: the largest count first, then the spread (sum of squares); a tool after itself is worst. */
function cost(sequence) {
  let max = 0;
  let squares = 0;
  for (const [key, n] of followCounts(sequence)) {
    const [a, b] = key.split('>');
    const weight = a === b ? 1000 : 1;
    max = Math.max(max, n * weight);
    squares += n * n * weight;
  }
  return max * 1e6 + squares;
}

function searchAll(warmUp, perms, runs) {
  let best;
  const walk = (sequence, rounds) => {
    if (rounds.length === runs) {
      const c = cost(sequence);
      if (!best || c < best.cost) best = { cost: c, rounds: [...rounds] };
      return;
    }
    for (const p of perms) walk([...sequence, ...p], [...rounds, p]);
  };
  walk([warmUp], []);
  return best;
}

function greedy(warmUp, perms, runs) {
  let sequence = [warmUp];
  const rounds = [];
  for (let r = 0; r < runs; r++) {
    let pick;
    for (const p of perms) {
      const c = cost([...sequence, ...p]);
      if (!pick || c < pick.cost) pick = { cost: c, p };
    }
    sequence = [...sequence, ...pick.p];
    rounds.push(pick.p);
  }
  return { cost: cost(sequence), rounds };
}

function permutations(items) {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}
