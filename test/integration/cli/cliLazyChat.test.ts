import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGeminiStandin, type GeminiStandin } from '../../fixtures/geminiStandin';
import { assertCliBuilt, CLI, type CliSpawnOptions, startCli } from './cliProcess';

/** The second CLI bundle, holding `chat` and the Gemini SDK (see esbuild.mjs). */
const CHAT_BUNDLE = path.join(path.dirname(CLI), 'cliChat.js');
const PROBE = path.resolve(__dirname, '..', '..', 'fixtures', 'recordLoadedModules.js');
const ROOT = path.dirname(path.dirname(CLI));
/** What only chat needs: none of it may be parsed by the other commands. */
const CHAT_ONLY = /node_modules\/(@google\/genai|google-auth-library|gaxios|ws|web-streams-polyfill|node-fetch|eventsource-parser)\/|src\/core\/chat\/|src\/cli\/commands\/chatCommand\.ts/;

/** The sources a bundle was built from, from its linked source map (`npm run build` writes them). */
function bundledSources(bundle: string): string[] {
  const map = `${bundle}.map`;
  if (!existsSync(map)) throw new Error(`${map} is missing: build with \`npm run build\` (a --production build has no source maps)`);
  return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
}

describe('CLI: chat loads from its own bundle, only when it runs', function () {
  this.timeout(60_000);
  let dir: string;

  before(assertCliBuilt);
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mlx-lazy-chat-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI with the probe preloaded; returns its result and every module file it loaded. */
  async function runProbed(args: string[], env: NodeJS.ProcessEnv = {}, options: CliSpawnOptions = {}) {
    const record = path.join(dir, 'loaded.json');
    const result = await startCli(args, { ...env, MLX_LOADED_MODULES_FILE: record }, { ...options, nodeArgs: ['--require', PROBE] }).exited;
    const loaded = JSON.parse(await readFile(record, 'utf8')) as string[];
    // The probe must see the CLI itself, or an absent chat bundle would prove nothing.
    assert.ok(loaded.includes(CLI), `the probe saw ${loaded.join(', ')}`);
    return { ...result, loaded };
  }

  it('prints --help without loading the chat bundle', async () => {
    const { code, stdout, loaded } = await runProbed(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /chat/);
    assert.ok(!loaded.includes(CHAT_BUNDLE), 'cliChat.js was loaded for --help');
  });

  it('scans an empty cache without loading the chat bundle', async () => {
    const { code, stderr, loaded } = await runProbed(['scan', '--json', '--cache-dir', path.join(dir, 'cache')]);
    assert.equal(code, 0, stderr);
    assert.ok(!loaded.includes(CHAT_BUNDLE), 'cliChat.js was loaded for scan');
  });

  describe('chat', () => {
    let gemini: GeminiStandin;
    before(async () => {
      gemini = await startGeminiStandin({ validKeys: ['test-gemini-key'] });
    });
    after(async () => {
      await gemini?.close();
    });

    it('loads the chat bundle from beside dist/cli.js, from another working directory, and answers', async () => {
      const env = { GEMINI_API_KEY: 'test-gemini-key', GOOGLE_GEMINI_BASE_URL: gemini.baseUrl };
      const args = ['chat', '--backend', 'gemini', '--cache-dir', path.join(dir, 'cache'), 'What is MLX?'];
      const { code, stdout, stderr, loaded } = await runProbed(args, env, { cwd: dir });
      assert.equal(code, 0, stderr);
      assert.match(stdout, /Gemini says: What is MLX\?/);
      assert.ok(loaded.includes(CHAT_BUNDLE), 'chat ran without dist/cliChat.js');
      assert.equal(gemini.requests.at(-1)?.key, 'valid');
    });
  });

  it('bundles none of the chat-only code into dist/cli.js, all of it into dist/cliChat.js', () => {
    const cli = bundledSources(CLI);
    assert.ok(cli.some((s) => s.endsWith('src/cli/runCli.ts')), 'dist/cli.js.map lists its sources');
    assert.deepEqual(cli.filter((s) => CHAT_ONLY.test(s)), []);
    const chat = bundledSources(CHAT_BUNDLE);
    for (const needed of ['node_modules/@google/genai/', 'node_modules/google-auth-library/', 'src/cli/commands/chatCommand.ts']) {
      assert.ok(chat.some((s) => s.includes(needed)), `dist/cliChat.js has no ${needed}`);
    }
  });

  it('packs dist/cliChat.js into the .vsix beside dist/cli.js', () => {
    // `vsce ls` lists what `npm run package` would pack (.vscodeignore applied) without building anything.
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
    assert.ok(files.includes('dist/cli.js'), files.join(', '));
    assert.ok(files.includes('dist/cliChat.js'), 'the packaged CLI could not run chat');
  });
});
