import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/runCli';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, '9.9.9');
  return { code, stdout, stderr };
}

describe('CLI', () => {
  it('prints its version', async () => {
    assert.deepEqual(await cli('--version'), { code: 0, stdout: '9.9.9\n', stderr: '' });
  });

  it('prints usage for --help and for no command', async () => {
    for (const args of [['--help'], []]) {
      const { code, stdout } = await cli(...args);
      assert.equal(code, 0);
      assert.match(stdout, /^Usage:/m);
    }
  });

  it('lists the seed models as JSON lines', async () => {
    const { code, stdout } = await cli('list', '--json');
    assert.equal(code, 0);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 6);
    assert.ok(rows.some((r) => r.isDefault && r.repoId === 'mlx-community/Llama-3.2-3B-Instruct-4bit'));
  });

  it('fails with one line and exit code 2 on an unknown command or option', async () => {
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'mlx-models: unknown command "frobnicate" (see --help)\n');
    const badOption = await cli('--nope');
    assert.equal(badOption.code, 2);
    assert.equal(badOption.stderr.split('\n').length, 2);
  });
});
