import { type MemoryFit } from '../../core/models/memory/memoryFit';
import { type ModelEntry, type ModelSection } from '../../core/models/modelEntry';

/** Sections of the Models view, in display order. */
export type GroupId = ModelSection | 'storage';

export const GROUP_LABELS: Record<GroupId, string> = {
  regular: 'Regular',
  reasoning: 'Reasoning',
  other: 'Other local models',
  search: 'Search results',
  storage: 'Storage',
};

/**
 * View models of the Models tree: a tagged union with stable ids and parent links (so `reveal()`
 * works), rendered to `TreeItem`s by modelTreeRendering.ts.
 */
export type ModelTreeNode = GroupNode | ModelNode | StorageNode;

export interface GroupNode {
  readonly kind: 'group';
  readonly id: string;
  readonly group: GroupId;
  readonly label: string;
  readonly parent: undefined;
}

export interface ModelNode {
  readonly kind: 'model';
  readonly id: string;
  readonly entry: ModelEntry;
  /** True for the seed model recommended for this machine's memory. */
  readonly recommended: boolean;
  /** Whether it fits this machine's memory at the configured context, when known. */
  readonly fit?: MemoryFit;
  readonly parent: GroupNode;
}

export interface StorageNode {
  readonly kind: 'storage';
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: string;
  /** Extra `contextValue` parts, e.g. `stale-partials`. */
  readonly contextParts: readonly string[];
  /** Folder to reveal on click. */
  readonly revealPath?: string;
  readonly parent: GroupNode;
}

/** `contextValue` from parts, matched in package.json with `viewItem =~ /;downloaded;/`. */
export function modelContextValue(node: ModelNode): string {
  const { entry } = node;
  const parts = ['model', entry.status.kind, entry.selected ? 'selected' : 'unselected', ...entry.sources];
  if (entry.updateAvailable) parts.push('update');
  if (entry.seed?.isDefault) parts.push('default');
  return parts.join(';') + ';';
}
