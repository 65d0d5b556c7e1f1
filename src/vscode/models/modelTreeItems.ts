import * as vscode from 'vscode';
import { type ModelGroup, type SeedModel } from '../../core/catalog/seedModels';
import { formatBytes } from '../../core/format/formatBytes';

/** View models of the Models tree: a tagged union with stable ids and parent links (so `reveal()` works). */
export type ModelTreeNode = GroupNode | ModelNode;

export interface GroupNode {
  readonly kind: 'group';
  readonly id: string;
  readonly group: ModelGroup;
  readonly label: string;
  readonly parent: undefined;
}

export interface ModelNode {
  readonly kind: 'model';
  readonly id: string;
  readonly model: SeedModel;
  readonly selected: boolean;
  readonly parent: GroupNode;
}

/** `contextValue` is built from parts so menus can match `viewItem =~ /;selected;/`. */
export function modelContextValue(node: ModelNode): string {
  const parts = ['model', 'seed'];
  if (node.model.isDefault) parts.push('default');
  if (node.selected) parts.push('selected');
  return parts.join(';') + ';';
}

export function toTreeItem(node: ModelTreeNode): vscode.TreeItem {
  if (node.kind === 'group') {
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    item.contextValue = `group;${node.group};`;
    return item;
  }
  const { model } = node;
  const item = new vscode.TreeItem(model.displayName, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const notes = [formatBytes(model.nominalSizeBytes)];
  if (model.isDefault) notes.push('default');
  if (node.selected) notes.push('active');
  item.description = notes.join(' · ');
  item.iconPath = new vscode.ThemeIcon(model.reasoning ? 'lightbulb' : 'hubot');
  item.contextValue = modelContextValue(node);
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(model.displayName)}**\n\n`);
  tooltip.appendMarkdown(`\`${model.repoId}\`\n\n`);
  tooltip.appendMarkdown(`About ${formatBytes(model.nominalSizeBytes)} to download`);
  if (model.reasoning) tooltip.appendMarkdown(' · reasoning model');
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: `${model.displayName}, ${item.description}` };
  return item;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
