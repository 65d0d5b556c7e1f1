import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { type ExtensionApi } from '../../src/vscode/api';
import { getApi } from './helpers';

describe('extension in a real VS Code', () => {
  let api: ExtensionApi;

  before(async () => {
    // Printed first so every run's log shows which VS Code the suite ran in.
    console.log(`[exthost] vscode.version = ${vscode.version}, uiKind = ${vscode.UIKind[vscode.env.uiKind]}, remoteName = ${vscode.env.remoteName ?? 'none'}`);
    api = await getApi();
  });

  it('runs inside VS Code 1.104 or later', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major! > 1 || minor! >= 104, vscode.version);
  });

  it('activates and reports its activation time', () => {
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs >= 0);
    console.log(`[exthost] activate() took ${api.activationMs.toFixed(2)} ms`);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['mlx.showLogs', 'mlx.toggleBackend', 'mlx.refreshModels']) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('shows the logs without error', async () => {
    await vscode.commands.executeCommand('mlx.showLogs');
  });
});
