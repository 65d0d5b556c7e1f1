// End-to-end: the packaged .vsix installed into a real VS Code (code-server), driven through the UI
// by Chromium as a user would, with a screenshot of each step in test-results/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, launchChromium, prepareRunDirs, startCodeServer } from '../tools/codeServer.mjs';
import { findPaletteCommand } from '../tools/commandPalette.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'test-results', 'e2e');
const vsix = process.env.MLX_VSIX ?? path.join(root, 'mlx-model-manager.vsix');

const SEED_LABELS = [
  'Llama 3.2 1B Instruct 4-bit',
  'Llama 3.2 3B Instruct 4-bit',
  'Llama 3.1 8B Instruct 4-bit',
  'DeepSeek R1 Distill Qwen 1.5B 4-bit',
  'DeepSeek R1 Distill Qwen 1.5B 8-bit',
  'DeepSeek R1 Distill Llama 8B 4-bit',
];

describe('MLX Model Manager in the VS Code UI', function () {
  this.timeout(120_000);
  let server;
  let browser;
  let page;
  let step = 0;
  const shot = (name) => page.screenshot({ path: path.join(shots, `workbench-${String(++step).padStart(2, '0')}-${name}.png`) });

  before(async () => {
    // Only this file's pictures: other e2e files share the folder.
    mkdirSync(shots, { recursive: true });
    for (const old of readdirSync(shots).filter((f) => f.startsWith('workbench-'))) rmSync(path.join(shots, old));
    const runDir = path.join(root, '.vscode-test', 'runs', 'e2e');
    rmSync(runDir, { recursive: true, force: true });
    const dirs = prepareRunDirs(runDir);
    const installed = installVsix(dirs, vsix);
    assert.match(installed, /successfully installed/);
    server = await startCodeServer({ dirs, logFile: path.join(root, 'test-results', 'e2e-code-server.log') });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await shot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  it('shows the backend in the status bar once the extension is active', async () => {
    const item = page.locator('[id="mlxmm.mlx-model-manager.mlx.backend"]');
    await item.waitFor({ timeout: 60_000 });
    assert.equal((await item.textContent())?.trim(), 'MLX: Llama 3.2 3B Instruct 4-bit');
    await shot('workbench');
  });

  it('opens the MLX view and lists the six seed models', async () => {
    await page.locator('.activitybar a.action-label[aria-label="MLX"]').click();
    const view = page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Models"]') });
    for (const label of ['Regular', 'Reasoning', ...SEED_LABELS]) {
      await view.locator('.monaco-list-row', { hasText: label }).first().waitFor();
    }
    const rows = await view.locator('.monaco-list-row .label-name').allTextContents();
    assert.deepEqual(
      rows.map((r) => r.trim()),
      ['Regular', ...SEED_LABELS.slice(0, 3), 'Reasoning', ...SEED_LABELS.slice(3), 'Storage'],
    );
    const defaultRow = view.locator('.monaco-list-row', { hasText: 'Llama 3.2 3B Instruct 4-bit' });
    assert.match((await defaultRow.getAttribute('aria-label')) ?? '', /default · active/);
    await shot('models-view');
  });

  it('runs "MLX: Show Logs" from the command palette', async () => {
    const row = await findPaletteCommand(page, 'MLX: Show Logs');
    await shot('command-palette');
    await row.click();
    const output = page.locator('.part.panel .view-lines');
    await output.filter({ hasText: 'activated in' }).waitFor({ timeout: 30_000 });
    await shot('logs');
  });

  it('toggles the backend by clicking the status-bar item', async () => {
    const item = page.locator('[id="mlxmm.mlx-model-manager.mlx.backend"]');
    await item.click();
    await page.locator('[id="mlxmm.mlx-model-manager.mlx.backend"]', { hasText: 'Gemini' }).waitFor();
    await shot('status-gemini');
    await item.click();
    await page.locator('[id="mlxmm.mlx-model-manager.mlx.backend"]', { hasText: 'MLX: Llama 3.2 3B' }).waitFor();
    await shot('status-mlx');
  });
});
