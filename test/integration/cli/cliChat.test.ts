import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGeminiStandin, type GeminiStandin } from '../../fixtures/geminiStandin';
import { seedModelFixtures, startHubStandin, type HubStandin } from '../../fixtures/hubStandin';
import { assertCliBuilt, startCli } from './cliProcess';

const R1 = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
const STANDIN = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'mlxLmStandin');

/** Processes whose command line mentions `needle` (the runner's --model path holds the cache dir). */
function processesMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('CLI chat, through the router, the runner and real stand-ins', function () {
  this.timeout(120_000);
  let hub: HubStandin;
  let gemini: GeminiStandin;
  let cacheDir: string;
  const env = () => ({
    PYTHONPATH: STANDIN,
    MLX_STANDIN_TOKEN_DELAY_MS: '2',
    // Reasoning, then the echo once, then stop: short answers that still show both parts.
    MLX_STANDIN_ANSWER: 'echo',
    GEMINI_API_KEY: 'test-gemini-key',
    GOOGLE_GEMINI_BASE_URL: gemini.baseUrl,
  });
  const chat = (args: string[], extraEnv: Record<string, string> = {}) => startCli(['chat', '--cache-dir', cacheDir, ...args], { ...env(), ...extraEnv });

  before(async () => {
    assertCliBuilt();
    hub = await startHubStandin({ repos: seedModelFixtures({ weightBytes: 100_000 }) });
    gemini = await startGeminiStandin({ validKeys: ['test-gemini-key'] });
    cacheDir = await mkdtemp(path.join(tmpdir(), 'mlx-chat-cli-'));
    const download = startCli(['download', R1, '--cache-dir', cacheDir, '--endpoint', hub.endpoint]);
    assert.equal((await download.exited).code, 0);
  });

  after(async () => {
    await hub?.close();
    await gemini?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('answers with the local model: reasoning, then the answer, then usage and speed; no runner left', async () => {
    const run = chat(['--model', R1, 'Hello there']);
    const { code, stdout, stderr } = await run.exited;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^\[thinking\] .+\n\[answer\] You said: Hello there/s);
    assert.match(stderr, /^\d+ prompt \+ \d+ completion tokens · [\d.]+ tokens\/s · first token after \d+ ms\n$/);
    assert.deepEqual(processesMentioning(cacheDir), [], 'the runner was stopped with its process group');
  });

  it('prints every event as a JSON line with --json', async () => {
    const run = chat(['--model', R1, '--json', 'Hi']);
    assert.equal((await run.exited).code, 0);
    const types = run.lines.map((l) => l.type);
    assert.deepEqual(types[0], 'route');
    assert.deepEqual(run.lines[0]!.route, { backend: 'mlx', model: R1 });
    assert.ok(types.includes('reasoning') && types.includes('text'));
    assert.deepEqual(types.slice(-3), ['usage', 'done', 'metrics']);
  });

  it('answers with Gemini when asked', async () => {
    const { code, stdout } = await chat(['--backend', 'gemini', 'What is MLX?']).exited;
    assert.equal(code, 0);
    assert.match(stdout, /What is MLX\?/);
    const request = gemini.requests.at(-1)!;
    assert.equal(request.key, 'valid');
    assert.equal(request.model, 'gemini-2.5-flash');
  });

  it('falls back to Gemini, saying why, when the model is not downloaded', async () => {
    const { code, stdout, stderr } = await chat(['--model', 'mlx-community/Llama-3.2-3B-Instruct-4bit', 'Hi']).exited;
    assert.equal(code, 0);
    assert.match(stderr, /MLX can't answer: Llama 3\.2 3B Instruct 4-bit is not downloaded\. Answering with Gemini/);
    assert.ok(stdout.length > 0);
  });

  it('fails with one actionable line when MLX cannot serve and fallback is off', async () => {
    const { code, stderr } = await chat(['--model', 'mlx-community/Llama-3.2-3B-Instruct-4bit', '--no-fallback', 'Hi']).exited;
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /^mlx-models: Llama 3\.2 3B Instruct 4-bit is not downloaded\./);
  });

  it('says mlx_lm is missing when the Python has no mlx_lm', async () => {
    const { code, stderr } = await chat(['--model', R1, '--no-fallback', 'Hi'], { PYTHONPATH: '' }).exited;
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^mlx-models: mlx-lm is not installed for .*Set Up Local Runtime/);
  });

  it('Ctrl-C stops mid-answer with exit code 130 and leaves no runner', async () => {
    const run = chat(['--model', R1, '--max-tokens', '400', '--json', 'Tell me a long story'], { MLX_STANDIN_TOKEN_DELAY_MS: '30', MLX_STANDIN_ANSWER: 'fill' });
    await run.waitForLine((l) => l.type === 'text');
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    assert.equal(code, 130);
    assert.deepEqual(processesMentioning(cacheDir), []);
  });
});
