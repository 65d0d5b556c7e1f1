import * as vscode from 'vscode';
import { formatBytes } from '../../core/format/formatBytes';
import { formatProgress } from '../../core/format/formatProgress';
import { type ModelConfigSummary } from '../../core/models/memory/modelConfig';
import { type ModelEntry, type ModelStatus } from '../../core/models/modelEntry';
import { modelUri } from './modelDecorations';
import { type ModelNode, type ModelTreeNode, modelContextValue } from './modelTreeItems';

export function toTreeItem(node: ModelTreeNode): vscode.TreeItem {
  switch (node.kind) {
    case 'group': {
      const collapsed = node.group === 'storage' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded;
      const item = new vscode.TreeItem(node.label, collapsed);
      item.id = node.id;
      item.contextValue = `group;${node.group};`;
      if (node.group === 'storage') item.iconPath = new vscode.ThemeIcon('database');
      return item;
    }
    case 'storage': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.description;
      item.tooltip = node.tooltip;
      item.accessibilityInformation = { label: [node.label, node.description].filter(Boolean).join(', ') };
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.contextValue = ['storage', ...node.contextParts].join(';') + ';';
      if (node.revealPath) item.command = { command: 'revealFileInOS', title: 'Reveal', arguments: [vscode.Uri.file(node.revealPath)] };
      return item;
    }
    case 'model':
      return modelItem(node);
  }
}

function modelItem(node: ModelNode): vscode.TreeItem {
  const { entry } = node;
  const item = new vscode.TreeItem(entry.displayName, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = describe(node);
  item.iconPath = statusIcon(entry);
  item.resourceUri = modelUri(entry);
  item.contextValue = modelContextValue(node);
  item.tooltip = basicTooltip(node);
  item.accessibilityInformation = { label: `${entry.displayName}, ${item.description}` };
  return item;
}

/** The row's description: size and state, or live progress like `42% · 760 MB / 1.8 GB · 35 MB/s · 31 s left`. */
export function describe(node: ModelNode): string {
  const { entry } = node;
  const status = entry.status;
  const notes: string[] = [];
  switch (status.kind) {
    case 'downloading':
      notes.push(status.progress ? formatProgress(status.progress) : 'starting…');
      break;
    case 'queued':
      notes.push(`queued (#${status.position})`);
      break;
    case 'partial':
      notes.push(`paused · ${formatBytes(status.partialBytes)}${entry.downloadSizeBytes ? ` of ${formatBytes(entry.downloadSizeBytes)}` : ''}`);
      break;
    case 'failed':
      notes.push('failed');
      break;
    case 'corrupted':
      notes.push('corrupted');
      break;
    case 'downloaded':
      notes.push(formatBytes(entry.sizeOnDisk));
      break;
    case 'not-downloaded':
      if (entry.downloadSizeBytes) notes.push(formatBytes(entry.downloadSizeBytes));
      if (entry.incompatibleReason) notes.push('not for mlx_lm');
      else if (entry.downloads !== undefined) notes.push(`${compact(entry.downloads)} downloads`);
      break;
  }
  // Only a warning earns room in the row (the sidebar is narrow); the tooltip always has the verdict.
  if ((node.fit?.verdict === 'tight' || node.fit?.verdict === 'too-big') && status.kind !== 'downloading' && status.kind !== 'queued') notes.push(FIT_LABELS[node.fit.verdict]);
  if (entry.seed?.isDefault) notes.push('default');
  if (node.recommended) notes.push('recommended');
  if (entry.selected) notes.push('active');
  if (entry.updateAvailable) notes.push('update available');
  return notes.join(' · ');
}

function statusIcon(entry: ModelEntry): vscode.ThemeIcon {
  const color = (id: string) => new vscode.ThemeColor(id);
  if (entry.updateAvailable) return new vscode.ThemeIcon('arrow-circle-up', color('charts.purple'));
  switch (entry.status.kind) {
    case 'downloaded':
      return new vscode.ThemeIcon(entry.selected ? 'pass-filled' : 'pass', color('charts.green'));
    case 'downloading':
      return new vscode.ThemeIcon('sync~spin', color('charts.blue'));
    case 'queued':
      return new vscode.ThemeIcon('clock', color('charts.blue'));
    case 'partial':
      return new vscode.ThemeIcon('debug-pause', color('charts.yellow'));
    case 'failed':
    case 'corrupted':
      return new vscode.ThemeIcon('error', color('errorForeground'));
    default:
      return new vscode.ThemeIcon(entry.incompatibleReason ? 'circle-slash' : entry.seed?.reasoning ? 'lightbulb' : 'cloud-download');
  }
}

/** What is known without I/O; `resolveTreeItem` adds config details and the memory verdict. */
export function basicTooltip(node: ModelNode): vscode.MarkdownString {
  const { entry } = node;
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`**${escape(entry.displayName)}**\n\n`);
  md.appendMarkdown(`\`${entry.repoId}\`\n\n`);
  const status = entry.status;
  const lines: string[] = [];
  switch (status.kind) {
    case 'downloaded':
      lines.push(
        `Downloaded · revision \`${status.commit.slice(0, 8)}\`${pinnedRevisionNote(status)} · ${status.fileCount !== undefined ? `${status.fileCount} files · ` : ''}${formatBytes(entry.sizeOnDisk)} on disk`,
        `Path: \`${status.snapshotPath}\``,
      );
      break;
    case 'downloading':
      lines.push(`Downloading${status.progress ? `: ${formatProgress(status.progress)} · ${status.progress.filesDone}/${status.progress.filesTotal} files` : ''}`);
      break;
    case 'partial':
      lines.push(`Paused with ${formatBytes(status.partialBytes)} downloaded: resume to continue where it stopped`);
      if (status.missing?.length) {
        const shown = status.missing.slice(0, 5).map((p) => `\`${p}\``).join(', ');
        lines.push(`Not in the snapshot yet: ${shown}${status.missing.length > 5 ? ` and ${status.missing.length - 5} more` : ''}`);
      }
      break;
    case 'failed':
      lines.push(`$(error) Download failed: ${escape(status.message)}`);
      break;
    case 'corrupted':
      lines.push(`$(error) The cache entry is damaged: ${escape(status.reason)}. Delete and download again.`);
      break;
    case 'queued':
      lines.push(`Waiting for other downloads (#${status.position})`);
      break;
    default:
      lines.push(`Not downloaded${entry.downloadSizeBytes ? ` · about ${formatBytes(entry.downloadSizeBytes)}` : ''}`);
  }
  if (entry.updateAvailable) lines.push(`Update available: \`${entry.updateAvailable.remoteCommit.slice(0, 8)}\``);
  if (entry.incompatibleReason) lines.push(`$(warning) ${escape(entry.incompatibleReason)}`);
  if (node.recommended) lines.push('$(star-full) Recommended for this machine');
  md.appendMarkdown(lines.join('\n\n'));
  return md;
}

