import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { getApi } from './helpers';

describe('API keys', () => {
  before(() => getApi());

  it('checks a Gemini key against the API before storing it, and refuses a wrong one', async () => {
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', 'not-a-valid-key'), false);
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', 'test-gemini-key'), true);
  });

  it('removes the key when given an empty one', async () => {
    assert.equal(await vscode.commands.executeCommand('mlx.setGeminiKey', ''), true);
  });
});
