import { deletePartials, deleteRepo, deleteRevision } from '../cache/cacheDeleter';
import { repoCachePaths } from '../cache/cachePaths';
import { type CachedRepo } from '../cache/cachedRepo';
import { scanCache } from '../cache/cacheScanner';
import { findSeedModel, SEED_MODELS, type SeedModel } from '../catalog/seedModels';
import { TransferCancelledError } from '../download/transferErrors';
import { type HubClient } from '../hub/hubClient';
import { type ModelSummary } from '../hub/modelInfo';
import { parseRepoId } from '../hub/repoId';
import { Disposable } from '../lifecycle/disposable';
import { Emitter } from '../lifecycle/emitter';
import { type Logger, silentLogger } from '../logging/logger';
import { assertNoDownloadRunning } from '../snapshot/blobLock';
import { type DownloadEvent } from '../snapshot/downloadEvents';
import { type DownloadModelResult } from '../snapshot/downloadModel';
import { type DownloadQueue } from '../snapshot/downloadQueue';
import { localModelState } from '../snapshot/localModelState';
import { displayNameOf, isCachedMlxModel } from './cachedMlxModel';
import { type KeyValueStore } from './keyValueStore';
import { mlxIncompatibility } from './mlxCompatibility';
import { type ModelEntry, type ModelSection, type ModelSource, type ModelStatus } from './modelEntry';
import { type StorageSummary, summarizeStorage } from './storageSummary';

const USER_MODELS_KEY = 'mlx.userModels';

export interface ModelManagerOptions {
  /** Read on every scan, so a changed cache-directory setting takes effect. */
  readonly cacheRoot: () => string;
  readonly hub: () => HubClient;
  readonly queue: DownloadQueue;
  readonly store: KeyValueStore;
  /** Repo id of the active model. */
  readonly selectedModel: () => string;
  readonly logger?: Logger;
}

export interface UpdateCheckResult {
  readonly checked: number;
  readonly updates: readonly { readonly repoId: string; readonly localCommit: string; readonly remoteCommit: string }[];
  /** Repos that could not be checked (offline, gone), with the reason. Never thrown: the check is best-effort. */
  readonly failures: readonly { readonly repoId: string; readonly message: string }[];
}

/**
 * The one source of truth for each model's state: the seed catalog, models the user added, the last
 * search, and every MLX model already in the shared cache (so one fetched by another tool shows up),
 * merged with the downloads this process runs. Emits `onDidChange` whenever anything a view shows changes.
 */
export class ModelManager extends Disposable {
  private readonly changed = this._register(new Emitter<void>());
  readonly onDidChange = this.changed.event;

  private cached = new Map<string, CachedRepo>();
  private readonly live = new Map<string, ModelStatus>();
  private readonly failures = new Map<string, string>();
  private readonly updates = new Map<string, string>();
  private readonly hubSizes = new Map<string, number>();
  private searchResults: ModelSummary[] = [];
  private lastScan?: Awaited<ReturnType<typeof scanCache>>;
  private readonly log: Logger;

