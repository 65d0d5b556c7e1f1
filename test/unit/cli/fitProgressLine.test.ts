import assert from 'node:assert/strict';
import { fitProgressLine, type FitProgressLineOptions } from '../../../src/cli/fitProgressLine';
import { visibleWidth } from '../../../src/core/format/visibleWidth';

type Progress = FitProgressLineOptions['progress'];

/** The longest repo id the Hub takes: 96 characters. */
const LONG_NAME = 'mlx-community/DeepSeek-Coder-V2-Lite-Instruct-abliterated-mixed-precision-3bit-6bit-mlx-q4-lora';
const SHORT_NAME = 'mlx-community/Tty-4bit';

const big: Progress = { doneBytes: 1_234_567_890_123, totalBytes: 9_876_543_210_987, bytesPerSecond: 1_234_567_890, etaSeconds: 3_700_000, filesDone: 1234, filesTotal: 5678 };
/** The audit's capture: 105 MB, 5 of 6 files. */
const audit: Progress = { doneBytes: 15_200_000, totalBytes: 105_000_000, bytesPerSecond: 32_700_000, etaSeconds: 2.8, filesDone: 5, filesTotal: 6 };
const starting: Progress = { doneBytes: 0, totalBytes: 4_500_000_000, bytesPerSecond: 0, etaSeconds: undefined, filesDone: 0, filesTotal: 7 };

/** Which parts a line shows, read back from its text. */
function partsOf(line: string, name: string) {
  const bar = /[█░]+/.exec(line)?.[0];
  const model = name.slice(name.indexOf('/') + 1);
  return {
    label: /^([^█░]*) [█░]/.exec(line)?.[1],
    fullName: line.startsWith(`${name} `),
    ellipsized: /^\S*…\S* /.test(line),
    name: line.startsWith(`${name} `) || line.startsWith(`${model} `) || /^\S*…\S* /.test(line),
    barWidth: bar?.length ?? 0,
    speed: /\/s( |$)/.test(line),
    eta: / left( |$)/.test(line),
    files: / files$/.test(line),
    bytes: / \/ /.test(line),
    percent: /\d+%/.test(line),
  };
}

/** The richest part a line shows: the stages a line passes through as the terminal widens. */
function stageOf(p: ReturnType<typeof partsOf>): string {
  if (p.fullName) return 'full name';
  if (p.ellipsized) return 'cut name';
  if (p.name) return 'model name';
  if (p.speed) return 'speed';
  if (p.eta) return 'ETA';
  if (p.barWidth) return 'bar';
  if (p.files) return 'files';
  if (p.bytes) return 'sizes';
  return p.percent ? 'percent' : 'nothing';
}

