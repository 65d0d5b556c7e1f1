import * as vscode from 'vscode';
import { formatBytes } from '../../core/format/formatBytes';
import { type ModelSummary } from '../../core/hub/modelInfo';
import { parseRepoId } from '../../core/hub/repoId';
import { mlxIncompatibility } from '../../core/models/mlxCompatibility';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type Settings } from '../config/settings';
import { showErrorWithActions } from '../models/errorActions';
import { type ModelServices } from '../models/modelServices';
import { type ModelTreeNode } from '../models/modelTreeItems';
import { type ModelsTreeProvider } from '../models/modelsTreeProvider';

export interface LibraryCommandDeps {
  readonly services: Promise<ModelServices>;
  readonly settings: Settings;
  readonly log: vscode.LogOutputChannel;
  readonly modelsView: vscode.TreeView<ModelTreeNode>;
  readonly modelsTree: ModelsTreeProvider;
  readonly globalState: vscode.Memento;
}

const SEARCH_DEBOUNCE_MS = 300;
/** Results whose download size is looked up (one small Hub request each). */
const SIZED_RESULTS = 10;

/** Commands on the model library as a whole: search, add, token, storage, clean-up, updates. */
export function registerLibraryCommands(deps: LibraryCommandDeps): IDisposable[] {
  const { services, log } = deps;
  return [
    vscode.commands.registerCommand('mlx.searchModels', (initial?: string) => searchModels(deps, initial)),
    vscode.commands.registerCommand('mlx.addModel', async (repoArg?: string) => {
      const input =
        repoArg ??
        (await vscode.window.showInputBox({
          title: 'Add Model by Repo ID',
          prompt: 'A Hugging Face model id: owner/name',
          placeHolder: 'mlx-community/Qwen2.5-7B-Instruct-4bit',
          validateInput: (value) => {
            try {
              parseRepoId(value);
              return undefined;
            } catch (error) {
              return error instanceof Error ? error.message : String(error);
            }
          },
        }));
      if (!input) return undefined;
      const s = await services;
      try {
        const id = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Looking up ${input.trim()} on Hugging Face…` }, () => s.manager.addUserModel(input));
        log.info(`[models] added ${id}`);
        if (!repoArg && (await vscode.window.showInformationMessage(`Added ${id} to the Models view.`, 'Download')) === 'Download') {
          void vscode.commands.executeCommand('mlx.downloadModel', id);
        }
        return id;
      } catch (error) {
        void showErrorWithActions(`Could not add ${input.trim()}`, error, { repoId: input.trim(), hubEndpoint: s.endpoint });
        return undefined;
      }
    }),
    vscode.commands.registerCommand('mlx.setHfToken', async () => {
      const s = await services;
      const token = await vscode.window.showInputBox({
        title: 'Set Hugging Face Token',
        prompt: 'Needed for gated and private models. Stored in VS Code\'s secret storage; leave empty to remove it.',
        password: true,
        ignoreFocusOut: true,
        placeHolder: 'hf_…',
        validateInput: (value) => (value && /\s/.test(value.trim()) ? 'A token has no spaces' : undefined),
      });
      if (token === undefined) return;
      await s.tokens.set(token.trim() || undefined);
      void vscode.window.showInformationMessage(token.trim() ? 'Hugging Face token saved.' : 'Hugging Face token removed.');
    }),
    vscode.commands.registerCommand('mlx.showStorage', async () => {
      const s = await services;
      await s.manager.refresh();
      const storage = s.manager.storage();
      const groups = await deps.modelsTree.getChildren();
      const group = groups.find((g) => g.kind === 'group' && g.group === 'storage');
      if (group) await deps.modelsView.reveal(group, { expand: true, focus: true, select: false });
      void vscode.window.showInformationMessage(
        `${formatBytes(storage.totalBytes)} in ${storage.repos.length} repo(s) at ${storage.cacheRoot}` + (storage.partials.length ? ` · ${formatBytes(storage.partials.reduce((n, p) => n + p.bytes, 0))} in partial downloads` : ''),
      );
      return storage;
    }),
    vscode.commands.registerCommand('mlx.cleanUpPartials', async (_node?: unknown, options?: { confirmed?: boolean }) => {
      const s = await services;
      await s.manager.refresh();
      const bytes = s.manager.storage().partials.reduce((n, p) => n + p.bytes, 0);
      if (bytes === 0) {
        void vscode.window.showInformationMessage('There are no partial downloads to clean up.');
        return 0;
      }
      if (!options?.confirmed) {
        const answer = await vscode.window.showWarningMessage(`Delete ${formatBytes(bytes)} of partial downloads?`, { modal: true, detail: 'Downloads in progress are kept. The others would have to start over.' }, 'Delete');
        if (answer !== 'Delete') return 0;
      }
      const freed = await s.manager.cleanPartials();
      void vscode.window.showInformationMessage(`Freed ${formatBytes(freed)}.`);
      return freed;
    }),
    vscode.commands.registerCommand('mlx.checkForUpdates', async () => {
      const s = await services;
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking models for updates' }, () => s.manager.checkForUpdates());
      for (const f of result.failures) log.warn(`[updates] ${f.repoId}: ${f.message}`);
      if (result.updates.length === 0) {
        void vscode.window.showInformationMessage(result.failures.length ? `Checked ${result.checked} model(s); ${result.failures.length} could not be reached.` : `All ${result.checked} downloaded model(s) are up to date.`);
      } else {
        // Not awaited: the result is returned at once; the update runs if and when the user asks.
        void vscode.window.showInformationMessage(`${result.updates.length} model update(s) available.`, 'Update All').then((choice) => {
          if (choice === 'Update All') for (const u of result.updates) void vscode.commands.executeCommand('mlx.updateModel', u.repoId);
        });
      }
      return result;
    }),
    vscode.commands.registerCommand('mlx.clearSearchResults', async () => (await services).manager.setSearchResults([])),
  ];
}

interface SearchItem extends vscode.QuickPickItem {
  readonly summary?: ModelSummary;
}

/** A QuickPick with live, debounced Hub results; mlx-community by default, everyone with the toggle. */
async function searchModels(deps: LibraryCommandDeps, initial?: string): Promise<string | undefined> {
  const s = await deps.services;
  const pick = vscode.window.createQuickPick<SearchItem>();
  pick.title = 'Search Hugging Face Models';
  pick.placeholder = 'Type to search mlx-community models (e.g. qwen 7b)';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  const allAuthors: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('globe'), tooltip: 'Search all authors, not only mlx-community' };
  const onlyMlx: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('filter'), tooltip: 'Search only mlx-community' };
  let author: string | undefined = 'mlx-community';
  pick.buttons = [allAuthors];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;
  let results: ModelSummary[] = [];
  const sizes = new Map<string, number>();
  /**
   * What each result would download (the files mlx_lm needs), asked of the Hub for the top results
   * after they show; the list is redrawn as sizes arrive, keeping the highlighted row.
   */
  const loadSizes = async (summaries: readonly ModelSummary[], signal: AbortSignal) => {
    await Promise.all(
      summaries
        .filter((r) => !sizes.has(r.id))
        .map(async (r) => {
          try {
            const info = await s.hub().modelInfo(r.id, { blobs: true, signal });
            sizes.set(r.id, info.siblings.filter((f) => matchesAnyPattern(f.path, MLX_ALLOW_PATTERNS)).reduce((n, f) => n + (f.size ?? 0), 0));
          } catch {
            // A size is a nicety: a result without one still shows.
          }
        }),
    );
    if (signal.aborted) return;
    const active = pick.activeItems[0]?.summary?.id;
    pick.items = results.map((r) => toItem(r, sizes.get(r.id)));
    const keep = pick.items.find((i) => i.summary?.id === active);
    if (keep) pick.activeItems = [keep];
  };

  const search = (query: string) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      inFlight?.abort();
      const controller = (inFlight = new AbortController());
      pick.busy = true;
      try {
        results = await s.hub().searchModels({ search: query.trim() || undefined, author, sort: 'downloads', limit: 30, signal: controller.signal });
        if (controller.signal.aborted) return;
        pick.items = results.map((r) => toItem(r, sizes.get(r.id)));
        void loadSizes(results.slice(0, SIZED_RESULTS), controller.signal);
        if (results.length === 0) pick.items = [{ label: `$(info) No models match "${query}"${author ? ` by ${author}` : ''}`, alwaysShow: true }];
      } catch (error) {
        if (!controller.signal.aborted) pick.items = [{ label: `$(error) ${error instanceof Error ? ((error as { userMessage?: string }).userMessage ?? error.message) : String(error)}`, alwaysShow: true }];
      } finally {
        if (inFlight === controller) pick.busy = false;
      }
    }, SEARCH_DEBOUNCE_MS);
  };

  const chosen = await new Promise<ModelSummary | undefined>((resolve) => {
    pick.onDidChangeValue(search);
    pick.onDidTriggerButton((button) => {
      author = button === allAuthors ? undefined : 'mlx-community';
      pick.buttons = [author ? allAuthors : onlyMlx];
      pick.placeholder = author ? 'Type to search mlx-community models' : 'Type to search all Hugging Face models';
      search(pick.value);
    });
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.summary);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.value = initial ?? '';
    pick.show();
    search(pick.value);
  });
  clearTimeout(timer);
  inFlight?.abort();
  pick.dispose();
  if (!chosen) return undefined;

  s.manager.setSearchResults(results);
  const actions = ['Download', 'Add to List'];
  const incompatible = results.find((r) => r.id === chosen.id) && mlxIncompatibility(chosen);
  const choice = await vscode.window.showInformationMessage(`${chosen.id}${incompatible ? ` — ${incompatible}` : ''}`, ...actions);
  if (choice === 'Download') void vscode.commands.executeCommand('mlx.downloadModel', chosen.id);
  if (choice === 'Add to List') void vscode.commands.executeCommand('mlx.addModel', chosen.id);
  return chosen.id;
}

function toItem(summary: ModelSummary, sizeBytes?: number): SearchItem {
  const note = mlxIncompatibility(summary);
  return {
    label: summary.id,
    // An icon, not `$(…)` in the label: screen readers would read codicon names aloud.
    iconPath: new vscode.ThemeIcon(note ? 'circle-slash' : 'package'),
    description: `${sizeBytes ? `${formatBytes(sizeBytes)} · ` : ''}${compact(summary.downloads)} downloads · ${compact(summary.likes)} likes`,
    detail: note ? `Not for mlx_lm: ${note}` : [summary.libraryName, summary.pipelineTag, summary.lastModified ? `updated ${summary.lastModified.slice(0, 10)}` : undefined].filter(Boolean).join(' · '),
    summary,
  };
}

function compact(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}
