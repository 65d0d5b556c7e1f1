import * as vscode from 'vscode';
import { MODEL_GROUPS, SEED_MODELS } from '../../core/catalog/seedModels';
import { Disposable } from '../../core/lifecycle/disposable';
import { type GroupNode, type ModelNode, type ModelTreeNode, toTreeItem } from './modelTreeItems';

export interface ModelsTreeOptions {
  /** Repo id of the active model, read on each render. */
  readonly selectedModel: () => string;
}

/** Data for the "Models" view: seed models grouped as Regular and Reasoning. */
export class ModelsTreeProvider extends Disposable implements vscode.TreeDataProvider<ModelTreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<ModelTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly options: ModelsTreeOptions) {
    super();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: ModelTreeNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  getParent(node: ModelTreeNode): ModelTreeNode | undefined {
    return node.parent;
  }

  getChildren(node?: ModelTreeNode): ModelTreeNode[] {
    if (!node) return this.groups();
    if (node.kind === 'group') return this.modelsOf(node);
    return [];
  }

  private groups(): GroupNode[] {
    return MODEL_GROUPS.map((g) => ({ kind: 'group', id: `group:${g.id}`, group: g.id, label: g.label, parent: undefined }));
  }

  private modelsOf(group: GroupNode): ModelNode[] {
    const selected = this.options.selectedModel().toLowerCase();
    return SEED_MODELS.filter((m) => m.group === group.group).map((model) => ({
      kind: 'model',
      id: `model:${model.repoId}`,
      model,
      selected: model.repoId.toLowerCase() === selected,
      parent: group,
    }));
  }
}
