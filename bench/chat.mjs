#!/usr/bin/env node
// Chat-path benchmark (`npm run bench:chat`): what the product adds between the local runner's SSE stream
// and the events the UI consumes. Against one mlx_lm stand-in (no per-token delay, so the server is as
// fast as it gets and any overhead shows), it alternates two clients on the same request:
//   raw:     undici `request`, reading the SSE bytes until the first `data:` line with content, then to the end;
//   product: ChatRouter -> OpenAiCompatibleBackend -> ChatEvents (the compiled modules in out/).
// Reports median and p90 time to first token (TTFT) for both, the added TTFT (goal: < 5 ms), and the
// per-token overhead ((product total - raw total) / tokens, paired per round), with ratios.
// A benchmark, not a test: it exits 1 only when something could not run or the answers differ.
//
// Env: BENCH_RUNS (default 30), BENCH_MAX_TOKENS (default 500), BENCH_OUT (compiled tree, default out;
// built with `node esbuild.mjs --tests` when missing).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 30) || 30);
const maxTokens = Math.max(1, Number(process.env.BENCH_MAX_TOKENS ?? 500) || 500);
const outDir = path.resolve(root, process.env.BENCH_OUT ?? 'out');
const WARMUP = 5;
const GOAL_ADDED_TTFT_MS = 5;
const messages = [{ role: 'user', content: 'Tell me about the unified memory of Apple Silicon in a few words.' }];

const log = (msg) => console.log(`[bench:chat] ${msg}`);
const require = createRequire(import.meta.url);