describe('fitProgressLine', () => {
  it('never takes more than columns - 1 cells, for long names and big numbers, at 40, 80 and 120 columns', () => {
    for (const columns of [40, 80, 120]) {
      for (const name of [LONG_NAME, SHORT_NAME]) {
        for (const progress of [big, audit, starting]) {
          const line = fitProgressLine({ progress, name, columns });
          assert.ok(visibleWidth(line) <= columns - 1, `${columns} columns: ${visibleWidth(line)} cells: ${line}`);
          assert.ok(partsOf(line, name).percent && partsOf(line, name).bytes, `${columns}: ${line}`);
          assert.ok(!line.includes('\x1b') && !/[\r\n]/.test(line), `no escapes (the caller adds \\r\\x1b[2K): ${JSON.stringify(line)}`);
        }
      }
    }
  });

  it('shows everything on a wide terminal, with the whole name and a 24-cell bar', () => {
    assert.equal(
      fitProgressLine({ progress: audit, name: SHORT_NAME, columns: 120 }),
      'mlx-community/Tty-4bit ███░░░░░░░░░░░░░░░░░░░░░ 14% · 15.2 MB / 105 MB · 32.7 MB/s · 3 s left · 5/6 files',
    );
    const line = fitProgressLine({ progress: big, name: LONG_NAME, columns: 200 });
    assert.equal(line, `${LONG_NAME} ███░░░░░░░░░░░░░░░░░░░░░ 12% · 1.2 TB / 9.9 TB · 1.2 GB/s · 1027 h 46 min left · 1234/5678 files`);
  });

  it('at 80 columns keeps speed and ETA and narrows the bar, leaving out a name that does not fit', () => {
    const line = fitProgressLine({ progress: audit, name: LONG_NAME, columns: 80 });
    assert.equal(line, '███░░░░░░░░░░░░░░░░░░ 14% · 15.2 MB / 105 MB · 32.7 MB/s · 3 s left · 5/6 files');
    assert.equal(visibleWidth(line), 79);
  });

  it('at 40 columns keeps the percent, the sizes and the file count', () => {
    assert.equal(fitProgressLine({ progress: audit, name: LONG_NAME, columns: 40 }), '14% · 15.2 MB / 105 MB · 5/6 files');
    assert.equal(fitProgressLine({ progress: big, name: LONG_NAME, columns: 40 }), '12% · 1.2 TB / 9.9 TB · 1234/5678 files');
  });

  it('shortens the name to its model part, then with an ellipsis in the middle', () => {
    const name = 'mlx-community/Llama-3.2-3B-Instruct-4bit';
    const wide = fitProgressLine({ progress: starting, name, columns: 200 });
    assert.ok(wide.startsWith(`${name} `), wide);
    const model = fitProgressLine({ progress: starting, name, columns: 75 });
    assert.ok(model.startsWith('Llama-3.2-3B-Instruct-4bit ░░░░░░░░'), model);
    const squeezed = fitProgressLine({ progress: starting, name, columns: 60 });
    assert.match(squeezed, /^Llama-3\.2-\S*…\S*-4bit ░{8} 0%/);
    assert.equal(visibleWidth(squeezed), 59);
  });

  it('gives way in order, the bar first, then the name, speed, ETA, bar, files, sizes; wider never shows less', () => {
    for (const name of [LONG_NAME, SHORT_NAME]) {
      for (const progress of [big, audit]) {
        let previous: ReturnType<typeof partsOf> | undefined;
        const seen = new Set<string>();
        for (let columns = 1; columns <= 260; columns++) {
          const line = fitProgressLine({ progress, name, columns });
          assert.ok(visibleWidth(line) <= Math.max(0, columns - 1), `${columns}: ${line}`);
          const p = partsOf(line, name);
          const at = `${columns} columns: ${line}`;
          if (p.barWidth > 0) assert.ok(p.barWidth >= 8 && p.barWidth <= 24, at);
          if (p.name) assert.ok(p.speed && p.eta && p.files && p.barWidth > 0, `the name goes before anything else: ${at}`);
          if (p.ellipsized) assert.equal(p.barWidth, 8, `the bar narrows before the name is cut: ${at}`);
          if (p.speed) assert.ok(p.eta && p.barWidth > 0, `the speed goes before the ETA and the bar: ${at}`);
          if (p.eta) assert.ok(p.barWidth > 0, `the ETA goes before the bar: ${at}`);
          if (p.barWidth > 0) assert.ok(p.files, `the bar goes before the file count: ${at}`);
          if (p.files) assert.ok(p.bytes, `the file count goes before the sizes: ${at}`);
          if (previous) {
            for (const key of ['name', 'speed', 'eta', 'files', 'bytes', 'percent'] as const) assert.ok(p[key] || !previous[key], `${key} lost when wider: ${at}`);
            const sameParts = (['label', 'speed', 'eta', 'files', 'bytes'] as const).every((key) => p[key] === previous![key]);
            if (sameParts) assert.ok(p.barWidth >= previous.barWidth, `the bar narrowed when wider: ${at}`);
          }
          previous = p;
          seen.add(stageOf(p));
        }
        assert.ok(previous!.fullName && previous!.barWidth === 24);
        const expected = ['nothing', 'percent', 'sizes', 'files', 'bar', 'ETA', 'speed', 'full name'];
        assert.deepEqual([...seen].filter((stage) => expected.includes(stage)), expected, 'every stage was passed through, in order');
        if (name === LONG_NAME) assert.ok(seen.has('cut name'));
      }
    }
  });

  it('draws the bar in proportion, and a full one at 100%', () => {
    const done: Progress = { ...audit, doneBytes: audit.totalBytes, etaSeconds: 0, filesDone: 6 };
    assert.match(fitProgressLine({ progress: done, columns: 200 }), /^█{24} 100% /);
    assert.match(fitProgressLine({ progress: { ...audit, doneBytes: audit.totalBytes / 2 }, columns: 200 }), /^█{12}░{12} 50% /);
  });
});
