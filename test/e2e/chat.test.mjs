// End-to-end: the chat panel of the packaged .vsix in a real VS Code (code-server). The mlx_lm
// stand-in answers through the real runner (python3 -m mlx_lm server, found on PYTHONPATH), the Gemini
// stand-in through the real SDK. Chromium opens the panel from the command palette, asks, watches the
// answer stream, stops one mid-stream, reads an R1 model's collapsed reasoning, switches to Gemini with
// the panel's picker, and measures how long a 2,000-token reply takes to render and whether typing stays
// responsive meanwhile. Screenshots in a light and a dark theme: test-results/e2e/chat-*.png.
// Needs `npm run package` and `node esbuild.mjs --tests` (the stand-ins run from out/).
// Functions passed to evaluate/waitForFunction run in the webview's frame, with its globals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, launchChromium, prepareRunDirs, startCodeServer } from '../tools/codeServer.mjs';
import { startGeminiStandinProcess } from '../tools/fixtureProcess.mjs';
import { startHubStandinProcess } from '../tools/hubStandinProcess.mjs';
import { runPaletteCommand } from '../tools/commandPalette.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'test-results', 'e2e');
const vsix = process.env.MLX_VSIX ?? path.join(root, 'mlx-model-manager.vsix');
const runDir = path.join(root, '.vscode-test', 'runs', 'e2e-chat');
const hfCache = path.join(runDir, 'hf-cache');

const LLAMA = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const R1 = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
const LIGHT = 'Default Light Modern';
const TYPED = 'typing into the box while the long reply streams in';
const DARK = 'Default Dark Modern';
/** 150 tokens at 40 ms: a six-second answer, slow enough to watch and to stop. */
const SLOW = { MLX_STANDIN_ANSWER: 'fill', MLX_STANDIN_TOKEN_DELAY_MS: '40' };
const BASE_SETTINGS = { 'workbench.colorTheme': LIGHT, 'mlx.selectedModel': LLAMA, 'mlx.chat.maxTokens': 150, 'window.commandCenter': false };

