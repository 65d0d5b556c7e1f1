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
    assert.match(String(item.description), /^1\.8 GB( · (fits|tight fit|too big for this Mac))? · default( · recommended)? · active$/);
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

describe('memory fit in the Models view', () => {
  it('recommends a seed model for this machine once the configs are read from the Hub', async () => {
    const { modelsTree, services } = await getApi();
    const { advisor, manager } = await services;
    await advisor.loadSeedConfigs(manager.list());
    const recommended = manager.list().filter((e) => modelsTree.nodeFor(e.repoId)?.recommended);
    assert.equal(recommended.length, 1, 'exactly one recommendation');
    assert.match(String(modelsTree.getTreeItem(modelsTree.nodeFor(recommended[0]!.repoId)!).description), /recommended/);
  });

  it('explains quantization, context and the memory verdict in the tooltip', async () => {
    const { modelsTree } = await getApi();
    const node = modelsTree.nodeFor('mlx-community/Llama-3.2-3B-Instruct-4bit')!;
    const item = await modelsTree.resolveTreeItem(modelsTree.getTreeItem(node), node);
    const text = (item.tooltip as vscode.MarkdownString).value;
    assert.match(text, /4-bit \(group 64\)/);
    assert.match(text, /Memory: (fits|tight fit|too big for this Mac)\*\* · KV cache [\d.]+ [MG]B at 8,192 tokens/);
    assert.match(text, /Needs about/);
  });
});
