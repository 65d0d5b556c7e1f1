import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { FAILED_STATUSES, verifyRepo } from '../../core/cache/cacheVerifier';
import { removeDamagedFiles } from '../../core/cache/removeDamagedFiles';
import { TransferCancelledError } from '../../core/download/transferErrors';
import { formatBytes } from '../../core/format/formatBytes';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type ModelEntry } from '../../core/models/modelEntry';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { type Settings } from '../config/settings';
import { downloadWithProgress } from '../models/downloadWithProgress';
import { showErrorWithActions } from '../models/errorActions';
import { type InterruptedDownloads } from '../models/interruptedDownloads';
import { type ModelServices } from '../models/modelServices';
import { type ModelArgument, resolveModel } from './modelTarget';

export interface ModelCommandDeps {
  readonly services: Promise<ModelServices>;
  readonly settings: Settings;
  readonly log: vscode.LogOutputChannel;
  readonly interrupted: InterruptedDownloads;
}

/** Commands on one model: download, cancel, resume, update, delete, select, verify, reveal, open, copy. */
export function registerModelCommands(deps: ModelCommandDeps): IDisposable[] {
  const { services, settings, log, interrupted } = deps;
  const manager = async () => (await services).manager;

  /** Downloads (or updates) with a progress notification; resolves false when cancelled or failed. */
  const download = async (entry: ModelEntry, mode: 'download' | 'update' = 'download'): Promise<boolean> => {
    const m = await manager();
    await interrupted.add(entry.repoId);
    const verb = mode === 'update' ? 'Updating' : 'Downloading';
    try {
      const result = await downloadWithProgress(`${verb} ${entry.displayName}`, (options) => (mode === 'update' ? m.update(entry.repoId, options) : m.download(entry.repoId, options)));
      await interrupted.remove(entry.repoId);
      log.info(`[download] ${entry.repoId} ready at ${result.snapshotPath} (${formatBytes(result.bytesDownloaded)} fetched)`);
      const select = entry.selected ? undefined : 'Select as Active Model';
      void vscode.window.showInformationMessage(`${entry.displayName} is ${mode === 'update' ? 'up to date' : 'downloaded'}.`, ...(select ? [select] : [])).then((choice) => {
        if (choice === select) void vscode.commands.executeCommand('mlx.selectModel', entry.repoId);
      });
      return true;
    } catch (error) {
      if (error instanceof TransferCancelledError) {
        // The user chose to stop: don't resume it on the next start. (A shutdown is not a choice:
        // that download stays listed and resumes.)
        if (!(await services).shuttingDown) await interrupted.remove(entry.repoId);
        log.info(`[download] ${entry.repoId}: ${error.message}`);
        return false;
      }
      log.error(`[download] ${entry.repoId} failed: ${error instanceof Error ? error.message : String(error)}`);
      const s = await services;
      void showErrorWithActions(`Could not download ${entry.displayName}`, error, { retry: () => download(entry, mode), repoId: entry.repoId, hubEndpoint: s.endpoint });
      return false;
    }
  };

  const onModel =
    (placeHolder: string, states: ModelEntry['status']['kind'][] | undefined, run: (entry: ModelEntry, options?: { confirmed?: boolean }) => Promise<unknown>) =>
    async (arg?: ModelArgument, options?: { confirmed?: boolean }) => {
      try {
        const entry = await resolveModel(await manager(), arg, { placeHolder, states });
        return entry ? await run(entry, options) : undefined;
      } catch (error) {
        void showErrorWithActions('MLX', error, {});
        return undefined;
      }
    };

  return [
    vscode.commands.registerCommand('mlx.downloadModel', onModel('Download which model?', ['not-downloaded', 'failed', 'partial'], (e) => download(e))),
    vscode.commands.registerCommand('mlx.resumeDownload', onModel('Resume which download?', ['partial', 'failed'], (e) => download(e))),
    vscode.commands.registerCommand('mlx.updateModel', onModel('Update which model?', ['downloaded'], (e) => download(e, 'update'))),
    vscode.commands.registerCommand(
      'mlx.cancelDownload',
      onModel('Cancel which download?', ['downloading', 'queued'], async (e) => {
        await interrupted.remove(e.repoId);
        return (await manager()).cancel(e.repoId);
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.deleteModel',
      onModel('Delete which model?', ['downloaded', 'partial', 'failed', 'corrupted'], async (e, options) => {
        if (!options?.confirmed) {
          const answer = await vscode.window.showWarningMessage(
            `Delete ${e.displayName}?`,
            { modal: true, detail: `This frees ${formatBytes(e.sizeOnDisk)} in the shared Hugging Face cache (mlx_lm and other tools will no longer find it).` },
            'Delete',
          );
          if (answer !== 'Delete') return 0;
        }
        await interrupted.remove(e.repoId);
        const freed = await (await manager()).delete(e.repoId);
        log.info(`[models] deleted ${e.repoId}, freed ${formatBytes(freed)}`);
        void vscode.window.showInformationMessage(`Deleted ${e.displayName}: ${formatBytes(freed)} freed.`);
        return freed;
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.selectModel',
      onModel('Select the active model', undefined, async (e) => {
        if (e.status.kind !== 'downloaded') {
          const choice = await vscode.window.showWarningMessage(`${e.displayName} is not downloaded yet.`, 'Download and Select');
          if (choice !== 'Download and Select' || !(await download(e))) return undefined;
        }
        await settings.setSelectedModel(e.repoId);
        return e.repoId;
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.verifyModel',
      onModel('Verify which model?', ['downloaded'], async (e) => {
        const m = await manager();
        const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Verifying ${e.displayName}`, cancellable: true }, (_progress, token) => {
          const controller = new AbortController();
          const listener = token.onCancellationRequested(() => controller.abort());
          // The snapshot the tree shows as downloaded, which need not be main's (a download by commit id).
          const commit = e.status.kind === 'downloaded' ? e.status.commit : undefined;
          const isRequired = (p: string) => matchesAnyPattern(p, MLX_ALLOW_PATTERNS);
          return verifyRepo({ root: m.cacheRoot, repoId: e.repoId, commit, isRequired, signal: controller.signal }).finally(() => listener.dispose());
        });
        const bad = result.files.filter((f) => FAILED_STATUSES.includes(f.status));
        const unchecked = result.files.filter((f) => f.status === 'unchecked');
        if (bad.length > 0) {
          log.warn(`[verify] ${e.repoId}: ${bad.map((f) => `${f.path} ${f.status}`).join(', ')}`);
          const missing = bad.filter((f) => f.status === 'missing').map((f) => f.path);
          const named = missing.length ? ` Missing: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}.` : '';
          void vscode.window.showErrorMessage(`${e.displayName}: ${bad.length} of ${result.files.length} files are damaged or missing.${named}`, 'Download Again', 'Show Logs').then(async (choice) => {
            if (choice === 'Download Again') {
              // A download keeps files already in place: the damaged ones must go first.
              const removed = await removeDamagedFiles({ root: m.cacheRoot, repoId: e.repoId, commit: result.commit, checks: result.files });
              if (removed.paths.length) log.info(`[verify] ${e.repoId}: removed damaged ${removed.paths.join(', ')} (${removed.blobs.length} blobs) before downloading again`);
              if (removed.otherLinks.length) log.warn(`[verify] ${e.repoId}: other revisions shared the damaged blobs and lost them too: ${removed.otherLinks.join(', ')}`);
              await m.refresh();
              void download(e);
            }
            if (choice === 'Show Logs') log.show(true);
          });
        } else if (unchecked.length > 0) {
          // Not a damaged file: copies made without symlinks, in a cache that records no hash for them.
          log.info(`[verify] ${e.repoId}: cannot check ${unchecked.map((f) => f.path).join(', ')} (copied files, no trees/<commit>.json)`);
          void vscode.window.showInformationMessage(
            `${e.displayName}: ${result.files.filter((f) => f.status === 'ok').length} of ${result.files.length} files verified; ${unchecked.length} could not be checked (copied files whose hash the cache does not record).`,
          );
        } else void vscode.window.showInformationMessage(`${e.displayName}: all ${result.files.length} files verified.`);
        return result;
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.checkModelUpdate',
      onModel('Check which model?', ['downloaded'], async (e) => {
        const check = await (await manager()).checkForUpdates();
        const update = check.updates.find((u) => u.repoId.toLowerCase() === e.repoId.toLowerCase());
        const failure = check.failures.find((f) => f.repoId.toLowerCase() === e.repoId.toLowerCase());
        if (failure) void vscode.window.showWarningMessage(`Could not check ${e.displayName}: ${failure.message}`);
        else if (!update) void vscode.window.showInformationMessage(`${e.displayName} is up to date.`);
        else
          void vscode.window.showInformationMessage(`An update of ${e.displayName} is available.`, 'Update').then((choice) => {
            if (choice === 'Update') void download(e, 'update');
          });
        return update;
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.revealModel',
      onModel('Reveal which model?', ['downloaded', 'partial'], async (e) => {
        const path = e.status.kind === 'downloaded' ? e.status.snapshotPath : (await manager()).cacheRoot;
        await revealInFileManager(path);
      }),
    ),
    vscode.commands.registerCommand(
      'mlx.openOnHub',
      onModel('Open which model on Hugging Face?', undefined, async (e) => vscode.env.openExternal(vscode.Uri.parse(`${(await services).endpoint}/${e.repoId}`))),
    ),
    vscode.commands.registerCommand(
      'mlx.copyRepoId',
      onModel('Copy which repo id?', undefined, async (e) => {
        await vscode.env.clipboard.writeText(e.repoId);
        return e.repoId;
      }),
    ),
    vscode.commands.registerCommand('mlx.removeModelFromList', onModel('Remove which model from the list?', undefined, async (e) => (await manager()).removeUserModel(e.repoId))),
  ];
}

/**
 * VS Code's `revealFileInOS` works only for local windows; in a remote or web window (code-server)
 * we open the folder in the OS from the extension host where possible, else show it in the Explorer.
 */
async function revealInFileManager(path: string): Promise<void> {
  if (vscode.env.remoteName === undefined) {
    await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path));
    return;
  }
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : undefined;
  if (opener) spawn(opener, [path], { detached: true, stdio: 'ignore' }).unref();
  else await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path));
}