describe('MLX chat panel in the VS Code UI: streaming, stop, reasoning, Gemini, themes, render speed', function () {
  this.timeout(180_000);
  let hub;
  let gemini;
  let server;
  let browser;
  let context;
  let page;
  let dirs;

  const settingsFile = () => path.join(dirs.userDataDir, 'User', 'settings.json');
  const readSettings = () => JSON.parse(readFileSync(settingsFile(), 'utf8'));
  /** Edits the user settings file; VS Code watches it (the extension writes the same file, so read it fresh). */
  const updateSettings = (change) => writeFileSync(settingsFile(), JSON.stringify({ ...readSettings(), ...change }, null, 2));

  /** The chat webview's document: two iframes deep. */
  const chat = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  /** The same document as a Playwright Frame, for evaluate(). */
  const chatFrame = async () => {
    const outer = await page.locator('iframe.webview.ready').elementHandle();
    const inner = await (await outer.contentFrame()).locator('#active-frame').elementHandle();
    return inner.contentFrame();
  };
  const lastTurn = () => chat().locator('article.turn').last();
  /** The backend status-bar item, by its accessible name ("MLX: …" or "Gemini"). */
  const statusItem = () => page.locator('.statusbar-item', { has: page.locator('[aria-label^="MLX"], [aria-label^="Gemini"]') }).first();

  const shot = async (name) => {
    await page.mouse.move(1300, 880);
    await page.screenshot({ path: path.join(shots, `chat-${name}.png`) });
  };
  const runCommand = (title) => runPaletteCommand(page, title);
  /** Switches the colour theme as a user does (Preferences: Color Theme) and waits until the webview has it. */
  const theme = async (name) => {
    await runCommand('Preferences: Color Theme');
    // The picker shows "Default Dark Modern" as "Dark Modern".
    const label = name.replace(/^Default /, '');
    await page.locator('.quick-input-widget input').fill(label);
    await page.locator(`.quick-input-list .monaco-list-row[aria-label="${label}"]`).first().click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await chat().locator(`body.${name === DARK ? 'vscode-dark' : 'vscode-light'}`).waitFor({ timeout: 15_000 });
  };
  /** A screenshot in the light theme, then the same moment in the dark one, then back to light. */
  const shotBoth = async (name) => {
    await shot(`${name}-light`);
    await theme(DARK);
    await shot(`${name}-dark`);
    await theme(LIGHT);
  };

  async function startVsCode(extraEnv) {
    server = await startCodeServer({
      dirs,
      env: {
        HF_ENDPOINT: hub.endpoint,
        HF_HUB_CACHE: hfCache,
        HF_HOME: path.join(runDir, 'hf-home'),
        GOOGLE_GEMINI_BASE_URL: gemini.baseUrl,
        // SecretStorage can't be preset; the extension falls back to this variable.
        GEMINI_API_KEY: 'test-gemini-key',
        // The runner's real spawn path (python3 -m mlx_lm server) finds the mlx_lm stand-in first.
        PYTHONPATH: path.join(root, 'test', 'fixtures', 'mlxLmStandin'),
        ...extraEnv,
      },
      logFile: path.join(root, 'test-results', 'e2e-chat-code-server.log'),
    });
    // One browser context for the whole run: the workbench keeps its editor layout in the browser's storage.
    context ??= await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  async function stopVsCode() {
    await page?.close().catch(() => {});
    await server?.stop();
    server = undefined;
  }

  /** Types a question into the panel and sends it with Enter. */
  async function ask(question) {
    const box = chat().locator('vscode-textarea.prompt textarea');
    await box.fill(question);
    await box.press('Enter');
    await lastTurn().locator('.user-text', { hasText: question }).waitFor();
  }

  /** Picks an option of one of the panel's vscode-single-select pickers. */
  async function pick(picker, label) {
    await chat().locator(picker).click();
    await chat().locator(`${picker} ul.options li`, { hasText: label }).first().click();
  }

  before(async () => {
    mkdirSync(shots, { recursive: true });
    for (const name of readdirSync(shots)) if (name.startsWith('chat-')) rmSync(path.join(shots, name), { force: true });
    rmSync(runDir, { recursive: true, force: true });
    dirs = prepareRunDirs(runDir, { userSettings: BASE_SETTINGS });
    assert.match(installVsix(dirs, vsix), /successfully installed/);
    hub = await startHubStandinProcess({ args: ['--seed-models', '--weight-bytes', String(1024 * 1024)] });
    gemini = await startGeminiStandinProcess({ args: ['--key', 'test-gemini-key'] });
    // The models are downloaded with the CLI (same core) before VS Code starts.
    for (const repo of [LLAMA, R1]) {
      const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'download', repo, '--cache-dir', hfCache, '--endpoint', hub.endpoint], { encoding: 'utf8' });
      assert.equal(r.status, 0, `download ${repo}: ${r.stdout}\n${r.stderr}`);
    }
    browser = await launchChromium();
    await startVsCode(SLOW);
  });

  after(async () => {
    const stops = [() => browser?.close(), () => server?.stop(), () => hub?.stop(), () => gemini?.stop()];
    for (const stop of stops) await Promise.resolve().then(stop).catch((error) => console.error(`cleanup: ${error}`));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await page.screenshot({ path: path.join(shots, `chat-failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => {});
    }
  });

  it('opens from "MLX: Open Chat" in the command palette', async () => {
    // The status-bar item appears once the extension is active.
    await statusItem().waitFor({ timeout: 60_000 });
    await runCommand('MLX: Open Chat');
    await chat().locator('.toolbar').waitFor({ timeout: 30_000 });
    await chat().locator('.empty h2', { hasText: 'Chat with your local model' }).waitFor();
    await page.locator('.tab', { hasText: 'MLX Chat' }).waitFor();
    // The pickers show the status bar's choice.
    assert.equal(await chat().locator('.backend-picker').evaluate((el) => el.value), 'mlx');
    assert.equal(await chat().locator('.model-picker').evaluate((el) => el.value), LLAMA);
    await shotBoth('01-empty');
  });

  it('streams the answer of the local model, and Stop ends it mid-stream', async () => {
    await ask('Tell me about streaming');
    const reply = lastTurn().locator('.reply');
    await lastTurn().locator('.reply', { hasText: /You said: Tell me/ }).waitFor({ timeout: 30_000 });
    await chat().locator('vscode-button', { hasText: 'Stop' }).waitFor();
    assert.equal(await lastTurn().getAttribute('data-status'), 'streaming');
    // The text grows while it streams.
    const first = (await reply.textContent()).length;
    const frame = await chatFrame();
    await frame.waitForFunction((n) => document.querySelector('article.turn:last-of-type .reply').textContent.length > n + 20, first);
    await shot('02-streaming-light');
    const stopped = Date.now();
    await chat().locator('vscode-button', { hasText: 'Stop' }).click();
    await chat().locator('article.turn[data-status="cancelled"]').waitFor({ timeout: 5000 });
    const stopMs = Date.now() - stopped;
    console.log(`      Stop click → "stopped" in the DOM: ${stopMs} ms`);
    assert.ok(stopMs < 1000, `stopped within a second (${stopMs} ms)`);
    assert.match(await lastTurn().locator('.reply-footer').textContent(), /MLX · Llama-3\.2-1B-Instruct-4bit · [\d.]+ s to first token · .*stopped/);
    const partial = await reply.textContent();
    // Nothing arrives after Stop.
    await frame.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))));
    assert.equal(await reply.textContent(), partial);
    await chat().locator('vscode-button', { hasText: 'Send' }).waitFor();
    await shotBoth('03-stopped');
  });

  it('finishes a whole answer with time to first token and tokens/s in its footer', async () => {
    // The streaming picture in the dark theme: switch first (an answer does not wait for a theme switch).
    await theme(DARK);
    await ask('Say something short');
    const frame = await chatFrame();
    await frame.waitForFunction(() => document.querySelector('article.turn:last-of-type .reply').textContent.length > 60);
    await shot('02-streaming-dark');
    await chat().locator('article.turn:last-of-type[data-status="done"]').waitFor({ timeout: 30_000 });
    assert.match(await lastTurn().locator('.reply-footer').textContent(), /MLX · Llama-3\.2-1B-Instruct-4bit · [\d.]+ s to first token · [\d.]+ tokens\/s/);
    await theme(LIGHT);
    // The status bar shows the speed the panel reported.
    await statusItem().hover();
    await page.locator('.monaco-hover', { hasText: /tokens\/s/ }).waitFor({ timeout: 10_000 });
    await page.mouse.move(1300, 880);
  });

  it('shows an R1 model\'s reasoning in a collapsed "Thinking" section', async () => {
    await pick('.model-picker', 'DeepSeek R1 Distill Qwen 1.5B 4-bit');
    // The panel's picker writes the setting the status bar reads.
    await statusItem().filter({ hasText: 'DeepSeek R1 Distill Qwen 1.5B 4-bit' }).waitFor({ timeout: 10_000 });
    await ask('Why is the sky blue?');
    await chat().locator('article.turn:last-of-type[data-status="done"]').waitFor({ timeout: 60_000 });
    const thinking = lastTurn().locator('vscode-collapsible.thinking');
    await thinking.waitFor();
    assert.equal(await thinking.evaluate((el) => el.open), false, 'collapsed');
    assert.match(await thinking.locator('.reasoning').textContent(), /Okay, the user wrote/);
    assert.doesNotMatch(await lastTurn().locator('.reply').textContent(), /Okay, the user wrote/, 'reasoning is not in the answer');
    await shotBoth('04-reasoning-collapsed');
    await thinking.click({ position: { x: 40, y: 10 } });
    await thinking.locator('.reasoning').waitFor({ state: 'visible' });
    await shotBoth('05-reasoning-open');
  });

  it('says when Gemini answered because the selected model is not downloaded, with a Download button', async () => {
    await pick('.model-picker', 'Llama 3.2 3B Instruct 4-bit');
    await statusItem().filter({ hasText: 'Llama 3.2 3B Instruct 4-bit' }).waitFor({ timeout: 10_000 });
    await ask('Who answers now?');
    await chat().locator('article.turn:last-of-type[data-status="done"]').waitFor({ timeout: 30_000 });
    const notice = lastTurn().locator('.notice');
    assert.equal(await notice.locator('.notice-text').textContent(), 'Llama 3.2 3B Instruct 4-bit is not downloaded — answered by Gemini');
    await notice.locator('vscode-button', { hasText: 'Download' }).waitFor();
    assert.match(await lastTurn().locator('.reply-footer').textContent(), /^Gemini · gemini-2\.5-flash/);
    await shotBoth('06-fallback');
    await pick('.model-picker', 'DeepSeek R1 Distill Qwen 1.5B 4-bit');
  });

  it('switches to the Gemini stand-in with the panel\'s backend picker', async () => {
    await pick('.backend-picker', 'Gemini (cloud)');
    // Exactly "Gemini" (after the fallback the item read "MLX → Gemini").
    await statusItem().filter({ hasText: /^\s*Gemini\s*$/ }).waitFor({ timeout: 10_000 });
    // No local model to pick for Gemini.
    await chat().locator('.model-picker[aria-disabled="true"]').waitFor();
    // The Gemini stand-in echoes the question, so its answer carries this markdown (and this HTML) back.
    await ask('Hello Gemini, **bold** and [a link](https://example.com) <img src=x onerror="window.__pwned=1">\n\n```python\nprint("hi")\n```');
    await chat().locator('article.turn:last-of-type[data-status="done"]').waitFor({ timeout: 30_000 });
    assert.match(await lastTurn().locator('.reply-footer').textContent(), /^Gemini · gemini-2\.5-flash/);
    const reply = lastTurn().locator('.reply');
    assert.equal(await reply.locator('strong').textContent(), 'bold');
    assert.equal(await reply.locator('a').getAttribute('href'), 'https://example.com');
    assert.equal(await reply.locator('img').count(), 0, 'raw HTML stays text');
    assert.match(await reply.textContent(), /<img src=x onerror=/);
    assert.equal(await (await chatFrame()).evaluate(() => window.__pwned), undefined);
    assert.equal(await reply.locator('pre > code.language-python').textContent(), 'print("hi")');
    await shotBoth('07-gemini');
    // New File opens the block in a Python editor beside the chat.
    await reply.locator('.code-action', { hasText: 'New File' }).click();
    await page.locator('.tab', { hasText: 'Untitled-1' }).waitFor();
    await page.locator('.view-lines', { hasText: 'print("hi")' }).waitFor();
    await page.locator('.statusbar-item', { hasText: /^Python$/ }).waitFor();
    await lastTurn().locator('.reply-footer').scrollIntoViewIfNeeded();
    await shot('07-gemini-new-file-light');
  });

  it('restores the conversation after a window reload (the panel serializer and the host\'s history)', async () => {
    const turnsBefore = await chat().locator('article.turn').count();
    assert.ok(turnsBefore >= 4);
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await chat().locator('article.turn').nth(turnsBefore - 1).waitFor({ timeout: 60_000 });
    assert.equal(await chat().locator('article.turn').count(), turnsBefore);
    await shot('08-restored-light');
  });

  it('measures a 2,000-token reply: time to render it, and typing latency meanwhile', async () => {
    await stopVsCode();
    // A fast runner and a long answer for the measurement; MLX again.
    updateSettings({ 'mlx.backend': 'mlx', 'mlx.selectedModel': LLAMA, 'mlx.chat.maxTokens': 2000 });
    await startVsCode({ MLX_STANDIN_ANSWER: 'fill', MLX_STANDIN_TOKEN_DELAY_MS: '0' });
    await statusItem().waitFor({ timeout: 60_000 });
    await runCommand('MLX: Open Chat');
    await chat().locator('.toolbar').waitFor({ timeout: 30_000 });
    await chat().locator('vscode-button', { hasText: 'New Chat' }).click();
    await chat().locator('.empty').waitFor();
    // Warm the runner up, so the measurement is the panel's work, not the model load.
    await ask('warm up');
    await chat().locator('article.turn:last-of-type[data-status="done"]').waitFor({ timeout: 60_000 });
    await chat().locator('vscode-button', { hasText: 'New Chat' }).click();
    await chat().locator('.empty').waitFor();

    const frame = await chatFrame();
    await frame.evaluate(() => {
      // Send time: the Enter keydown; done time: when the turn's status flips to done in the DOM.
      const m = (window.__measure = { keyLatencies: [], idleLatencies: [], firstText: undefined, done: undefined, sent: undefined });
      let typed;
      document.addEventListener(
        'keydown',
        (e) => {
          if (e.key === 'Enter' && m.sent === undefined) m.sent = performance.now();
          else if (e.key.length === 1) typed = e.timeStamp;
        },
        true,
      );
      // Keypress → value on screen: from the key event's creation to the frame after the input event.
      document.addEventListener(
        'input',
        () => {
          const from = typed;
          if (from === undefined || m.sent === undefined) return;
          const list = m.done === undefined ? m.keyLatencies : m.idleLatencies;
          requestAnimationFrame(() => list.push(performance.now() - from));
        },
        true,
      );
      new MutationObserver(() => {
        const turn = document.querySelector('article.turn:last-of-type');
        if (!turn) return;
        if (m.firstText === undefined && turn.querySelector('.reply')?.textContent) m.firstText = performance.now();
        if (m.done === undefined && turn.getAttribute('data-status') === 'done') m.done = performance.now();
      }).observe(document.getElementById('app'), { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const box = chat().locator('vscode-textarea.prompt textarea');
    await box.fill('Write a long answer please');
    await box.press('Enter');
    // Type while the reply streams in (and a little after: those keys are the baseline).
    const typing = box.pressSequentially(TYPED, { delay: 5 });
    await frame.waitForFunction(() => window.__measure.done !== undefined, undefined, { timeout: 120_000 });
    await typing;
    const m = await frame.evaluate(() => window.__measure);
    const words = (await lastTurn().locator('.reply').textContent()).split(/\s+/).filter(Boolean).length;
    const footer = await lastTurn().locator('.reply-footer').textContent();
    const stats = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length ? `${sorted.length} keys, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms` : 'no keys';
    };
    console.log(`      2,000-token reply (${words} words; ${footer}):`);
    console.log(`        send → first text in the DOM ${(m.firstText - m.sent).toFixed(0)} ms, send → done in the DOM ${(m.done - m.sent).toFixed(0)} ms`);
    console.log(`        keypress → value painted while streaming: ${stats(m.keyLatencies)}; after it: ${stats(m.idleLatencies)}`);
    assert.ok(words > 1500, `a long reply (${words} words)`);
    assert.equal(await box.inputValue(), TYPED, 'every key reached the text box');
    await shot('09-long-reply-light');
  });
});
