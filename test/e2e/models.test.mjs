// End-to-end: the Models view of the packaged .vsix in a real VS Code (code-server), against the Hub
// stand-in running as its own process. Chromium downloads a seed model from its row's inline action
// (watching the progress text change), sees the downloaded badge, deletes it through the modal
// dialog, looks at the Storage section, repairs a damaged weights file through "MLX: Verify Files" →
// "Download Again", and searches the Hub from the command palette.
// Screenshots: test-results/e2e/models-NN-*.png. Needs `npm run package` and `node esbuild.mjs --tests`.
// Functions passed to page.evaluate/waitForFunction run in the workbench page, with its globals:
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, launchChromium, prepareRunDirs, startCodeServer } from '../tools/codeServer.mjs';
import { startHubStandinProcess } from '../tools/hubStandinProcess.mjs';
import { runPaletteCommand } from '../tools/commandPalette.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'test-results', 'e2e');
const vsix = process.env.MLX_VSIX ?? path.join(root, 'mlx-model-manager.vsix');
const runDir = path.join(root, '.vscode-test', 'runs', 'e2e-models');
const hfCache = path.join(runDir, 'hf-cache');

const MODEL = 'Llama 3.2 1B Instruct 4-bit';
const REPO_ID = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const REPO_DIR = path.join(hfCache, 'models--mlx-community--Llama-3.2-1B-Instruct-4bit');
const SEED_LABELS = [
  'Llama 3.2 1B Instruct 4-bit',
  'Llama 3.2 3B Instruct 4-bit',
  'Llama 3.1 8B Instruct 4-bit',
  'DeepSeek R1 Distill Qwen 1.5B 4-bit',
  'DeepSeek R1 Distill Qwen 1.5B 8-bit',
  'DeepSeek R1 Distill Llama 8B 4-bit',
];
// 24 MiB weights, fetched by the engine over one connection (it splits files only above 64 MiB).
// To make the progress observable in steps, the CDN pauses the first request at 6 MiB (~25%), cuts
// it at 12 MiB, and pauses the resumed (Range) request 6 MiB later (~75%): two plateaus of 2 s.
const MiB = 1024 * 1024;
const WEIGHT_BYTES = 24 * MiB;
const WEIGHT_FAULTS = [
  { kind: 'stall', afterBytes: 6 * MiB, ms: 2000, times: 1 },
  { kind: 'cut-after', bytes: 12 * MiB, times: 1 },
  { kind: 'stall', afterBytes: 6 * MiB, ms: 2000, times: 1 },
];
const SIZE = String.raw`\d+(?:\.\d+)? (?:B|KB|MB|GB)`;
// A row at rest: `710 MB`, `1.8 GB · default · active` (a size, then notes).
const SIZE_AND_NOTES = new RegExp(String.raw`^${SIZE}(?: · [^%·]+)*$`);
// `42% · 10.5 MB / 25.2 MB · …` against the whole download (tens of MB here, so a total in MB).
const PROGRESS = new RegExp(String.raw`^\d{1,3}% · ${SIZE} / \d+(?:\.\d+)? MB`);

