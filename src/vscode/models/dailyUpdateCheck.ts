import type * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { type ModelManager } from '../../core/models/modelManager';
import { type Settings } from '../config/settings';

const LAST_CHECK_KEY = 'mlx.lastUpdateCheck';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyUpdateCheckOptions {
  readonly manager: ModelManager;
  readonly settings: Settings;
  readonly state: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Checks downloaded models for updates once a day (shared across windows through globalState).
 * Silent: offline or failing checks only log; found updates show as badges in the Models view.
 */
export function scheduleDailyUpdateCheck(options: DailyUpdateCheckOptions): IDisposable {
  const now = options.now ?? Date.now;
  const run = async () => {
    if (!options.settings.checkUpdatesDaily) return;
    const last = options.state.get<number>(LAST_CHECK_KEY) ?? 0;
    if (now() - last < DAY_MS) return;
    await options.state.update(LAST_CHECK_KEY, now());
    const result = await options.manager.checkForUpdates();
    options.log.info(`[updates] daily check: ${result.checked} model(s), ${result.updates.length} update(s)${result.failures.length ? `, ${result.failures.length} not reachable` : ''}`);
  };
  const tick = () => void run().catch((error: unknown) => options.log.warn(`[updates] daily check failed: ${error instanceof Error ? error.message : String(error)}`));
  tick();
  // Long-running windows check again; the timer does not keep anything alive on shutdown.
  const timer = setInterval(tick, 60 * 60 * 1000);
  timer.unref?.();
  return { dispose: () => clearInterval(timer) };
}
