import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { type ModelTreeNode } from '../../src/vscode/models/modelTreeItems';
import { getApi } from './helpers';

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

describe('Models view', () => {
  it('groups the six seed models under Regular and Reasoning', async () => {
    const { modelsTree } = await getApi();
    const groups = await modelsTree.getChildren();
    assert.deepEqual(groups.map((g) => label(modelsTree.getTreeItem(g))), ['Regular', 'Reasoning']);

    const rows: Record<string, string[]> = {};
    for (const group of groups) {
      const children = (await modelsTree.getChildren(group)) as ModelTreeNode[];
      rows[label(modelsTree.getTreeItem(group))] = children.map((c) => label(modelsTree.getTreeItem(c)));
    }
    assert.deepEqual(rows, {
      Regular: ['Llama 3.2 1B Instruct 4-bit', 'Llama 3.2 3B Instruct 4-bit', 'Llama 3.1 8B Instruct 4-bit'],
      Reasoning: ['DeepSeek R1 Distill Qwen 1.5B 4-bit', 'DeepSeek R1 Distill Qwen 1.5B 8-bit', 'DeepSeek R1 Distill Llama 8B 4-bit'],
    });
  });

  it('marks the default model, its size and that it is active', async () => {
    const { modelsTree } = await getApi();
    const [regular] = await modelsTree.getChildren();
    const models = await modelsTree.getChildren(regular);
    const item = modelsTree.getTreeItem(models[1]!);
    assert.equal(item.description, '1.8 GB · default · active');
    assert.equal(item.contextValue, 'model;seed;default;selected;');
    assert.equal(item.id, 'model:mlx-community/Llama-3.2-3B-Instruct-4bit');
    assert.equal(modelsTree.getParent(models[1]!), regular);
  });
});
