import assert from 'node:assert/strict';
import { terminalColumns } from '../../../src/cli/terminalColumns';

describe('terminalColumns', () => {
  it("is the stream's width, else COLUMNS, else 80", () => {
    assert.equal(terminalColumns({ columns: 132 }, { COLUMNS: '40' }), 132);
    assert.equal(terminalColumns({ columns: 0 }, { COLUMNS: '40' }), 40, 'a pseudo-terminal without a size reports 0');
    assert.equal(terminalColumns({}, { COLUMNS: ' 100 ' }), 100);
    for (const odd of [undefined, '', '0', 'wide', '1e2', '-5']) assert.equal(terminalColumns({}, { COLUMNS: odd }), 80, String(odd));
  });
});
