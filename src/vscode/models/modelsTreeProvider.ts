import * as vscode from 'vscode';
import { formatBytes } from '../../core/format/formatBytes';
import { Disposable } from '../../core/lifecycle/disposable';
import { type MemoryAdvisor } from '../../core/models/memory/memoryAdvisor';
import { type ModelManager } from '../../core/models/modelManager';
import { GROUP_LABELS, type GroupId, type GroupNode, type ModelNode, type ModelTreeNode, type StorageNode } from './modelTreeItems';
import { detailedTooltip, toTreeItem } from './modelTreeRendering';

export interface ModelsTreeOptions {
  /** Resolves once the model services have loaded (after activation, lazily). */
  readonly manager: Promise<ModelManager>;
  /** Memory fit and the recommended seed model; refreshes the view when configs arrive. */
  readonly advisor?: Promise<MemoryAdvisor>;
}

const ORDER: GroupId[] = ['regular', 'reasoning', 'other', 'search', 'storage'];

/** Data for the "Models" view: sections of models with live state, and a Storage section. */
export class ModelsTreeProvider extends Disposable implements vscode.TreeDataProvider<ModelTreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<ModelTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private manager?: ModelManager;
  private advisor?: MemoryAdvisor;

  constructor(private readonly options: ModelsTreeOptions) {
    super();
    void options.manager.then((manager) => {
      this.manager = manager;
      this._register(manager.onDidChange(() => this.refresh()));
    });
    void options.advisor?.then((advisor) => {
      this.advisor = advisor;
      this._register(advisor.onDidChange(() => this.refresh()));
      this.refresh();
    });
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ModelTreeNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  /** On hover: loads the model's config (once) and shows quantization, size, context and memory fit. */
  async resolveTreeItem(item: vscode.TreeItem, node: ModelTreeNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'model' || !this.advisor) return item;
    const config = await this.advisor.ensureConfig(node.entry);
    item.tooltip = detailedTooltip({ ...node, fit: this.advisor.fitFor(node.entry) }, config);
    return item;
  }

  getParent(node: ModelTreeNode): ModelTreeNode | undefined {
    return node.parent;
  }

  /** The node for a model as the view would show it now (for `reveal()` and tests); ids are stable. */
  nodeFor(repoId: string): ModelNode | undefined {
    const entry = this.manager?.get(repoId);
    if (!this.manager || !entry) return undefined;
    return this.modelsOf(this.manager, groupNode(entry.section)).find((n) => n.entry.repoId === entry.repoId);
  }

  async getChildren(node?: ModelTreeNode): Promise<ModelTreeNode[]> {
    const manager = this.manager ?? (await this.options.manager);
    if (!node) return this.groups(manager);
    if (node.kind !== 'group') return [];
    return node.group === 'storage' ? this.storageOf(manager, node) : this.modelsOf(manager, node);
  }

  private groups(manager: ModelManager): GroupNode[] {
    const present = new Set(manager.list().map((e) => e.section));
    return ORDER.filter((g) => g === 'storage' || g === 'regular' || g === 'reasoning' || present.has(g)).map(groupNode);
  }

  private modelsOf(manager: ModelManager, group: GroupNode): ModelNode[] {
    const entries = manager.list();
    const recommended = this.advisor?.recommended(entries)?.toLowerCase();
    return entries
      .filter((e) => e.section === group.group)
      .map((entry) => ({
        kind: 'model',
        id: `model:${entry.repoId.toLowerCase()}`,
        entry,
        recommended: entry.repoId.toLowerCase() === recommended,
        ...(this.advisor ? { fit: this.advisor.fitFor(entry) } : {}),
        parent: group,
      }));
  }

  private storageOf(manager: ModelManager, group: GroupNode): StorageNode[] {
    const storage = manager.storage();
    const nodes: StorageNode[] = [
      {
        kind: 'storage',
        id: 'storage:total',
        label: `${formatBytes(storage.totalBytes)} used`,
        description: storage.cacheRoot,
        tooltip: `Hugging Face cache: ${storage.cacheRoot}\nShared with mlx_lm, huggingface-cli and transformers. Click to reveal.`,
        icon: 'folder',
        contextParts: ['total'],
        revealPath: storage.cacheRoot,
        parent: group,
      },
    ];
    const partialBytes = storage.partials.reduce((n, p) => n + p.bytes, 0);
    if (storage.partials.length > 0) {
      nodes.push({
        kind: 'storage',
        id: 'storage:partials',
        label: 'Partial downloads',
        description: `${formatBytes(partialBytes)}${storage.stalePartialBytes ? ` · ${formatBytes(storage.stalePartialBytes)} stale` : ''}`,
        tooltip: 'Unfinished downloads. They resume where they stopped; "Clean Up" deletes the ones no download is using.',
        icon: 'debug-pause',
        contextParts: ['partials', 'stale-partials'],
        parent: group,
      });
    }
    for (const repo of storage.repos) {
      nodes.push({
        kind: 'storage',
        id: `storage:repo:${repo.repoType}:${repo.repoId.toLowerCase()}`,
        label: repo.repoId,
        description: formatBytes(repo.bytes) + (repo.repoType === 'model' ? '' : ` · ${repo.repoType}`),
        icon: repo.repoType === 'model' ? 'package' : 'file-binary',
        contextParts: ['repo'],
        parent: group,
      });
    }
    return nodes;
  }
}

function groupNode(group: GroupId): GroupNode {
  return { kind: 'group', id: `group:${group}`, group, label: GROUP_LABELS[group], parent: undefined };
}
