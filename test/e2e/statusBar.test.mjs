// End-to-end: the status-bar item through the runner's life in a real VS Code, as a user sees it:
// idle, starting (spinner), ready (with its tooltip), error (a runner that keeps crashing), Gemini.
// The runner is the real spawn path (python3 -m mlx_lm server) finding the mlx_lm stand-in on PYTHONPATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, launchChromium, prepareRunDirs, startCodeServer } from '../tools/codeServer.mjs';
import { startHubStandinProcess } from '../tools/hubStandinProcess.mjs';
import { runPaletteCommand } from '../tools/commandPalette.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'test-results', 'e2e');
const vsix = process.env.MLX_VSIX ?? path.join(root, 'mlx-model-manager.vsix');
const runDir = path.join(root, '.vscode-test', 'runs', 'e2e-status');
const hfCache = path.join(runDir, 'hf-cache');
const REPO_ID = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
/** The Python wrapper below makes this model's runner crash at every start. */
const CRASHING_REPO = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
const ITEM = '[id="mlxmm.mlx-model-manager.mlx.backend"]';

describe('the backend status-bar item through the runner\'s states', function () {
  this.timeout(180_000);
  let hub;
  let server;
  let browser;
  let page;
  let step = 0;
  const shot = (name) => page.screenshot({ path: path.join(shots, `status-${String(++step).padStart(2, '0')}-${name}.png`) });
  const item = () => page.locator(ITEM);
  const itemWith = (text) => page.locator(ITEM, { hasText: text });
  const runCommand = (title) => runPaletteCommand(page, title);
  let dirs;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    for (const old of readdirSync(shots).filter((f) => f.startsWith('status-'))) rmSync(path.join(shots, old));
    rmSync(runDir, { recursive: true, force: true });
    hub = await startHubStandinProcess({ args: ['--seed-models', '--weight-bytes', '200000'] });
    // The model is on disk before VS Code starts, as if downloaded earlier (by the CLI here).
    for (const repo of [REPO_ID, CRASHING_REPO]) {
      const download = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'download', repo, '--cache-dir', hfCache, '--endpoint', hub.endpoint], { encoding: 'utf8' });
      assert.equal(download.status, 0, download.stderr);
    }
    // The Python the runner uses: mlx_lm fails to load the R1 model at every start (the supervisor
    // restarts it, then gives up); any other model starts normally.
    mkdirSync(runDir, { recursive: true });
    const python = path.join(runDir, 'python-with-a-broken-model.sh');
    writeFileSync(python, '#!/bin/sh\ncase "$*" in *DeepSeek-R1*) export MLX_STANDIN_CRASH_AT_START=1;; esac\nexec python3 "$@"\n');
    chmodSync(python, 0o755);
    dirs = prepareRunDirs(runDir, { userSettings: { 'mlx.selectedModel': REPO_ID } });
    // Machine-scoped settings come from the remote machine's settings in a remote window (code-server is one).
    mkdirSync(path.join(dirs.userDataDir, 'Machine'), { recursive: true });
    writeFileSync(path.join(dirs.userDataDir, 'Machine', 'settings.json'), JSON.stringify({ 'mlx.runner.pythonPath': python }));
    installVsix(dirs, vsix);
    server = await startCodeServer({
      dirs,
      env: {
        HF_ENDPOINT: hub.endpoint,
        HF_HUB_CACHE: hfCache,
        HF_HOME: path.join(runDir, 'hf-home'),
        PYTHONPATH: path.join(root, 'test', 'fixtures', 'mlxLmStandin'),
        // Slow enough to see the spinner.
        MLX_STANDIN_START_DELAY_MS: '2500',
      },
      logFile: path.join(root, 'test-results', 'e2e-status-code-server.log'),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl());
    await item().waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await hub?.stop().catch(() => {});
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: path.join(shots, `status-failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  });

  it('is idle with the selected model until the first request', async () => {
    assert.equal((await item().textContent())?.trim(), 'MLX: Llama 3.2 1B Instruct 4-bit');
    await shot('idle');
  });

  it('shows a spinner while the runner starts, then the ready model with a tooltip of actions', async () => {
    await runCommand('MLX: Restart Runner');
    await itemWith('starting').waitFor({ timeout: 30_000 });
    assert.ok(await item().locator('.codicon-loading').count(), 'the spinner icon');
    await shot('starting');
    await itemWith('MLX: Llama 3.2 1B Instruct 4-bit').waitFor({ timeout: 60_000 });
    await item().hover();
    const tooltip = page.locator('.monaco-hover', { hasText: 'runner ready' });
    await tooltip.waitFor({ timeout: 15_000 });
    for (const link of ['Switch to Gemini', 'Select model', 'Show logs', 'Stop runner']) assert.ok(await tooltip.getByText(link).count(), link);
    await shot('ready-tooltip');
    await page.mouse.move(700, 400);
  });

  it('turns red with the reason when the runner keeps crashing', async () => {
    await runCommand('MLX: Select Model…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'DeepSeek R1 Distill Qwen 1.5B 4-bit' }).first().click();
    await itemWith('DeepSeek R1 Distill Qwen 1.5B 4-bit').waitFor();
    await runCommand('MLX: Restart Runner');
    await item().locator('.codicon-error').waitFor({ timeout: 90_000 });
    const background = await item().evaluate((el) => getComputedStyle(el.closest('.statusbar-item') ?? el).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'an error background');
    await item().hover();
    await page.locator('.monaco-hover', { hasText: 'The MLX runner stopped' }).waitFor({ timeout: 15_000 });
    await shot('error-tooltip');
    await page.mouse.move(700, 400);
  });

  it('switches to Gemini with a click, and back', async () => {
    await item().click();
    await itemWith('Gemini').waitFor();
    await shot('gemini');
    await item().click();
    await itemWith('MLX').waitFor();
  });
});
