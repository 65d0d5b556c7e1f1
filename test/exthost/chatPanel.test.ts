import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { type ChatTurn, type HostToWebview } from '../../src/shared/protocol';
import { type ChatPanel } from '../../src/vscode/chatPanel/chatPanel';
import { getApi, getServices, nextConfigChange } from './helpers';

// The small seed model the other suites use too; this one deletes it again afterwards (not the default
// model: downloading that would replace its nominal size, which the Models view suite checks).
const LOCAL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const NOT_DOWNLOADED = 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit';

async function setSetting(key: string, value: unknown): Promise<void> {
  const current = vscode.workspace.getConfiguration('mlx').inspect(key)?.globalValue;
  if (JSON.stringify(current) === JSON.stringify(value)) return;
  const changed = nextConfigChange(`mlx.${key}`);
  await vscode.workspace.getConfiguration('mlx').update(key, value, vscode.ConfigurationTarget.Global);
  await changed;
}

/** Opens the panel through its command and waits for the real webview to finish the handshake. */
async function openPanel(): Promise<{ panel: ChatPanel; init: Extract<HostToWebview, { type: 'init' }> }> {
  const { chatPanels } = await getApi();
  let captured: ((m: HostToWebview) => void) | undefined;
  const init = new Promise<Extract<HostToWebview, { type: 'init' }>>((resolve) => (captured = (m) => m.type === 'init' && resolve(m)));
  const listeners: vscode.Disposable[] = [];
  if (chatPanels.current) listeners.push(chatPanels.current.onDidPostToWebview((m) => captured?.(m)));
  listeners.push(chatPanels.onDidOpen((p) => listeners.push(p.onDidPostToWebview((m) => captured?.(m)))));
  await vscode.commands.executeCommand('mlx.openChat');
  const panel = chatPanels.current;
  assert.ok(panel, 'the command opened a panel');
  const message = await (panel.isReady ? Promise.resolve(undefined) : init);
  for (const l of listeners) l.dispose();
  return { panel, init: message ?? { type: 'init', history: panel.session.history, version: '', backend: 'mlx', models: [], selectedModel: '' } };
}

/** Everything the panel posts to its webview from now on. */
function record(panel: ChatPanel): { messages: HostToWebview[]; dispose(): void } {
  const messages: HostToWebview[] = [];
  const listener = panel.onDidPostToWebview((m) => messages.push(m));
  return { messages, dispose: () => listener.dispose() };
}

/** Sends a message as the webview would, and resolves with the turn when it has ended. */
function sendFromWebview(panel: ChatPanel, text: string): Promise<ChatTurn> {
  const ended = new Promise<ChatTurn>((resolve) => {
    const listener = panel.session.onDidEndTurn((turn) => {
      listener.dispose();
      resolve(turn);
    });
  });
  panel.receive({ type: 'send', text });
  return ended;
}

