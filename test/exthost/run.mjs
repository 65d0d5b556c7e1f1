#!/usr/bin/env node
// Runs the mocha suite in out/test/exthost inside a real VS Code 1.139 extension host (code-server),
// through the smoke-test driver: the page hands the test payload to the workbench, and the
// workbench reports the host's log and the exit code back through two exposed functions.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { format } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, prepareRunDirs, startCodeServer } from '../tools/codeServer.mjs';
import { startGeminiStandinProcess } from '../tools/fixtureProcess.mjs';
import { startHubStandinProcess } from '../tools/hubStandinProcess.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, 'test-results');
// The driver forwards the workbench's own log lines with the host's; these are the offline-harmless ones.
const WORKBENCH_CHATTER =
  /ENOTFOUND open-vsx|^Resolving connection token|^Resolved connection token|^Creating a socket|^\[reconnection-grace-time\]|^Updating additional builtin|^\[Service Worker\]|^\[AgentHost|^\[AccountPolicyGate\]|authentication provider 'github'/;
const TIMEOUT_MS = Number(process.env.MLX_EXTHOST_TIMEOUT_MS ?? 240_000);

export async function runExtensionHostTests({ summaryFile, extraEnv = {} } = {}) {
  const runDir = path.join(root, '.vscode-test', 'runs', 'exthost');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const dirs = prepareRunDirs(runDir);
  // The extension talks to a real Hub stand-in process and writes a throw-away cache of this run.
  const hub = await startHubStandinProcess({ args: ['--seed-models', '--weight-bytes', String(3 * 1024 * 1024)] });
  const gemini = await startGeminiStandinProcess({ args: ['--key', 'test-gemini-key'] });
  const server = await startCodeServer({
    dirs,
    smokeTestDriver: true,
    env: {
      MLX_TEST_TIER: 'exthost',
      ...(summaryFile ? { MLX_TEST_SUMMARY: summaryFile } : {}),
      HF_ENDPOINT: hub.endpoint,
      HF_HUB_CACHE: path.join(runDir, 'hf-cache'),
      HF_HOME: path.join(runDir, 'hf-home'),
      MLX_TEST_HUB_CONTROL: hub.controlUrl,
      GOOGLE_GEMINI_BASE_URL: gemini.baseUrl,
      // The runner's real spawn path (python3 -m mlx_lm server) finds the mlx_lm stand-in first.
      PYTHONPATH: path.join(root, 'test', 'fixtures', 'mlxLmStandin'),
      MLX_STANDIN_ANSWER: 'echo',
      MLX_STANDIN_TOKEN_DELAY_MS: '2',
      ...extraEnv,
    },
    logFile: path.join(resultsDir, 'exthost-code-server.log'),
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish;
    const exited = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationLog', (_level, args) => {
      appendFileSync(path.join(resultsDir, 'exthost-raw.log'), JSON.stringify([_level, args]) + '\n');
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!WORKBENCH_CHATTER.test(text)) console.log(text);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(path.join(root, 'out', 'test', 'exthost', 'index.js'))],
    ];
    await page.goto(server.workbenchUrl(payload));
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS).unref());
    const code = await Promise.race([exited, timeout]);
    await page.screenshot({ path: path.join(resultsDir, 'exthost-final.png') }).catch(() => {});
    if (code === 'timeout') {
      console.error(`[exthost] no exit code from the extension host within ${TIMEOUT_MS / 1000} s`);
      return 1;
    }
    return Number(code);
  } finally {
    await browser.close();
    await server.stop();
    await hub.stop();
    await gemini.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = await runExtensionHostTests({ summaryFile: process.env.MLX_TEST_SUMMARY });
}
