import assert from 'node:assert/strict';
import * as vscode from 'vscode';
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
