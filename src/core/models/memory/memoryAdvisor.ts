import { findSeedModel, SEED_MODELS } from '../../catalog/seedModels';
import { Disposable } from '../../lifecycle/disposable';
import { Emitter } from '../../lifecycle/emitter';
import { type Logger, silentLogger } from '../../logging/logger';
import { type ModelEntry } from '../modelEntry';
import { type MachineMemory } from './machineMemory';
import { assessMemoryFit, type MemoryFit } from './memoryFit';
import { type ModelConfigSummary, parseModelConfig } from './modelConfig';
import { recommendModel } from './recommendModel';

export interface MemoryAdvisorOptions {
  /** The model's config.json text: from the local snapshot when downloaded, else from the Hub. Undefined when unavailable. */
  readonly readConfig: (entry: ModelEntry) => Promise<string | undefined>;
  /** The context length memory is estimated for (a setting). */
  readonly contextTokens: () => number;
  readonly machine: () => MachineMemory;
  readonly logger?: Logger;
}

/**
 * Memory fit for every model: reads each model's config.json once (locally or from the Hub), then
 * judges weights + KV cache at the configured context against this machine's budget, and picks the
 * seed model to recommend. Failures (offline, odd configs) only make the verdict `unknown`.
 */
export class MemoryAdvisor extends Disposable {
  private readonly changed = this._register(new Emitter<void>());
  /** Fires when a config arrives (verdicts and the recommendation may change). */
  readonly onDidChange = this.changed.event;
  private readonly configs = new Map<string, ModelConfigSummary | null>();
  private readonly loading = new Map<string, Promise<ModelConfigSummary | undefined>>();
  private readonly log: Logger;

  constructor(private readonly options: MemoryAdvisorOptions) {
    super();
    this.log = options.logger ?? silentLogger;
  }

  /** The parsed config if it has been loaded. */
  config(repoId: string): ModelConfigSummary | undefined {
    return this.configs.get(repoId.toLowerCase()) ?? undefined;
  }

  /** Loads a model's config once; concurrent callers share the read. */
  ensureConfig(entry: ModelEntry): Promise<ModelConfigSummary | undefined> {
    const key = entry.repoId.toLowerCase();
    if (this.configs.has(key)) return Promise.resolve(this.configs.get(key) ?? undefined);
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.options
        .readConfig(entry)
        .then((text) => (text === undefined ? undefined : parseModelConfig(JSON.parse(text))))
        .catch((error: unknown) => {
          this.log.debug(`[memory] no config for ${entry.repoId}: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        })
        .then((config) => {
          this.configs.set(key, config ?? null);
          this.loading.delete(key);
          this.changed.fire();
          return config;
        });
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** The verdict for a model, from what is known now (call `ensureConfig` to learn more). */
  fitFor(entry: ModelEntry): MemoryFit | undefined {
    const weightsBytes = entry.status.kind === 'downloaded' ? entry.sizeOnDisk : (entry.downloadSizeBytes ?? 0);
    if (weightsBytes <= 0) return undefined;
    const machine = this.options.machine();
    return assessMemoryFit({
      weightsBytes,
      config: this.config(entry.repoId),
      contextTokens: this.options.contextTokens(),
      budgetBytes: machine.budgetBytes,
      budgetSource: machine.source,
    });
  }

  /** The seed model recommended for this machine, once the seed configs are known. */
  recommended(entries: readonly ModelEntry[]): string | undefined {
    const candidates = entries
      .filter((e) => findSeedModel(e.repoId))
      .map((e) => ({ repoId: e.repoId, weightsBytes: e.downloadSizeBytes ?? e.seed!.nominalSizeBytes, config: this.config(e.repoId), isDefault: e.seed!.isDefault }));
    return recommendModel(candidates, this.options.machine().budgetBytes, this.options.contextTokens())?.repoId;
  }

  /** Loads the seed models' configs in the background (a few small requests), so a recommendation can be made. */
  async loadSeedConfigs(entries: readonly ModelEntry[]): Promise<void> {
    const seeds = entries.filter((e) => SEED_MODELS.some((s) => s.repoId.toLowerCase() === e.repoId.toLowerCase()));
    await Promise.all(seeds.map((e) => this.ensureConfig(e)));
  }
}
