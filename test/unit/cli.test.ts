import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/runCli';
import { silentLogger } from '../../src/core/logging/logger';

const emptyCache = mkdtempSync(path.join(tmpdir(), 'mlx-cli-unit-'));
after(() => rmSync(emptyCache, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  return cliWith({ HF_HUB_CACHE: emptyCache, HF_HUB_OFFLINE: '1' }, ...argv);
}

async function cliWith(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), isTTY: false, env, signal: new AbortController().signal, logger: silentLogger };
  const code = await runCli(argv, io, '9.9.9');
  return { code, stdout, stderr };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

  it('refuses odd repo ids as bad arguments (exit code 2) with one line, before any network or disk access', async () => {
    for (const bad of ['../etc/passwd', 'a/b/c', 'no-slash', 'a/b--c', 'org/x--y', '../etc', 'org']) {
      const { code, stderr } = await cli('download', bad, '--cache-dir', path.join(emptyCache, 'never-created'));
      assert.equal(code, 2, bad);
      assert.match(stderr, /^mlx-models: .*is not a Hugging Face model id/);
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.equal(existsSync(path.join(emptyCache, 'never-created')), false, 'nothing written');
    }
    for (const command of ['info', 'delete', 'verify']) {
      const { code, stderr } = await cli(command, 'org/x--y');
      assert.equal(code, 2, command);
      assert.match(stderr, /^mlx-models: "org\/x--y" is not a Hugging Face model id \("--" and "\.\." are not allowed\)/);
    }
  });

  it('refuses an invalid --revision (exit code 2, one line naming the rule) before any network or disk access', async () => {
    const cases: [string, RegExp][] = [
      ['', /\(empty\)/],
      ['..', /"\.\." is not allowed/],
      ['a..b', /"\.\." is not allowed/],
      ['x.lock', /may not end with "\.lock"/],
      ['../../../x', /"\.\." is not allowed/],
      ['.hidden', /may not start with "\."/],
      ['a b', /spaces/],
      ['dev/', /empty path component/],
    ];
    const never = path.join(emptyCache, 'never-created');
    for (const [revision, rule] of cases) {
      for (const command of ['download', 'info', 'verify']) {
        // Offline, a revision that passed would fail with exit 1 (not cached), not 2.
        const { code, stderr } = await cliWith({ HF_HUB_CACHE: never, HF_HUB_OFFLINE: '1' }, command, 'org/tiny', '--revision', revision);
        assert.equal(code, 2, `${command} --revision ${JSON.stringify(revision)}: ${stderr}`);
        assert.match(stderr, new RegExp(`^mlx-models: --revision ${escape(JSON.stringify(revision))} is not a valid branch or tag name`));
        assert.match(stderr, rule);
        assert.equal(stderr.trim().split('\n').length, 1);
      }
    }
    assert.equal(existsSync(never), false, 'nothing written');
  });

  it('takes branch, tag, refs/pr/N and commit revisions', async () => {
    for (const revision of ['main', 'v1.0', 'feature/x', 'refs/pr/1', 'a'.repeat(40)]) {
      const { code, stderr } = await cli('verify', 'org/tiny', '--revision', revision);
      assert.equal(code, 1, revision);
      assert.match(stderr, /is not downloaded/, revision);
    }
  });

  it('refuses extra positional arguments of every command, naming the first one (exit code 2)', async () => {
    const cases: [string[], string, string][] = [
      [['list', 'extra', 'more'], 'extra', 'takes no arguments'],
      [['scan', 'extra'], 'extra', 'takes no arguments'],
      [['info', 'a/b', 'c'], 'c', 'takes one repo id'],
      [['download', 'a/b', 'c', 'd'], 'c', 'takes one repo id'],
      [['delete', 'a/b', 'c'], 'c', 'takes one repo id'],
      [['verify', 'a/b', 'c'], 'c', 'takes one repo id'],
    ];
    for (const [argv, extra, rule] of cases) {
      const { code, stdout, stderr } = await cli(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(stderr, `mlx-models: unexpected argument "${extra}": "${argv[0]}" ${rule}\n`);
      assert.equal(stdout, '', 'the command did not run');
    }
  });

  it('refuses an --endpoint (or HF_ENDPOINT) that is not an http(s) URL (exit code 2)', async () => {
    for (const command of [['download', 'a/b'], ['search', 'x'], ['list']]) {
      const { code, stderr } = await cli(...command, '--endpoint', 'notaurl');
      assert.equal(code, 2, command.join(' '));
      assert.equal(stderr, "mlx-models: --endpoint must be an http(s) URL, got 'notaurl'\n");
    }
    assert.equal((await cli('info', 'a/b', '--endpoint', 'ftp://example.com')).code, 2);
    const fromEnv = await cliWith({ HF_HUB_CACHE: emptyCache, HF_ENDPOINT: 'notaurl' }, 'search', 'x');
    assert.equal(fromEnv.code, 2);
    assert.equal(fromEnv.stderr, "mlx-models: HF_ENDPOINT must be an http(s) URL, got 'notaurl'\n");
  });

  it('refuses a cache folder that is a file, naming the path, for every command that reads the cache (exit code 2)', async () => {
    const file = path.join(emptyCache, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const command of [['list'], ['scan'], ['download', 'a/b'], ['verify', 'a/b'], ['delete', 'a/b'], ['info', 'a/b']]) {
      const { code, stdout, stderr } = await cli(...command, '--cache-dir', file);
      assert.equal(code, 2, command.join(' '));
      assert.equal(stderr, `mlx-models: the Hugging Face cache folder (from --cache-dir) cannot be used: ${file} is a file, not a folder\n`, command.join(' '));
      assert.equal(stdout, '');
    }
    const below = await cli('list', '--cache-dir', path.join(file, 'hub'));
    assert.equal(below.code, 2);
    assert.equal(below.stderr, `mlx-models: the Hugging Face cache folder (from --cache-dir) cannot be used: ${file} is a file, so ${path.join(file, 'hub')} cannot be created\n`);
    const fromEnv = await cliWith({ HF_HUB_CACHE: file }, 'scan');
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /\(from HF_HUB_CACHE\) cannot be used: .*a-file is a file, not a folder/);
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

  it('takes numeric options only as plain decimal whole numbers in range (exit 2, one line naming the range)', async () => {
    const options: [string[], string, number][] = [
      [['search', 'llama'], 'limit', 1000],
      [['download', 'a/b'], 'connections', 64],
      [['download', 'a/b'], 'parallel-files', 64],
      [['chat', 'hello'], 'max-tokens', Number.MAX_SAFE_INTEGER],
    ];
    const odd = ['0x10', ' 5', '5 ', '1e1', '+5', '-1', '1.5', '5.0', '', '0', '00', 'ten', '١٢', '999999999999999999999'];
    for (const [command, name, max] of options) {
      for (const value of [...odd, ...(max < Number.MAX_SAFE_INTEGER ? [String(max + 1)] : [])]) {
        const { code, stdout, stderr } = await cli(...command, `--${name}=${value}`);
        const range = max < Number.MAX_SAFE_INTEGER ? `a whole number from 1 to ${max}` : 'a positive whole number';
        assert.equal(code, 2, `--${name}=${JSON.stringify(value)}: ${stderr}`);
        assert.equal(stderr, `mlx-models: --${name} takes ${range} (got ${JSON.stringify(value)})\n`);
        assert.equal(stdout, '');
      }
    }
    // In range, the command goes on (offline, to fail with exit 1 for want of the Hub).
    for (const [command, name, value] of [
      [['search', 'llama'], 'limit', '1000'],
      [['search', 'llama'], 'limit', '07'],
      [['download', 'a/b'], 'connections', '64'],
      [['download', 'a/b'], 'parallel-files', '1'],
    ] as const) {
      const { code, stderr } = await cli(...command, `--${name}`, value);
      assert.equal(code, 1, `--${name} ${value}: ${stderr}`);
    }
  });

  it('says in --help what range each numeric option takes', async () => {
    const { stdout } = await cli('--help');
    assert.match(stdout, /--limit <n> +search: most results, 1 to 1000 /);
    assert.match(stdout, /--connections <n> +Most connections per large file, 1 to 64;/);
    assert.match(stdout, /--parallel-files <n> +Files downloaded at once, 1 to 64 /);
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
