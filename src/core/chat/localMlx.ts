import { promises as fs } from 'node:fs';
import path from 'node:path';
import { scanRepo } from '../cache/cacheScanner';
import { findSeedModel } from '../catalog/seedModels';
import { Disposable } from '../lifecycle/disposable';
import { Emitter } from '../lifecycle/emitter';
import { type Logger } from '../logging/logger';
import { displayNameOf } from '../models/cachedMlxModel';
import { checkMlxLm } from '../runner/checkMlxLm';
import { findPython } from '../runner/findPython';
import { RunnerError } from '../runner/runnerErrors';
import { type RunnerState } from '../runner/runnerState';
import { RunnerSupervisor } from '../runner/runnerSupervisor';
import { localModelState } from '../snapshot/localModelState';
import { chatTemplateOpensThinkBlock } from './chatTemplateOpensThinkBlock';
import { type MlxReadiness } from './chatRouter';
import { OpenAiCompatibleBackend } from './openAiCompatibleBackend';

export interface LocalMlxOptions {
  /** Repo id of the selected model, read per request. */
  readonly model: () => string;
  readonly cacheRoot: () => string;
  /** The `pythonPath` setting or `--python` / `MLX_PYTHON`. */
  readonly pythonPath?: () => string | undefined;
  /** The managed runtime's Python (MLX: Set Up Local Runtime), tried before PATH. */
  readonly managedVenvPython?: () => string | undefined;
  readonly extraArgs?: () => readonly string[];
  /** 0 keeps the runner up. */
  readonly idleUnloadMs?: () => number;
  /** Inherited by the runner (so PYTHONPATH reaches it). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly healthTimeoutMs?: number;
}

/**
 * The local MLX side of the router: before each request it checks that mlx_lm is there, that the
 * selected model is downloaded, and that the runner serves it (starting it, or switching model, when
 * needed); the answer is a backend for the runner, or the reason MLX can't serve.
 */
export class LocalMlx extends Disposable {
  private supervisor?: RunnerSupervisor;
  private supervisorKey?: string;
  private readonly states = this._register(new Emitter<RunnerState>());
  /** The runner's state changes (starting, ready, restarting, failed, stopped). */
  readonly onDidChangeState = this.states.event;
  private backend?: { baseUrl: string; reasoning: boolean; backend: OpenAiCompatibleBackend };

  constructor(private readonly options: LocalMlxOptions) {
    super();
  }

  get state(): RunnerState {
    return this.supervisor?.state ?? { kind: 'stopped' };
  }

  /** Can MLX answer now (with `model`, else the selected one)? Starts the runner when the model is downloaded and mlx_lm is present. */
  async readiness(model?: string): Promise<MlxReadiness> {
    const repoId = model ?? this.options.model();
    const name = findSeedModel(repoId)?.displayName ?? displayNameOf(repoId);
    const local = localModelState(await scanRepo(this.options.cacheRoot(), repoId));
    if (local.state !== 'downloaded' || !local.snapshotPath) {
      return { ok: false, reason: `${name} is not downloaded${local.state === 'partial' ? ' (the download is paused)' : ''}.` };
    }
    try {
      const supervisor = await this.ensureSupervisor();
      const runner = await supervisor.ensureRunning({ repoId, snapshotPath: local.snapshotPath });
      supervisor.touch();
      return { ok: true, backend: await this.backendFor(runner.baseUrl, local.snapshotPath), model: repoId };
    } catch (error) {
      const reason = error instanceof RunnerError ? error.userMessage : error instanceof Error ? error.message : String(error);
      // Info, not a warning: the caller decides how to tell the user (fallback notice, error line).
      this.options.logger.info(`[runner] MLX can't serve ${repoId}: ${reason}`);
      return { ok: false, reason };
    }
  }

  /** Marks the runner busy while an answer streams, so idle unload never cuts one off. */
  beginActivity(): { dispose(): void } {
    return this.supervisor?.beginActivity() ?? { dispose() {} };
  }

  async stop(): Promise<void> {
    await this.supervisor?.stop();
  }

  /** Forgets the Python check (a changed pythonPath setting, a fresh runtime) and stops the runner. */
  async reset(): Promise<void> {
    const old = this.supervisor;
    this.supervisor = undefined;
    this.supervisorKey = undefined;
    await old?.dispose();
  }

  override dispose(): void {
    void this.supervisor?.dispose();
    void this.backend?.backend.dispose();
    super.dispose();
  }

  private async ensureSupervisor(): Promise<RunnerSupervisor> {
    const { executable } = await findPython({ explicitPath: this.options.pythonPath?.(), managedVenvPython: this.options.managedVenvPython?.(), env: this.options.env });
    const key = JSON.stringify([executable, this.options.cacheRoot(), this.options.extraArgs?.() ?? [], this.options.idleUnloadMs?.() ?? 0]);
    if (this.supervisor && this.supervisorKey === key) return this.supervisor;
    await this.supervisor?.dispose();
    await checkMlxLm({ python: executable, env: this.options.env });
    const supervisor = new RunnerSupervisor({
      python: executable,
      env: this.options.env,
      cacheRoot: this.options.cacheRoot(),
      logger: this.options.logger,
      extraArgs: this.options.extraArgs?.(),
      idleUnloadMs: this.options.idleUnloadMs?.() ?? 0,
      ...(this.options.healthTimeoutMs ? { healthTimeoutMs: this.options.healthTimeoutMs } : {}),
    });
    this._register(supervisor.onDidChangeState((state) => this.states.fire(state)));
    this.supervisor = supervisor;
    this.supervisorKey = key;
    return supervisor;
  }

  /** One client per runner address; R1-style templates that open a think block make the stream start in reasoning. */
  private async backendFor(baseUrl: string, snapshotPath: string): Promise<OpenAiCompatibleBackend> {
    const reasoning = await opensThinkBlock(snapshotPath);
    if (this.backend?.baseUrl === baseUrl && this.backend.reasoning === reasoning) return this.backend.backend;
    void this.backend?.backend.dispose();
    const backend = new OpenAiCompatibleBackend({ baseUrl, id: 'mlx', startInReasoning: reasoning, logger: this.options.logger });
    this.backend = { baseUrl, reasoning, backend };
    return backend;
  }
}

async function opensThinkBlock(snapshotPath: string): Promise<boolean> {
  try {
    const config = JSON.parse(await fs.readFile(path.join(snapshotPath, 'tokenizer_config.json'), 'utf8')) as { chat_template?: unknown };
    return chatTemplateOpensThinkBlock(typeof config.chat_template === 'string' ? config.chat_template : undefined);
  } catch {
    return false;
  }
}