const FIT_LABELS = { fits: 'fits', tight: 'tight fit', 'too-big': 'too big for this Mac', unknown: '' } as const;
const FIT_ICONS = { fits: '$(pass)', tight: '$(warning)', 'too-big': '$(error)', unknown: '$(question)' } as const;

/** The hover: the basic facts plus what config.json says and the memory verdict with its reasons. */
export function detailedTooltip(node: ModelNode, config: ModelConfigSummary | undefined): vscode.MarkdownString {
  const md = basicTooltip(node);
  const facts: string[] = [];
  if (config?.quantization) facts.push(`${config.quantization.bits}-bit (group ${config.quantization.groupSize})`);
  else if (config?.dtype) facts.push(config.dtype);
  if (config?.parameterCount) facts.push(`${formatCount(config.parameterCount)} parameters${config.parameterCountSource === 'estimate' ? ' (est.)' : ''}`);
  if (config?.contextLength ?? config?.maxPositionEmbeddings) facts.push(`context up to ${(config.contextLength ?? config.maxPositionEmbeddings)!.toLocaleString('en-US')} tokens`);
  if (config?.modelType) facts.push(config.modelType);
  if (facts.length) md.appendMarkdown(`\n\n${facts.join(' · ')}`);
  const fit = node.fit;
  if (fit) {
    const kv = fit.kvCacheBytes !== undefined ? ` · KV cache ${formatBytes(fit.kvCacheBytes)} at ${fit.contextTokens.toLocaleString('en-US')} tokens` : '';
    md.appendMarkdown(`\n\n${FIT_ICONS[fit.verdict]} **Memory: ${fit.verdict === 'unknown' ? 'unknown' : FIT_LABELS[fit.verdict]}**${kv}\n\n${escape(fit.explanation)}`);
  } else if (!config) {
    md.appendMarkdown('\n\n$(question) Memory fit unknown: config.json could not be read (offline?).');
  }
  return md;
}

function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} B` : `${(n / 1e6).toFixed(0)} M`;
}

function compact(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** ` (dev)` or ` (by commit id)` for a snapshot that is not main's, so a pinned download never passes for main. */
function pinnedRevisionNote(status: Extract<ModelStatus, { kind: 'downloaded' }>): string {
  if (status.revision === undefined || status.revision === 'main') return '';
  return ` (${status.revision === status.commit ? 'by commit id' : escape(status.revision)})`;
}