function loadProduct() {
  const chatRouter = path.join(outDir, 'src/core/chat/chatRouter.js');
  if (!existsSync(chatRouter)) {
    log(`building ${path.relative(root, outDir)}/ (node esbuild.mjs --tests) ...`);
    const r = spawnSync(process.execPath, ['esbuild.mjs', '--tests', '--outdir', path.relative(root, outDir)], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('esbuild --tests failed');
  }
  const { ChatRouter } = require(chatRouter);
  const { OpenAiCompatibleBackend } = require(path.join(outDir, 'src/core/chat/openAiCompatibleBackend.js'));
  return { ChatRouter, OpenAiCompatibleBackend };
}

/** `python3 -m mlx_lm server --port 0` from the stand-in folder; the bound port comes from its log line. */
async function startStandin() {
  const hfCache = mkdtempSync(path.join(os.tmpdir(), 'bench-chat-'));
  const env = { ...process.env, PYTHONPATH: path.join(root, 'test/fixtures/mlxLmStandin'), HF_HUB_CACHE: hfCache, MLX_STANDIN_TOKEN_DELAY_MS: '0', MLX_STANDIN_ANSWER: 'fill' };
  for (const key of Object.keys(env)) if (key.startsWith('MLX_STANDIN_') && !['MLX_STANDIN_TOKEN_DELAY_MS', 'MLX_STANDIN_ANSWER'].includes(key)) delete env[key];
  const child = spawn('python3', ['-m', 'mlx_lm', 'server', '--model', 'mlx-community/Standin-1B-4bit', '--host', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(hfCache, { recursive: true, force: true });
  };
  try {
    const port = await new Promise((resolve, reject) => {
      let seen = '';
      const onData = (data) => {
        seen += data.toString('utf8');
        const match = /Starting httpd at \S+ on port (\d+)/.exec(seen);
        if (!match) return;
        child.stderr.off('data', onData);
        child.stderr.resume(); // keep draining: a full pipe would stall the server
        resolve(Number(match[1]));
      };
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the stand-in exited (${code}) before listening: ${seen.slice(-500)}`)));
      child.once('error', reject);
    });
    return { baseUrl: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The baseline: the same request and the same kind of keep-alive Agent, bytes read with no parsing past the first token. */
async function rawRun(undici, agent, baseUrl) {
  const started = performance.now();
  const response = await undici.request(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ messages, stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens }),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  if (response.statusCode !== 200) throw new Error(`raw request answered ${response.statusCode}`);
  let ttft;
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    if (ttft !== undefined) continue;
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (!line.startsWith('data:') || line.includes('[DONE]')) continue;
      if (JSON.parse(line.slice(5)).choices?.[0]?.delta?.content) {
        ttft = performance.now() - started;
        break;
      }
    }
  }
  return { ttft, total: performance.now() - started };
}

async function productRun(router) {
  const started = performance.now();
  let ttft;
  let tokens = 0;
  let chunks = 0;
  let text = '';
  for await (const event of router.stream(messages, { maxTokens })) {
    if (event.type === 'text' && event.text) {
      ttft ??= performance.now() - started;
      chunks++;
      text += event.text;
    }
    if (event.type === 'usage') tokens = event.completionTokens;
  }
  return { ttft, total: performance.now() - started, tokens: tokens || chunks, text };
}

const median = (values) => quantile(values, 0.5);
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
const ms = (v) => `${v.toFixed(2)} ms`;
const us = (v) => `${(v * 1000).toFixed(1)} µs`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const signed = (v, fmt) => (v >= 0 ? `+${fmt(v)}` : `−${fmt(-v)}`);

function table(rows) {
  const header = ['metric', 'raw undici', 'product', 'added', 'product/raw'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main() {
  const { ChatRouter, OpenAiCompatibleBackend } = loadProduct();
  const undici = require(require.resolve('undici', { paths: [root] }));
  const standin = await startStandin();
  const rawAgent = new undici.Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 10_000 });
  const backend = new OpenAiCompatibleBackend({ baseUrl: standin.baseUrl, id: 'mlx' });
  const router = new ChatRouter({
    choice: () => 'mlx',
    fallbackEnabled: () => false,
    mlx: async () => ({ ok: true, backend, model: 'mlx-community/Standin-1B-4bit' }),
    gemini: async () => undefined,
    geminiModel: () => 'unused',
  });
  const interrupted = () => void standin.stop().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    log(`stand-in at ${standin.baseUrl}; ${WARMUP} warm-up rounds, then ${runs} alternating rounds of ${maxTokens} tokens (Node ${process.version})`);
    for (let i = 0; i < WARMUP; i++) {
      await rawRun(undici, rawAgent, standin.baseUrl);
      await productRun(router);
    }
    const raw = [];
    const product = [];
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first, so neither always gets the warmer server.
      if (i % 2 === 0) {
        raw.push(await rawRun(undici, rawAgent, standin.baseUrl));
        product.push(await productRun(router));
      } else {
        product.push(await productRun(router));
        raw.push(await rawRun(undici, rawAgent, standin.baseUrl));
      }
    }
    const tokens = product[0].tokens;
    if (product.some((p) => p.tokens !== tokens || p.text !== product[0].text) || raw.some((r) => r.ttft === undefined) || product.some((p) => p.ttft === undefined)) {
      throw new Error('runs differ or produced no token: the comparison would be meaningless');
    }
    const pick = (list, key) => list.map((r) => r[key]);
    const paired = (key) => product.map((p, i) => p[key] - raw[i][key]);
    const rawTtft = pick(raw, 'ttft');
    const prodTtft = pick(product, 'ttft');
    const rawTotal = pick(raw, 'total');
    const prodTotal = pick(product, 'total');
    const addedTtft = median(paired('ttft'));
    const perTokenOverhead = median(paired('total')) / tokens;
    const rows = [
      ['TTFT median', ms(median(rawTtft)), ms(median(prodTtft)), signed(addedTtft, ms), ratio(median(prodTtft), median(rawTtft))],
      ['TTFT p90', ms(quantile(rawTtft, 0.9)), ms(quantile(prodTtft, 0.9)), signed(quantile(prodTtft, 0.9) - quantile(rawTtft, 0.9), ms), ratio(quantile(prodTtft, 0.9), quantile(rawTtft, 0.9))],
      [`total median (${tokens} tokens)`, ms(median(rawTotal)), ms(median(prodTotal)), signed(median(paired('total')), ms), ratio(median(prodTotal), median(rawTotal))],
      ['per token', us(median(rawTotal) / tokens), us(median(prodTotal) / tokens), signed(perTokenOverhead, us), ratio(median(prodTotal), median(rawTotal))],
    ];
    console.log(`\n${table(rows)}\n`);
    console.log(`"added" is the median of per-round differences (product − raw in the same round); the p90 row compares p90s.`);
    console.log(`Added TTFT ${signed(addedTtft, ms)} (goal < ${GOAL_ADDED_TTFT_MS} ms): ${addedTtft < GOAL_ADDED_TTFT_MS ? 'met' : 'MISSED'}; per-token overhead ${signed(perTokenOverhead, us)}.`);
  } finally {
    process.off('SIGINT', interrupted);
    await backend.dispose();
    await rawAgent.close();
    router.dispose();
    await standin.stop();
  }
}

main().catch((error) => {
  console.error(`[bench:chat] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
