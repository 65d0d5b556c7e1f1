import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { type GroupNode, type ModelTreeNode } from '../../src/vscode/models/modelTreeItems';
import { getApi } from './helpers';

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

describe('Models view', () => {
  async function group(name: string): Promise<GroupNode> {
    const { modelsTree } = await getApi();
    const groups = (await modelsTree.getChildren()) as GroupNode[];
    const found = groups.find((g) => g.label === name);
    assert.ok(found, `group ${name} in ${groups.map((g) => g.label).join(', ')}`);
    return found;
  }

  it('shows Regular, Reasoning and Storage sections, in that order', async () => {
    const { modelsTree } = await getApi();
    const labels = ((await modelsTree.getChildren()) as ModelTreeNode[]).map((g) => label(modelsTree.getTreeItem(g)));
    assert.deepEqual(
      labels.filter((l) => ['Regular', 'Reasoning', 'Storage'].includes(l)),
      ['Regular', 'Reasoning', 'Storage'],
    );
  });

  it('groups the six seed models under Regular and Reasoning', async () => {
    const { modelsTree } = await getApi();
    const rows: Record<string, string[]> = {};
    for (const name of ['Regular', 'Reasoning']) {
      const children = await modelsTree.getChildren(await group(name));
      rows[name] = children.map((c) => label(modelsTree.getTreeItem(c)));
    }
    assert.deepEqual(rows, {
      Regular: ['Llama 3.2 1B Instruct 4-bit', 'Llama 3.2 3B Instruct 4-bit', 'Llama 3.1 8B Instruct 4-bit'],
      Reasoning: ['DeepSeek R1 Distill Qwen 1.5B 4-bit', 'DeepSeek R1 Distill Qwen 1.5B 8-bit', 'DeepSeek R1 Distill Llama 8B 4-bit'],
    });
  });

  it('marks the default model, its size and that it is active; context value drives the menus', async () => {
    const { modelsTree } = await getApi();
    const regular = await group('Regular');
    const models = await modelsTree.getChildren(regular);
    const node = models.find((m) => m.kind === 'model' && m.entry.seed?.isDefault)!;
    const item = modelsTree.getTreeItem(node);
    assert.match(String(item.description), /^1\.8 GB · default · (recommended · )?active$/);
    assert.match(String(item.contextValue), /^model;not-downloaded;selected;seed;.*default;$/);
    assert.equal(item.id, 'model:mlx-community/llama-3.2-3b-instruct-4bit');
    assert.equal(modelsTree.getParent(node), regular);
  });

  it('shows where the cache is and how much it holds under Storage', async () => {
    const { modelsTree } = await getApi();
    const rows = await modelsTree.getChildren(await group('Storage'));
    const total = modelsTree.getTreeItem(rows[0]!);
    assert.match(label(total), /used$/);
    assert.equal(total.description, process.env.HF_HUB_CACHE);
  });
});
