import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startHubStandin } from '../../fixtures/hubStandin';
import { MiB, tinyModel } from '../snapshot/modelHarness';
import { CLI, useCliFixture } from './cliProcess';

/** A long name, as real repos have: the line must still fit. */
const REPO = 'mlx-community/Qwen2.5-Coder-32B-Instruct-abliterated-mixed-3bit-6bit';

/**
 * What a terminal `columns` wide shows after `raw`: a small emulator of what matters here (auto-wrap at
 * the edge, `\r`, `\n`, `ESC[2K` clearing the cursor's row, `ESC[K` the rest of it), so a line that
 * wrapped leaves its first row behind as it does on a real terminal.
 */
function render(raw: string, columns: number): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  let pendingWrap = false;
  // eslint-disable-next-line no-control-regex
  for (const token of raw.match(/\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]/gu) ?? []) {
    if (token === '\r') {
      column = 0;
      pendingWrap = false;
    } else if (token === '\n') {
      row++;
      column = 0;
      pendingWrap = false;
      rows[row] ??= [];
    } else if (token.startsWith('\x1b[')) {
      if (token === '\x1b[2K') rows[row] = [];
      else if (token === '\x1b[K' || token === '\x1b[0K') rows[row] = rows[row]!.slice(0, column);
    } else {
      if (pendingWrap) {
        row++;
        column = 0;
        pendingWrap = false;
        rows[row] ??= [];
      }
      const cells = rows[row]!;
      while (cells.length < column) cells.push(' ');
      cells[column] = token;
      column++;
      if (column === columns) pendingWrap = true;
    }
  }
  return rows.map((cells) => cells.join('').trimEnd());
}

describe('CLI download progress on a terminal (a real pseudo-terminal, via script)', function () {
  this.timeout(60_000);
  const t = useCliFixture('mlx-cli-tty-');

  before(function () {
    // util-linux `script -c` (macOS's script takes other arguments).
    if (process.platform !== 'linux' || spawnSync('script', ['--version']).status !== 0) this.skip();
  });

  /** Downloads on a pseudo-terminal `columns` wide; returns everything written to it. */
  async function downloadOnTerminal(columns: number): Promise<{ code: number | null; raw: string }> {
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, CLI, 'download', REPO, '--cache-dir', t.cacheDir, '--endpoint', t.hub.endpoint].map(quote).join(' ');
    const child = spawn('script', ['-qfec', `stty cols ${columns} rows 40 && exec ${command}`, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let raw = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.end();
    return { code, raw };
  }

  for (const columns of [40, 80]) {
    it(`draws bars that fit ${columns} columns and leaves no stale rows behind`, async () => {
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 24 * MiB)] });
      // About 1.2 s, so the bar is redrawn a dozen times.
      t.hub.faults.set({ kind: 'link-cap', bytesPerSecond: 20e6, origin: 'cdn' });
      const { code, raw } = await downloadOnTerminal(columns);
      assert.equal(code, 0, raw);
      // eslint-disable-next-line no-control-regex
      const bars = raw.split(/\r|\n/).map((segment) => segment.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')).filter((segment) => /\d+% · /.test(segment));
      assert.ok(bars.length >= 5, `the bar was drawn ${bars.length} times`);
      for (const bar of bars) assert.ok([...bar].length <= columns - 1, `${[...bar].length} cells: ${bar}`);
      const screen = render(raw, columns).filter((line) => line !== '');
      assert.ok(screen[0]!.startsWith(`${REPO.slice(0, columns)}`), screen.join('\n'));
      const stale = screen.filter((line) => /[█░]|% · |\bfiles$/.test(line));
      assert.deepEqual(stale, [], `rows left behind at ${columns} columns:\n${screen.join('\n')}`);
      assert.ok(screen.some((line) => line.startsWith('downloaded ')), screen.join('\n'));
    });
  }
});
