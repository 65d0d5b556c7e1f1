// The result table: one row per scenario × repo × tool, ratios against the goal's peer.

export const GOAL_RATIO = 1.1;
export const GOAL_RSS_BYTES = 80e6;

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

const fmt = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/**
 * rows: `{ scenario, repo, key, tool, isCli, isPeer, bytes, walls[], rssKiB[], cpu[], failures[] }`; `peerOf(scenario)`
 * names the key of the tool the goal compares with. Returns the printable table and whether the CLI with
 * default settings (key `cli`) met every goal; variants (other `--connections`) get goals printed, for comparison.
 */
export function renderTable(rows, peerOf) {
  const peerWall = (row) => {
    const peer = rows.find((r) => r.scenario === row.scenario && r.repo === row.repo && r.key === peerOf(row.scenario));
    return peer && peer.failures.length === 0 ? median(peer.walls) : NaN;
  };
  // CPU (user+sys of the measured process) next to wall time shows whether a tool waits on the network or burns a core.
  const header = ['scenario', 'repo', 'tool', 'wall s', 'MB/s', 'CPU s', 'peak RSS MB', 'ratio', 'goals'];
  let allMet = true;
  const body = rows.map((row) => {
    const wall = median(row.walls);
    const rssBytes = median(row.rssKiB) * 1024;
    const ratio = wall / peerWall(row);
    let goals = '';
    if (row.failures.length > 0) {
      goals = `FAILED: ${row.failures[0]}`;
      if (row.key === 'cli') allMet = false;
    } else if (row.isCli) {
      const timeOk = ratio <= GOAL_RATIO;
      const rssOk = rssBytes < GOAL_RSS_BYTES;
      if (row.key === 'cli' && (!timeOk || !rssOk)) allMet = false;
      goals = `time ≤${GOAL_RATIO.toFixed(2)}× ${Number.isFinite(ratio) ? (timeOk ? 'MET' : 'NOT MET') : 'n/a (no peer)'}; RSS <80 MB ${rssOk ? 'MET' : 'NOT MET'}`;
    } else if (row.isPeer) {
      goals = '(goal peer)';
    }
    return [row.scenario, row.repo, row.tool, fmt(wall, 2), fmt(row.bytes / wall / 1e6, 0), fmt(median(row.cpu), 2), fmt(rssBytes / 1e6, 1), row.isPeer ? '1.00 (peer)' : Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '-', goals];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 3 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const text = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  return { text, allMet };
}
