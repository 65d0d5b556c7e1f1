import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { type BackendStatus, renderStatus } from '../../src/vscode/statusBar/backendStatusBar';
import { getApi, nextConfigChange } from './helpers';

describe('backend status-bar item', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('mlx').update('backend', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows MLX with the default model, from settings', async () => {
    const { statusBar } = await getApi();
    assert.equal(statusBar.text, '$(chip) MLX: Llama 3.2 3B Instruct 4-bit');
  });

  it('toggles to Gemini and back through its command, writing the setting', async () => {
    const { statusBar } = await getApi();
    let changed = nextConfigChange('mlx.backend');
    await vscode.commands.executeCommand('mlx.toggleBackend');
    await changed;
    assert.equal(vscode.workspace.getConfiguration('mlx').get('backend'), 'gemini');
    assert.equal(statusBar.text, '$(cloud) Gemini');

    changed = nextConfigChange('mlx.backend');
    await vscode.commands.executeCommand('mlx.toggleBackend');
    await changed;
    assert.equal(statusBar.text, '$(chip) MLX: Llama 3.2 3B Instruct 4-bit');
  });

  it('follows a setting changed elsewhere', async () => {
    const { statusBar } = await getApi();
    const changed = nextConfigChange('mlx.backend');
    await vscode.workspace.getConfiguration('mlx').update('backend', 'gemini', vscode.ConfigurationTarget.Global);
    await changed;
    assert.equal(statusBar.text, '$(cloud) Gemini');
  });
});

describe('backend status-bar states', () => {
  const model = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
  const cases: [BackendStatus, string, string | undefined][] = [
    [{ kind: 'gemini', tokensPerSecond: 41.5 }, '$(cloud) Gemini', undefined],
    [{ kind: 'mlx-idle', modelRepoId: model }, '$(chip) MLX: DeepSeek R1 Distill Qwen 1.5B 4-bit', undefined],
    [{ kind: 'mlx-starting', modelRepoId: model }, '$(loading~spin) MLX: starting DeepSeek R1 Distill Qwen 1.5B 4-bit', undefined],
    [{ kind: 'mlx-ready', modelRepoId: 'someone/Custom-Model-4bit', tokensPerSecond: 88 }, '$(chip) MLX: Custom-Model-4bit', undefined],
    [{ kind: 'mlx-fallback', modelRepoId: model, reason: 'The model is not downloaded.' }, '$(warning) MLX → Gemini', 'statusBarItem.warningBackground'],
    [{ kind: 'error', message: 'mlx_lm is not installed.' }, '$(error) MLX', 'statusBarItem.errorBackground'],
  ];
  for (const [status, text, background] of cases) {
    it(`renders ${status.kind}`, async () => {
      const { statusBar } = await getApi();
      const before = statusBar.status;
      try {
        statusBar.update(status);
        assert.equal(statusBar.text, text);
        assert.equal(statusBar.backgroundColor?.id, background);
        const tooltip = renderStatus(status).tooltip.value;
        assert.match(tooltip, /command:mlx\.toggleBackend/);
        assert.match(tooltip, /command:mlx\.openChat.*command:mlx\.selectModel.*command:mlx\.showLogs.*command:mlx\.stopRunner/s);
        if (status.kind === 'mlx-fallback') assert.match(tooltip, /not downloaded/);
        if ('tokensPerSecond' in status && status.tokensPerSecond) assert.match(tooltip, /tokens\/s/);
      } finally {
        statusBar.update(before);
      }
    });
  }
});
