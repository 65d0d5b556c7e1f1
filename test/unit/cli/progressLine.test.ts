import assert from 'node:assert/strict';
import { ProgressLine } from '../../../src/cli/progressLine';
import { visibleWidth } from '../../../src/core/format/visibleWidth';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';

const event: Extract<DownloadEvent, { type: 'progress' }> = {
  type: 'progress',
  doneBytes: 15_200_000,
  totalBytes: 105_000_000,
  bytesPerSecond: 32_700_000,
  etaSeconds: 2.8,
  final: false,
  filesDone: 5,
  filesTotal: 6,
};

describe('ProgressLine', () => {
  it('redraws in place, each line fitted to the width the terminal has at that moment', () => {
    const writes: string[] = [];
    let columns = 120;
    const line = new ProgressLine({ write: (text) => writes.push(text), name: 'mlx-community/Tty-4bit', columns: () => columns });
    line.update(event);
    columns = 40; // the terminal was narrowed
    line.update(event);
    columns = 80;
    line.update(event);
    line.clear();
    line.clear();
    assert.equal(writes.length, 4, 'cleared once');
    for (const text of writes) assert.ok(text.startsWith('\r\x1b[2K'), JSON.stringify(text));
    assert.deepEqual(
      writes.map((text) => visibleWidth(text)),
      [105, 34, 79, 0],
    );
    assert.ok(writes[0]!.includes('mlx-community/Tty-4bit'));
    assert.ok(!writes[1]!.includes('█'), 'no bar at 40 columns');
  });
});
