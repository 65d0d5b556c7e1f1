import * as vscode from 'vscode';
import { formatBytes } from '../../core/format/formatBytes';
import { type ModelEntry, type ModelStatus } from '../../core/models/modelEntry';
import { type ModelManager } from '../../core/models/modelManager';

/** What a model command may be called with: a tree node, a repo id (scripts, tests), or nothing (then we ask). */
export type ModelArgument = { entry: ModelEntry } | string | undefined;

/** The model a command is about; asks with a QuickPick when called from the palette. */
export async function resolveModel(manager: ModelManager, arg: ModelArgument, pick: { placeHolder: string; states?: ModelStatus['kind'][] }): Promise<ModelEntry | undefined> {
  if (typeof arg === 'string') return manager.get(arg) ?? (await addAndGet(manager, arg));
  if (arg && typeof arg === 'object' && 'entry' in arg) return manager.get(arg.entry.repoId) ?? arg.entry;
  const candidates = manager.list().filter((e) => !pick.states || pick.states.includes(e.status.kind));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('No model fits this action right now.');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((entry) => ({
      label: entry.displayName,
      description: entry.repoId,
      detail: `${entry.status.kind.replace('-', ' ')}${entry.sizeOnDisk ? ` · ${formatBytes(entry.sizeOnDisk)} on disk` : entry.downloadSizeBytes ? ` · ${formatBytes(entry.downloadSizeBytes)}` : ''}${entry.selected ? ' · active' : ''}`,
      entry,
    })),
    { placeHolder: pick.placeHolder, matchOnDescription: true },
  );
  return chosen?.entry;
}

/** A repo id not in the list yet (a script asked for it): list it once it checks out on the Hub. */
async function addAndGet(manager: ModelManager, repoId: string): Promise<ModelEntry | undefined> {
  const id = await manager.addUserModel(repoId);
  return manager.get(id);
}
