import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { type RoutedEvent } from '../../src/core/chat/chatRouter';
import { getApi, nextConfigChange } from './helpers';

const LOCAL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const NOT_DOWNLOADED = 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit';

async function ask(prompt: string): Promise<RoutedEvent[]> {
  const { router } = await (await getApi()).inference;
  const events: RoutedEvent[] = [];
  for await (const event of router.stream([{ role: 'user', content: prompt }], { maxTokens: 64 })) events.push(event);
  return events;
}

const text = (events: RoutedEvent[]) =>
  events
    .filter((e) => e.type === 'text')
    .map((e) => (e as { text: string }).text)
    .join('');

async function setSetting(key: string, value: unknown): Promise<void> {
  const changed = nextConfigChange(`mlx.${key}`);
  await vscode.workspace.getConfiguration('mlx').update(key, value, vscode.ConfigurationTarget.Global);
  await changed;
}

describe('inference in a real VS Code: runner, router, fallback, status bar', function () {
  this.timeout(90_000);

  before(async () => {
    assert.equal(await vscode.commands.executeCommand('mlx.downloadModel', LOCAL), true);
    await vscode.commands.executeCommand('mlx.selectModel', LOCAL);
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', 'test-gemini-key'), true);
  });

  after(async () => {
    await vscode.commands.executeCommand('mlx.stopRunner');
    await vscode.workspace.getConfiguration('mlx').update('selectedModel', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('mlx').update('backend', undefined, vscode.ConfigurationTarget.Global);
  });

  it('starts the runner on the first request and answers with the local model; the status bar follows', async () => {
    const { statusBar, inference } = await getApi();
    const { local } = await inference;
    const states: string[] = [];
    const listener = local.onDidChangeState((s) => states.push(s.kind));
    const events = await ask('Hello from VS Code');
    listener.dispose();
    assert.deepEqual(events[0], { type: 'route', route: { backend: 'mlx', model: LOCAL } });
    assert.match(text(events), /You said: Hello from VS Code/);
    assert.deepEqual(states.slice(0, 2), ['starting', 'ready']);
    assert.equal(statusBar.status.kind, 'mlx-ready');
    assert.equal(statusBar.text, '$(chip) MLX: Llama 3.2 1B Instruct 4-bit');
    const metrics = events.at(-1) as { type: string; tokensPerSecond?: number };
    assert.equal(metrics.type, 'metrics');
  });

  it('shows the last reply\'s speed in the tooltip', async () => {
    const { statusBar, inference } = await getApi();
    (await inference).reportSpeed(42.5);
    assert.match((statusBar.status as { tokensPerSecond?: number }).tokensPerSecond?.toString() ?? '', /42\.5/);
  });

  it('stops the runner on request, and the status bar goes back to idle', async () => {
    const { statusBar, inference } = await getApi();
    const { local } = await inference;
    await vscode.commands.executeCommand('mlx.stopRunner');
    assert.equal(local.state.kind, 'stopped');
    assert.equal(statusBar.status.kind, 'mlx-idle');
  });

  it('falls back to Gemini with the reason when the model is not downloaded, then returns to MLX', async () => {
    const { statusBar } = await getApi();
    await setSetting('selectedModel', NOT_DOWNLOADED);
    const events = await ask('Who answers?');
    assert.deepEqual(events[0], { type: 'route', route: { backend: 'gemini', model: 'gemini-2.5-flash', fallbackReason: 'Llama 3.1 8B Instruct 4-bit is not downloaded.' } });
    assert.ok(text(events).length > 0, 'Gemini answered');
    assert.equal(statusBar.text, '$(warning) MLX → Gemini');
    assert.equal(statusBar.backgroundColor?.id, 'statusBarItem.warningBackground');

    await setSetting('selectedModel', LOCAL);
    const back = await ask('And now?');
    assert.equal((back[0] as { route: { backend: string } }).route.backend, 'mlx');
    assert.equal(statusBar.status.kind, 'mlx-ready');
  });

  it('answers with Gemini when Gemini is chosen', async () => {
    const { statusBar } = await getApi();
    await setSetting('backend', 'gemini');
    const events = await ask('Hi Gemini');
    assert.equal((events[0] as { route: { backend: string } }).route.backend, 'gemini');
    assert.equal(statusBar.text, '$(cloud) Gemini');
    await setSetting('backend', 'mlx');
  });
});