const sha256File = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('MLX Models view: download, progress, delete, storage and search in the VS Code UI', function () {
  this.timeout(120_000);
  let hub;
  let server;
  let browser;
  let page;
  let step = 0;
  const shot = async (name) => {
    // Park the mouse so no hover tooltip covers the view in the picture.
    await page.mouse.move(900, 600);
    await page.screenshot({ path: path.join(shots, `models-${String(++step).padStart(2, '0')}-${name}.png`) });
  };
  const view = () => page.locator('.pane', { has: page.locator('.pane-header[aria-label^="Models"]') });
  /** A tree row by its label; its aria-label is "<label>, <description>". */
  const row = (label) => view().locator(`.monaco-list-row[aria-label^="${label},"]`);
  /** A row of the Storage section, by its label (those rows have no accessibility label of their own). */
  const storageRow = (label) => view().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) });
  /** A notification toast with this text, once its fade-in is over (so pictures show it fully). */
  const toastShown = (text) => page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text }).waitFor({ timeout: 15_000 });
  const description = async (label) => ((await row(label).getAttribute('aria-label')) ?? '').slice(label.length + 2);

  before(async () => {
    mkdirSync(shots, { recursive: true });
    // Only this file's pictures: the other e2e files keep theirs.
    for (const name of readdirSync(shots)) if (name.startsWith('models-')) rmSync(path.join(shots, name), { force: true });
    rmSync(runDir, { recursive: true, force: true });
    const dirs = prepareRunDirs(runDir);
    assert.match(installVsix(dirs, vsix), /successfully installed/);
    hub = await startHubStandinProcess({ args: ['--seed-models', '--weight-bytes', String(WEIGHT_BYTES)] });
    server = await startCodeServer({
      dirs,
      env: { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: hfCache, HF_HOME: path.join(runDir, 'hf-home') },
      logFile: path.join(root, 'test-results', 'e2e-models-code-server.log'),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async () => {
    // Each one is stopped even when another fails to stop.
    const stops = [() => browser?.close(), () => server?.stop(), () => hub?.stop()];
    for (const stop of stops) await Promise.resolve().then(stop).catch((error) => console.error(`cleanup: ${error}`));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await page.screenshot({ path: path.join(shots, `models-failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`) }).catch(() => {});
    }
  });

  it('opens the MLX view and lists the six seed models with their sizes', async () => {
    // The activity bar entry appears once the extension is active (7-11 s after load).
    await page.locator('.activitybar a.action-label[aria-label="MLX"]').click({ timeout: 60_000 });
    for (const label of SEED_LABELS) await row(label).waitFor({ timeout: 30_000 });
    const names = await view().locator('.monaco-list-row .label-name').allTextContents();
    assert.deepEqual(
      names.map((n) => n.trim()),
      ['Regular', ...SEED_LABELS.slice(0, 3), 'Reasoning', ...SEED_LABELS.slice(3), 'Storage'],
    );
    for (const label of SEED_LABELS) {
      assert.match(await description(label), SIZE_AND_NOTES, `${label} shows its size`);
      assert.equal(await row(label).locator('.codicon-pass').count(), 0, `${label} is not downloaded yet`);
    }
    assert.match(await description('Llama 3.2 3B Instruct 4-bit'), /· default( · recommended)? · active$/);
    await shot('view');
  });

  it('widens the side bar by dragging its edge, so labels and progress fit', async () => {
    const sidebar = page.locator('.part.sidebar');
    const before = await sidebar.boundingBox();
    const edge = before.x + before.width;
    await page.mouse.move(edge, 400);
    await page.mouse.down();
    await page.mouse.move(edge + 150, 400, { steps: 5 });
    await page.mouse.move(edge + 300, 400, { steps: 5 });
    await page.mouse.up();
    const after = await sidebar.boundingBox();
    assert.ok(after.width > before.width + 200, `side bar ${before.width} → ${after.width} px wide`);
    for (const label of SEED_LABELS) {
      // The description (size) is no longer cut off: the whole row content fits.
      const fits = await row(label).locator('.monaco-icon-label-container').evaluate((el) => el.scrollWidth <= el.clientWidth);
      assert.ok(fits, `${label}: its row fits in the wider side bar`);
    }
    await shot('view-wide');
  });

  it(`downloads ${MODEL} from its inline action, with live progress in the row and a notification`, async () => {
    // CDN URLs name the file only in their query (response-content-disposition): match on that.
    for (const fault of WEIGHT_FAULTS) await hub.setFault({ ...fault, origin: 'cdn', path: 'model.safetensors' });
    // Record every description the row shows, from the page itself: rows are re-rendered (and may
    // be replaced) on each update, so observe the whole view rather than one element.
    await page.evaluate((label) => {
      const seen = (window.__mlxDescriptions = []);
      const badges = (window.__mlxBadges = []);
      const record = () => {
        const el = document.querySelector(`.monaco-list-row[aria-label^="${label},"] .label-description`);
        const text = el?.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
        const icon = document.querySelector(`.monaco-list-row[aria-label^="${label},"] .monaco-icon-label`);
        const badge = icon ? getComputedStyle(icon, '::after').content : 'none';
        if (badges[badges.length - 1] !== badge) badges.push(badge);
      };
      window.__mlxObserver = new MutationObserver(record);
      window.__mlxObserver.observe(document.querySelector('.part.sidebar'), { subtree: true, childList: true, characterData: true, attributes: true });
      record();
    }, MODEL);

    await row(MODEL).hover();
    const download = row(MODEL).locator('.actions .action-label[aria-label="Download Model…"]');
    await download.waitFor();
    await download.click();

    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `Downloading ${MODEL}` });
    await toast.waitFor({ timeout: 15_000 });
    // Picture a moment that shows it all: the row's progress text, its downloading badge and the notification.
    await page.waitForFunction(
      ({ label, source }) => {
        const row = document.querySelector(`.monaco-list-row[aria-label^="${label},"]`);
        const text = row?.querySelector('.label-description')?.textContent ?? '';
        const icon = row?.querySelector('.monaco-icon-label');
        return new RegExp(source).test(text) && icon && getComputedStyle(icon, '::after').content === '"↓"';
      },
      { label: MODEL, source: PROGRESS.source },
      { timeout: 20_000 },
    );
    await toastShown(`Downloading ${MODEL}: `);
    assert.match(await toast.textContent(), /\d+% · /, 'the notification shows the progress too');
    await shot('downloading');

    // The text must change while the download goes on: progress texts with at least two different
    // percentages (not only a new speed or time left).
    await page.waitForFunction(
      (source) => new Set(window.__mlxDescriptions.filter((t) => new RegExp(source).test(t)).map((t) => t.split('%')[0])).size >= 2,
      PROGRESS.source,
      { timeout: 30_000 },
    );
    const seen = await page.evaluate(() => window.__mlxDescriptions);
    const progressTexts = [...new Set(seen.filter((t) => PROGRESS.test(t)))];
    assert.ok(new Set(progressTexts.map((t) => t.split('%')[0])).size >= 2, `two different percentages, saw ${JSON.stringify(seen)}`);
  });

  it('shows the downloaded state: the ✓ badge, the size without a percent, the snapshot on disk', async () => {
    const downloaded = row(MODEL).filter({ has: page.locator('.codicon-pass') });
    await downloaded.waitFor({ timeout: 60_000 });
    const { seen, badges } = await page.evaluate(() => {
      window.__mlxObserver?.disconnect();
      return { seen: window.__mlxDescriptions, badges: window.__mlxBadges };
    });
    console.log(`      the row's descriptions during the download: ${JSON.stringify(seen)}`);
    console.log(`      the row's badges during the download: ${JSON.stringify(badges)}`);
    assert.ok(badges.includes('"↓"'), 'a downloading badge while downloading');
    assert.ok(!badges.some((b) => /^"\d+"$/.test(b)), 'no changing number badge (it made the badge blink)');
    // The size on disk first, then only notes (like "fits"), no progress any more.
    const text = await description(MODEL);
    assert.match(text, SIZE_AND_NOTES, `size, no progress: "${text}"`);
    assert.doesNotMatch(text, /%/);
    // VS Code 1.139 renders a file decoration's badge as the ::after content of the row's icon label
    // (classes monaco-decoration-itemBadge-<hash>), coloured by the decoration.
    const label = downloaded.locator('.monaco-icon-label.monaco-decoration-badge');
    await label.waitFor();
    const badge = await label.evaluate((el) => getComputedStyle(el, '::after').content);
    assert.equal(badge, '"✓"');
    await toastShown(`${MODEL} is downloaded.`);

    const snapshots = path.join(REPO_DIR, 'snapshots');
    const commits = readdirSync(snapshots);
    assert.equal(commits.length, 1, `one snapshot in ${snapshots}`);
    assert.ok(existsSync(path.join(snapshots, commits[0], 'model.safetensors')), 'model.safetensors in the snapshot');
    await shot('downloaded');
  });

  it('lists the downloaded repo in the expanded Storage section', async () => {
    const storage = view().locator('.monaco-list-row[aria-label^="Storage"]');
    await storage.click();
    await view().locator('.monaco-list-row[aria-label^="Storage"][aria-expanded="true"]').waitFor();
    const repoRow = storageRow(REPO_ID);
    await repoRow.waitFor();
    assert.match(await repoRow.locator('.label-description').textContent(), new RegExp(`^${SIZE}$`));
    const total = view().locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: / used$/ }) });
    assert.match(await total.locator('.label-name').textContent(), new RegExp(`^${SIZE} used$`));
    assert.equal(await total.locator('.label-description').textContent(), hfCache);
    await shot('storage');
  });

  it('repairs a damaged weights file from "MLX: Verify Files" → "Download Again": the blob hashes to its name again', async () => {
    // The downloaded snapshot's weights: a symlink to a blob named after the sha256 of its bytes (LFS file).
    const snapshots = path.join(REPO_DIR, 'snapshots');
    const [commit] = readdirSync(snapshots);
    const weights = path.join(snapshots, commit, 'model.safetensors');
    const blob = realpathSync(weights);
    const sha = path.basename(blob);
    assert.equal(path.dirname(blob), realpathSync(path.join(REPO_DIR, 'blobs')), `${weights} links into blobs/`);
    assert.match(sha, /^[0-9a-f]{64}$/, 'an LFS blob is named by its sha256');
    assert.equal(sha256File(blob), sha, 'the blob is intact before the test damages it');

    // Damage it like a disk error would: one byte flipped in place, same size and path. The row still
    // says downloaded, and an ordinary download would keep the file: only the repair brings the bytes back.
    const size = statSync(blob).size;
    const fd = openSync(blob, 'r+');
    try {
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, size >> 1);
      byte[0] ^= 0xff;
      writeSync(fd, byte, 0, 1, size >> 1);
    } finally {
      closeSync(fd);
    }
    assert.equal(statSync(blob).size, size);
    assert.notEqual(sha256File(blob), sha, 'the blob is damaged');

    // Earlier toasts (the first "… is downloaded.") must not satisfy the waits below.
    await runPaletteCommand(page, 'Notifications: Clear All Notifications');
    // From the downloaded row's context menu, which passes the row (from the command palette a quick pick
    // would ask which model first).
    await row(MODEL).click({ button: 'right' });
    const verify = page.getByRole('menuitem', { name: 'Verify Files', exact: true });
    await verify.waitFor();
    await shot('verify-menu');
    await verify.click();

    const damaged = page.locator('.notifications-toasts .notification-toast', { hasText: 'files are damaged or missing' });
    await toastShown('files are damaged or missing');
    assert.match(await damaged.textContent(), new RegExp(`${MODEL}: 1 of \\d+ files are damaged or missing\\.`));
    await shot('verify-damaged');
    await damaged.locator('.monaco-button', { hasText: /^Download Again$/ }).click();

    // The repair removes the bad blob and downloads it again: the success toast comes from that download.
    await toastShown(`${MODEL} is downloaded.`);
    await row(MODEL).filter({ has: page.locator('.codicon-pass') }).waitFor({ timeout: 30_000 });
    assert.match(await description(MODEL), SIZE_AND_NOTES);
    // The bytes on disk are right again (the toast comes once the file is in place): the snapshot still
    // links to the same blob, which hashes to its name.
    assert.equal(sha256File(blob), sha, 'the weights blob hashes to its name again');
    assert.equal(realpathSync(weights), blob);
    assert.equal(statSync(blob).size, size);
    await shot('verify-repaired');
  });

  it('deletes the model through its inline Delete action after confirming in the dialog', async () => {
    await row(MODEL).hover();
    const del = row(MODEL).locator('.actions .action-label[aria-label="Delete Model…"]');
    await del.waitFor();
    await del.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), new RegExp(`Delete ${MODEL}\\?`));
    assert.match(await dialog.textContent(), /This frees \d/);
    await shot('delete-dialog');
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Delete$/ }).click();
    await dialog.waitFor({ state: 'detached' });

    await toastShown(`Deleted ${MODEL}: `);
    const notDownloaded = row(MODEL).filter({ has: page.locator('.codicon-cloud-download') });
    await notDownloaded.waitFor();
    assert.equal(await row(MODEL).locator('.monaco-decoration-badge').count(), 0, 'no badge any more');
    assert.match(await description(MODEL), SIZE_AND_NOTES);
    assert.equal(existsSync(REPO_DIR), false, `${REPO_DIR} is gone`);
    // The Storage section follows: the repo row leaves it.
    await storageRow(REPO_ID).waitFor({ state: 'detached' });
    await shot('deleted');
  });

  it('searches Hugging Face from "MLX: Search Hugging Face Models" in the command palette', async () => {
    await runPaletteCommand(page, 'MLX: Search Hugging Face Models');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'Search Hugging Face Models' }).locator('input[placeholder^="Type to search"]').waitFor();
    await input.fill('llama');
    const results = page.locator('.quick-input-list .monaco-list-row', { hasText: 'mlx-community/Llama-3.2-1B-Instruct-4bit' });
    await results.first().waitFor({ timeout: 15_000 });
    // Each row has two label-name parts (the repo id, then the detail line): keep the first.
    const labels = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent?.trim() ?? ''));
    // The four Llama-based seed repos, and only those.
    assert.deepEqual(
      [...labels].sort(),
      ['mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit', 'mlx-community/Llama-3.2-1B-Instruct-4bit', 'mlx-community/Llama-3.2-3B-Instruct-4bit', 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit'],
    );
    // Sizes of the top results arrive a moment later (one Hub request each).
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'mlx-community/Llama-3.2-1B-Instruct-4bit' }).filter({ hasText: /\d+(\.\d+)? MB · / }).first().waitFor({ timeout: 15_000 });
    await shot('search');
    await page.keyboard.press('Escape');
  });

  it('resumes a download that a window reload interrupted (mlx.download.autoResume: auto)', async () => {
    const other = 'Llama 3.2 3B Instruct 4-bit';
    const otherDir = path.join(hfCache, 'models--mlx-community--Llama-3.2-3B-Instruct-4bit');
    // The weights stall after 6 MiB: the reload lands mid-download for sure.
    await hub.setFault({ kind: 'stall', afterBytes: 6 * MiB, ms: 60_000, origin: 'cdn', path: 'model.safetensors', times: 1 });
    if (!(await view().isVisible())) await page.locator('.activitybar a.action-label[aria-label="MLX"]').click();
    await row(other).hover();
    await row(other).locator('.actions .action-label[aria-label="Download Model…"]').click();
    // Wait for the bytes before the stall (24% of the file) to be written, so there is something to resume.
    await page.waitForFunction((label) => /^(2\d|[3-9]\d)% · /.test(document.querySelector(`.monaco-list-row[aria-label^="${label},"] .label-description`)?.textContent ?? ''), other, { timeout: 30_000 });
    await shot('before-reload');
    // The sidecar records what is on disk at most once a second; a killed extension host loses at most
    // that. Reload once it records the bytes (a reload in code-server kills the host without deactivating).
    const blobs = path.join(otherDir, 'blobs');
    const recorded = () =>
      readdirSync(blobs)
        .filter((f) => f.endsWith('.incomplete.json'))
        .some((f) => JSON.parse(readFileSync(path.join(blobs, f), 'utf8')).parts.some((p) => p.done > 0));
    for (const deadline = Date.now() + 10_000; !recorded(); ) {
      if (Date.now() > deadline) throw new Error('the sidecar never recorded the downloaded bytes');
      await new Promise((r) => setTimeout(r, 100));
    }

    // A reload restarts the extension host: the download in flight dies with it.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.activitybar a.action-label[aria-label="MLX"]').waitFor({ timeout: 60_000 });
    // Not a click on the MLX icon: VS Code may be restoring that view already, and clicking the icon of
    // the active container hides the side bar. Focusing the view is the same whatever the state.
    await runPaletteCommand(page, 'MLX: Focus on Models View');
    // Resumed on activation, without a click, and completed from the partial file.
    await row(other).locator('.codicon-pass, .codicon-pass-filled').waitFor({ timeout: 60_000 });
    await shot('resumed-after-reload');
    // It continued from the bytes already on disk rather than starting over (the new host's log says so).
    const logs = path.join(runDir, 'user-data', 'logs');
    const logText = readdirSync(logs, { recursive: true })
      .filter((f) => String(f).endsWith('MLX Model Manager.log'))
      .map((f) => readFileSync(path.join(logs, String(f)), 'utf8'))
      .join('\n');
    assert.match(logText, /resuming at [1-9]\d* of \d+ bytes/);
    const snapshots = readdirSync(path.join(otherDir, 'snapshots'));
    assert.equal(snapshots.length, 1);
    assert.ok(existsSync(path.join(otherDir, 'snapshots', snapshots[0], 'model.safetensors')));
  });
});