describe('chat panel in a real VS Code: webview, streaming, stop, history, fallback', function () {
  this.timeout(90_000);

  before(async () => {
    assert.equal(await vscode.commands.executeCommand('mlx.downloadModel', LOCAL), true);
    await setSetting('selectedModel', LOCAL);
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', 'test-gemini-key'), true);
  });

  after(async () => {
    const { chatPanels } = await getApi();
    await chatPanels.current?.session.newChat();
    chatPanels.current?.dispose();
    await vscode.commands.executeCommand('mlx.stopRunner');
    await setSetting('selectedModel', undefined);
    await setSetting('backend', undefined);
    await fs.rm(path.join(process.env.HF_HUB_CACHE!, 'models--mlx-community--Llama-3.2-1B-Instruct-4bit'), { recursive: true, force: true });
    await (await getServices()).manager.refresh();
  });

  it('opens from "MLX: Open Chat"; the webview loads under its CSP and completes the ready handshake', async () => {
    const { panel, init } = await openPanel();
    assert.equal(panel.panel.viewType, 'mlx.chat');
    assert.equal(panel.panel.title, 'MLX Chat');
    assert.ok(panel.isReady, 'the bundled script ran and said ready');
    assert.equal(init.selectedModel, LOCAL);
    assert.ok(init.models.some((m) => m.repoId === LOCAL && m.downloaded), 'the picker lists the downloaded model');
    assert.match(panel.panel.webview.html, /Content-Security-Policy" content="default-src 'none'; style-src [^;]+; font-src [^;]+; img-src [^;]+ data:; script-src 'nonce-[A-Za-z0-9+/=]{24}'"/);
    assert.doesNotMatch(panel.panel.webview.html, /unsafe-inline|unsafe-eval/);
  });

  it('streams the local model\'s answer to the webview and keeps it in the history', async () => {
    const { panel } = await openPanel();
    const seen = record(panel);
    const turn = await sendFromWebview(panel, 'Hello panel');
    seen.dispose();
    assert.equal(turn.status, 'done');
    assert.match(turn.reply, /You said: Hello panel/);
    assert.deepEqual(turn.route, { backend: 'mlx', model: LOCAL });
    assert.ok((turn.metrics?.timeToFirstTokenMs ?? -1) >= 0, 'time to first token measured');
    const types = seen.messages.map((m) => m.type);
    assert.equal(types[0], 'turnStart');
    assert.equal(types[1], 'route');
    assert.ok(types.includes('delta'));
    assert.equal(types.at(-1), 'done');
    const streamed = seen.messages.flatMap((m) => (m.type === 'delta' && m.kind === 'text' ? [m.text] : [])).join('');
    assert.equal(streamed, turn.reply, 'the deltas add up to the stored reply');
    assert.equal(panel.session.history.at(-1)?.reply, turn.reply);
  });

  it('sends the earlier turns as context with the next question', async () => {
    const { panel } = await openPanel();
    const turn = await sendFromWebview(panel, 'Second question');
    // The echo stand-in repeats the last user message only; the history is checked on the host side.
    assert.match(turn.reply, /You said: Second question/);
    assert.equal(panel.session.history.length, 2);
  });

  it('stops mid-stream within a second of Stop, keeping what had arrived', async () => {
    const { panel } = await openPanel();
    const seen = record(panel);
    // The echo answer repeats the prompt word by word (2 ms a token): 3,000 words take several seconds.
    const long = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const firstDelta = new Promise<void>((resolve) => {
      const l = panel.onDidPostToWebview((m) => {
        if (m.type === 'delta') {
          l.dispose();
          resolve();
        }
      });
    });
    const ended = panel.session.ask({ text: long, prompt: long }, { maxTokens: 8000 });
    await firstDelta;
    const stopAt = Date.now();
    panel.receive({ type: 'stop' });
    const turn = await ended;
    const stopMs = Date.now() - stopAt;
    seen.dispose();
    console.log(`      Stop → turn ended in ${stopMs} ms`);
    assert.equal(turn.status, 'cancelled');
    assert.ok(stopMs < 1000, `ended ${stopMs} ms after Stop`);
    assert.ok(turn.reply.length > 0 && turn.reply.length < long.length, 'a partial answer');
    const done = seen.messages.find((m) => m.type === 'done');
    assert.equal(done?.type === 'done' && done.status, 'cancelled');
    assert.equal(panel.session.busy, false);
  });

  it('regenerates the last answer in place', async () => {
    const { panel } = await openPanel();
    const before = panel.session.history.length;
    const ended = new Promise<ChatTurn>((resolve) => {
      const l = panel.session.onDidEndTurn((t) => {
        l.dispose();
        resolve(t);
      });
    });
    panel.receive({ type: 'regenerate' });
    const turn = await ended;
    assert.equal(panel.session.history.length, before, 'the last turn was replaced, not added');
    assert.equal(turn.status, 'done');
    assert.match(turn.reply, /You said: w0 w1 w2/);
  });

  it('restores the history when the panel is closed and opened again', async () => {
    const { chatPanels } = await getApi();
    const before = chatPanels.current!.session.history.map((t) => ({ text: t.text, reply: t.reply, status: t.status }));
    assert.ok(before.length >= 3);
    chatPanels.current!.dispose();
    assert.equal(chatPanels.current, undefined);
    const { panel, init } = await openPanel();
    assert.deepEqual(
      panel.session.history.map((t) => ({ text: t.text, reply: t.reply, status: t.status })),
      before,
    );
    assert.deepEqual(
      init.history.map((t) => t.text),
      before.map((t) => t.text),
      'the reopened webview got the whole history in init',
    );
  });

  it('drops malformed and unknown messages from the webview', async () => {
    const { panel } = await openPanel();
    const seen = record(panel);
    const length = panel.session.history.length;
    for (const bad of [null, 'send', { type: 'send' }, { type: 'send', text: 42 }, { type: 'exec', command: 'workbench.action.quit' }, { type: 'action', id: 'deleteModel' }, { type: 'openLink', url: 'command:x' }]) {
      panel.receive(bad);
    }
    // A valid message afterwards is handled, which proves the bad ones were dropped, not queued.
    const changed = nextConfigChange('mlx.backend');
    panel.receive({ type: 'pickBackend', backend: 'gemini' });
    await changed;
    seen.dispose();
    assert.equal(panel.session.history.length, length);
    assert.deepEqual(
      seen.messages.map((m) => m.type),
      ['state'],
    );
  });

  it('follows the backend picker and the status bar both ways', async () => {
    const { panel } = await openPanel();
    const { statusBar } = await getApi();
    assert.equal(statusBar.text, '$(cloud) Gemini', 'the picker in the panel switched the status bar');
    const seen = record(panel);
    const changed = nextConfigChange('mlx.backend');
    await vscode.commands.executeCommand('mlx.toggleBackend');
    await changed;
    seen.dispose();
    const state = seen.messages.find((m) => m.type === 'state');
    assert.equal(state?.type === 'state' && state.backend, 'mlx', 'the status bar toggle reached the panel');
  });

  it('shows a fallback notice with a Download button when the selected model is not downloaded', async () => {
    const { panel } = await openPanel();
    await setSetting('selectedModel', NOT_DOWNLOADED);
    const seen = record(panel);
    const turn = await sendFromWebview(panel, 'Who answers?');
    seen.dispose();
    await setSetting('selectedModel', LOCAL);
    assert.equal(turn.status, 'done');
    assert.ok(turn.reply.length > 0, 'Gemini answered');
    const route = seen.messages.find((m) => m.type === 'route');
    assert.deepEqual(route?.type === 'route' && route.route, {
      backend: 'gemini',
      model: 'gemini-2.5-flash',
      fallbackReason: 'Llama 3.1 8B Instruct 4-bit is not downloaded.',
      downloadRepoId: NOT_DOWNLOADED,
    });
  });

  it('shows an error card with "Set API Key" when Gemini has no key', async () => {
    const { panel } = await openPanel();
    await setSetting('backend', 'gemini');
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', ''), true);
    try {
      const seen = record(panel);
      const turn = await sendFromWebview(panel, 'Hi Gemini');
      seen.dispose();
      assert.equal(turn.status, 'error');
      const error = seen.messages.find((m) => m.type === 'error');
      assert.ok(error?.type === 'error');
      assert.match(error.error.message, /API key/);
      assert.equal(error.error.actions[0], 'setGeminiKey');
    } finally {
      assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', 'test-gemini-key'), true);
      await setSetting('backend', 'mlx');
    }
  });

  it('inserts a code block at the cursor and opens one in a new file', async () => {
    const { panel } = await openPanel();
    const doc = await vscode.workspace.openTextDocument({ content: 'before\nafter\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const changed = new Promise<void>((resolve) => {
      const l = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === doc) {
          l.dispose();
          resolve();
        }
      });
    });
    panel.receive({ type: 'insertCode', code: 'inserted\n' });
    await changed;
    assert.equal(doc.getText(), 'before\ninserted\nafter\n');

    const opened = new Promise<vscode.TextDocument>((resolve) => {
      const l = vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.isUntitled && d.getText() === 'print(1)\n') {
          l.dispose();
          resolve(d);
        }
      });
    });
    panel.receive({ type: 'newFile', code: 'print(1)\n', language: 'py' });
    const created = await opened;
    assert.equal(created.languageId, 'python');
    // Close both untitled editors without a save prompt.
    for (const d of [created, doc]) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('clears the conversation with New Chat, also in storage', async () => {
    const { panel } = await openPanel();
    const reset = new Promise<HostToWebview>((resolve) => {
      const l = panel.session.onDidPost((m) => {
        if (m.type === 'reset') {
          l.dispose();
          resolve(m);
        }
      });
    });
    panel.receive({ type: 'newChat' });
    assert.deepEqual(await reset, { type: 'reset', history: [] });
    assert.equal(panel.session.history.length, 0);
    panel.dispose();
    const { panel: again } = await openPanel();
    assert.equal(again.session.history.length, 0);
  });
});