  constructor(private readonly options: ModelManagerOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  get cacheRoot(): string {
    return this.options.cacheRoot();
  }

  /** Re-reads the cache (cheap: metadata only, no hashing). */
  async refresh(): Promise<void> {
    this.lastScan = await scanCache(this.cacheRoot);
    this.cached = new Map(this.lastScan.repos.filter((r) => r.repoType === 'model').map((r) => [key(r.repoId), r]));
    for (const warning of this.lastScan.warnings) this.log.warn(`[models] cache: ${warning}`);
    this.changed.fire();
  }

  /** Every model to show, seed models first in catalog order. */
  list(): ModelEntry[] {
    const seen = new Set<string>();
    const entries: ModelEntry[] = [];
    const add = (repoId: string, source: ModelSource) => {
      const k = key(repoId);
      if (seen.has(k)) return;
      seen.add(k);
      entries.push(this.entryFor(repoId, source));
    };
    for (const seed of SEED_MODELS) add(seed.repoId, 'seed');
    for (const repoId of this.userModels()) add(repoId, 'user');
    for (const repo of this.cached.values()) if (isCachedMlxModel(repo)) add(repo.repoId, 'cache');
    for (const repoId of this.live.keys()) add(this.repoIdOfKey(repoId), 'user');
    for (const result of this.searchResults) add(result.id, 'search');
    return entries;
  }

  get(repoId: string): ModelEntry | undefined {
    return this.list().find((e) => key(e.repoId) === key(repoId));
  }

  storage(): StorageSummary {
    return summarizeStorage(this.cacheRoot, this.lastScan?.repos ?? [], Date.now(), this.lastScan?.sizeOnDisk);
  }

  /** Downloads (or joins the download of) a model; state changes stream to `onDidChange`. */
  async download(repoId: string, options: { signal?: AbortSignal; onEvent?: (event: DownloadEvent) => void } = {}): Promise<DownloadModelResult> {
    const { id } = parseRepoId(repoId);
    const k = key(id);
    this.failures.delete(k);
    if (!this.live.has(k)) this.setLive(k, { kind: 'downloading' });
    try {
      const result = await this.options.queue.download(
        { repoId: id },
        {
          signal: options.signal,
          onEvent: (event) => {
            this.onDownloadEvent(k, event);
            options.onEvent?.(event);
          },
        },
      );
      this.updates.delete(k);
      return result;
    } catch (error) {
      if (!(error instanceof TransferCancelledError)) {
        this.failures.set(k, error instanceof Error ? error.message : String(error));
        this.log.error(`[models] download of ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      throw error;
    } finally {
      // A caller who stopped waiting returns before the shared download has wound down; the live
      // state clears only once no download of this model is left (joined callers share one).
      if (options.signal?.aborted) await this.options.queue.settled({ repoId: id });
      if (!this.options.queue.active.some((j) => key(j.repoId) === k)) this.live.delete(k);
      await this.refresh();
    }
  }

  cancel(repoId: string): boolean {
    return this.options.queue.cancel({ repoId });
  }

  /** Removes the model from disk (blobs, snapshots, partials). Returns the bytes freed. */
  async delete(repoId: string): Promise<number> {
    const { id } = parseRepoId(repoId);
    // Our own download first, and wait until it has let go of its files (a cancelled transfer still
    // saves its sidecar); one in another process (the CLI, another window) makes the delete refuse.
    if (this.cancel(id)) await this.options.queue.settled({ repoId: id });
    const repo = this.cached.get(key(id));
    const repoIdOnDisk = repo?.repoId ?? id;
    await assertNoDownloadRunning(repoIdOnDisk, repoCachePaths(this.cacheRoot, repoIdOnDisk).locksDir);
    const { bytesFreed } = await deleteRepo({ root: this.cacheRoot, repoId: repoIdOnDisk });
    this.failures.delete(key(id));
    this.updates.delete(key(id));
    await this.refresh();
    return bytesFreed;
  }

  /** Adds a repo to the list after checking it exists on the Hub (typed Hub errors otherwise). */
  async addUserModel(repoId: string, signal?: AbortSignal): Promise<string> {
    const { id } = parseRepoId(repoId);
    const info = await this.options.hub().modelInfo(id, { signal });
    const canonical = info.id ?? id;
    const models = this.userModels().filter((m) => key(m) !== key(canonical));
    await this.options.store.update(USER_MODELS_KEY, [...models, canonical]);
    this.changed.fire();
    return canonical;
  }

  async removeUserModel(repoId: string): Promise<void> {
    await this.options.store.update(
      USER_MODELS_KEY,
      this.userModels().filter((m) => key(m) !== key(repoId)),
    );
    this.changed.fire();
  }

  setSearchResults(results: readonly ModelSummary[]): void {
    this.searchResults = [...results];
    this.changed.fire();
  }

  /** Remembers a download size learned from the Hub (file list), shown for models not yet downloaded. */
  setDownloadSize(repoId: string, bytes: number): void {
    this.hubSizes.set(key(repoId), bytes);
    this.changed.fire();
  }

  /**
   * Compares each downloaded model's `refs/main` with the Hub's `main`. Best-effort: failures are reported,
   * not thrown. A model downloaded at another branch or by commit id is pinned there, not behind main:
   * "updating" it would replace it with main, so it is not checked.
   */
  async checkForUpdates(signal?: AbortSignal): Promise<UpdateCheckResult> {
    const downloaded = this.list().filter((e) => e.status.kind === 'downloaded' && (e.status.revision ?? 'main') === 'main');
    const updates: { repoId: string; localCommit: string; remoteCommit: string }[] = [];
    const failures: { repoId: string; message: string }[] = [];
    for (const entry of downloaded) {
      const localCommit = (entry.status as Extract<ModelStatus, { kind: 'downloaded' }>).commit;
      try {
        const remote = (await this.options.hub().modelInfo(entry.repoId, { signal })).sha;
        if (remote && remote !== localCommit) {
          this.updates.set(key(entry.repoId), remote);
          updates.push({ repoId: entry.repoId, localCommit, remoteCommit: remote });
        } else {
          this.updates.delete(key(entry.repoId));
        }
      } catch (error) {
        failures.push({ repoId: entry.repoId, message: error instanceof Error ? error.message : String(error) });
      }
    }
    this.changed.fire();
    return { checked: downloaded.length, updates, failures };
  }

  /**
   * Brings a model to the Hub's latest `main`: only changed files are fetched (unchanged blobs are
   * reused by hash), then the old revision of main is removed, keeping blobs the new one still uses. A
   * snapshot pinned to another branch or commit is kept: it was asked for by name, not left behind.
   */
  async update(repoId: string, options: { signal?: AbortSignal; onEvent?: (event: DownloadEvent) => void } = {}): Promise<DownloadModelResult> {
    const before = this.get(repoId)?.status;
    const oldCommit = before?.kind === 'downloaded' && (before.revision ?? 'main') === 'main' ? before.commit : undefined;
    const result = await this.download(repoId, options);
    if (oldCommit && oldCommit !== result.commit) {
      await deleteRevision({ root: this.cacheRoot, repoId: result.repoId, commit: oldCommit });
      this.log.info(`[models] ${result.repoId}: updated ${oldCommit.slice(0, 8)} → ${result.commit.slice(0, 8)}, old revision removed`);
      await this.refresh();
    }
    return result;
  }

  /** Deletes partial downloads no download of this process is using. Returns bytes freed. */
  async cleanPartials(): Promise<number> {
    let freed = 0;
    for (const repo of this.cached.values()) {
      if (repo.partials.length === 0 || this.live.has(key(repo.repoId))) continue;
      freed += (await deletePartials({ root: this.cacheRoot, repoId: repo.repoId })).bytesFreed;
    }
    await this.refresh();
    return freed;
  }

  private entryFor(repoId: string, source: ModelSource): ModelEntry {
    const k = key(repoId);
    const seed = findSeedModel(repoId);
    const repo = this.cached.get(k);
    const search = this.searchResults.find((r) => key(r.id) === k);
    const sources = new Set<ModelSource>([source]);
    if (seed) sources.add('seed');
    if (repo) sources.add('cache');
    if (this.userModels().some((m) => key(m) === k)) sources.add('user');
    if (search) sources.add('search');
    const local = localModelState(repo);
    const status = this.statusOf(k, local);
    return {
      repoId: seed?.repoId ?? repo?.repoId ?? repoId,
      displayName: seed?.displayName ?? displayNameOf(repoId),
      sources: [...sources],
      section: sectionOf(seed, sources),
      ...(seed ? { seed } : {}),
      status,
      sizeOnDisk: local.sizeOnDisk + local.partialBytes,
      downloadSizeBytes: this.hubSizes.get(k) ?? seed?.nominalSizeBytes,
      ...(this.updates.has(k) && status.kind === 'downloaded' ? { updateAvailable: { remoteCommit: this.updates.get(k)! } } : {}),
      selected: key(this.options.selectedModel()) === k,
      ...(search ? { downloads: search.downloads, likes: search.likes, incompatibleReason: mlxIncompatibility(search) } : {}),
    };
  }

  private statusOf(k: string, local: ReturnType<typeof localModelState>): ModelStatus {
    const live = this.live.get(k);
    if (live) return live;
    const failure = this.failures.get(k);
    const bytesSoFar = local.sizeOnDisk + local.partialBytes;
    if (failure) return { kind: 'failed', message: failure, partialBytes: bytesSoFar };
    switch (local.state) {
      case 'downloaded':
        return {
          kind: 'downloaded',
          commit: local.commit!,
          snapshotPath: local.snapshotPath!,
          ...(local.fileCount !== undefined ? { fileCount: local.fileCount } : {}),
          ...(local.revision !== undefined ? { revision: local.revision } : {}),
        };
      case 'partial':
        return { kind: 'partial', partialBytes: bytesSoFar, ...(local.missing?.length ? { missing: local.missing.map((m) => m.path) } : {}) };
      case 'corrupted':
        return { kind: 'corrupted', reason: local.reason ?? 'unreadable cache entry' };
      default:
        return { kind: 'not-downloaded' };
    }
  }

  private onDownloadEvent(k: string, event: DownloadEvent): void {
    if (event.type === 'queued') this.setLive(k, { kind: 'queued', position: event.position });
    else if (event.type === 'plan') {
      this.hubSizes.set(k, event.totalBytes);
      this.setLive(k, { kind: 'downloading' });
    } else if (event.type === 'progress') {
      const { type: _type, ...progress } = event;
      this.setLive(k, { kind: 'downloading', progress });
    }
  }

  private setLive(k: string, status: ModelStatus): void {
    this.live.set(k, status);
    this.changed.fire();
  }

  private userModels(): string[] {
    return this.options.store.get<string[]>(USER_MODELS_KEY) ?? [];
  }

  private repoIdOfKey(k: string): string {
    return this.options.queue.active.find((j) => key(j.repoId) === k)?.repoId ?? k;
  }
}

/** The Hub treats repo ids case-insensitively. */
function key(repoId: string): string {
  return repoId.toLowerCase();
}

function sectionOf(seed: SeedModel | undefined, sources: Set<ModelSource>): ModelSection {
  if (seed) return seed.group;
  if (sources.has('cache') || sources.has('user')) return 'other';
  return 'search';
}

