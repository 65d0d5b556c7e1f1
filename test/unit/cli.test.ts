import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/runCli';
import { silentLogger } from '../../src/core/logging/logger';

const emptyCache = mkdtempSync(path.join(tmpdir(), 'mlx-cli-unit-'));
after(() => rmSync(emptyCache, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), isTTY: false, env: { HF_HUB_CACHE: emptyCache, HF_HUB_OFFLINE: '1' }, signal: new AbortController().signal, logger: silentLogger };
  const code = await runCli(argv, io, '9.9.9');
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

  it('lists the seed models as JSON lines, none downloaded in an empty cache', async () => {
    const { code, stdout } = await cli('list', '--json');
    assert.equal(code, 0);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 6);
    assert.ok(rows.some((r) => r.isDefault && r.repoId === 'mlx-community/Llama-3.2-3B-Instruct-4bit'));
    assert.ok(rows.every((r) => r.state === 'absent'));
  });

  it('refuses odd repo ids with one line and exit code 1 before any network or disk access', async () => {
    for (const bad of ['../etc/passwd', 'a/b/c', 'no-slash', 'a/b--c']) {
      const { code, stderr } = await cli('download', bad, '--cache-dir', path.join(emptyCache, 'never-created'));
      assert.equal(code, 1, bad);
      assert.match(stderr, /^mlx-models: .*is not a Hugging Face model id/);
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.equal(existsSync(path.join(emptyCache, 'never-created')), false, 'nothing written');
    }
  });

  it('says offline mode forbids the Hub instead of trying', async () => {
    const { code, stderr } = await cli('search', 'llama');
    assert.equal(code, 1);
    assert.match(stderr, /offline/i);
  });

  it('checks numeric options', async () => {
    const { code, stderr } = await cli('download', 'a/b', '--connections', '0');
    assert.equal(code, 2);
    assert.match(stderr, /--connections takes a whole number/);
  });

  it('refuses an option the command does not take, naming the commands that do', async () => {
    const deleteRevision = await cli('delete', 'a/b', '--revision', 'dev');
    assert.equal(deleteRevision.code, 2);
    assert.equal(deleteRevision.stderr, 'mlx-models: --revision does not apply to "delete" (it is an option of info, download, verify)\n');
    const downloadRepair = await cli('download', 'a/b', '--repair');
    assert.equal(downloadRepair.code, 2);
    assert.match(downloadRepair.stderr, /--repair does not apply to "download" \(it is an option of verify\)/);
    assert.equal((await cli('verify', 'a/b', '--sync')).code, 2);
    // The common ones go with every command.
    assert.equal((await cli('list', '--json', '--verbose', '--cache-dir', emptyCache)).code, 0);
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
