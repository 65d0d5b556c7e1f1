import { type RouteDecision } from '../../core/chat/chatRouter';
import { Disposable } from '../../core/lifecycle/disposable';
import { type RunnerState } from '../../core/runner/runnerState';
import { type Settings } from '../config/settings';
import { type InferenceServices } from '../inference/inferenceServices';
import { type BackendStatus, type BackendStatusBar, statusFor } from './backendStatusBar';

/**
 * Feeds the status bar from everything that changes what it should say: the chosen backend and model
 * (settings), the runner's state, each request's route (fallbacks) and the last reply's speed.
 */
export class StatusController extends Disposable {
  private runner: RunnerState = { kind: 'stopped' };
  private fallbackReason?: string;
  private tokensPerSecond?: number;

  constructor(
    private readonly bar: BackendStatusBar,
    private readonly settings: Settings,
  ) {
    super();
    this._register(settings.onDidChange(() => {
      this.fallbackReason = undefined;
      this.render();
    }));
    this.render();
  }

  /** Called once the inference side has loaded. */
  attach(inference: InferenceServices): void {
    this._register(inference.local.onDidChangeState((state) => {
      this.runner = state;
      if (state.kind === 'ready') this.fallbackReason = undefined;
      this.render();
    }));
    this._register(inference.router.onDidRoute((route: RouteDecision) => {
      this.fallbackReason = route.backend === 'gemini' ? route.fallbackReason : undefined;
      this.render();
    }));
    this._register(inference.onDidReportSpeed((tps) => {
      this.tokensPerSecond = tps;
      this.render();
    }));
  }

  /** What the bar should show now. */
  current(): BackendStatus {
    const model = this.settings.selectedModel;
    if (this.settings.backend === 'gemini') return { kind: 'gemini', ...(this.tokensPerSecond !== undefined ? { tokensPerSecond: this.tokensPerSecond } : {}) };
    if (this.fallbackReason) return { kind: 'mlx-fallback', modelRepoId: model, reason: this.fallbackReason };
    switch (this.runner.kind) {
      case 'starting':
      case 'restarting':
        return { kind: 'mlx-starting', modelRepoId: this.runner.model.repoId };
      case 'ready':
        // The user picked another model: the runner switches with the next request; until then show the choice.
        if (this.runner.model.repoId.toLowerCase() !== model.toLowerCase()) return statusFor('mlx', model);
        return { kind: 'mlx-ready', modelRepoId: this.runner.model.repoId, ...(this.tokensPerSecond !== undefined ? { tokensPerSecond: this.tokensPerSecond } : {}) };
      case 'failed':
        return { kind: 'error', message: `The MLX runner stopped: ${this.runner.reason}` };
      default:
        return statusFor('mlx', model);
    }
  }

  private render(): void {
    this.bar.update(this.current());
  }
}
