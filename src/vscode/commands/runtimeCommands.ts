import path from 'node:path';
import * as vscode from 'vscode';
import { type IDisposable } from '../../core/lifecycle/disposable';
import { findPython } from '../../core/runner/findPython';
import { RunnerError } from '../../core/runner/runnerErrors';
import { isMlxPlatform } from '../../core/runtime/isMlxPlatform';
import { UnsupportedPlatformError } from '../../core/runtime/runtimeErrors';
import { type RuntimeSetup, type RuntimeStage, setUpRuntime } from '../../core/runtime/setUpRuntime';
import { readProxySettings } from '../config/proxySettings';
import { type Settings } from '../config/settings';
import { type InferenceServices } from '../inference/inferenceServices';

export interface RuntimeCommandDeps {
  /** `context.globalStorageUri.fsPath`; the venv lives in its `runtime` folder, where LocalMlx looks. */
  readonly globalStorage: string;
  readonly log: vscode.LogOutputChannel;
  readonly inference: Promise<InferenceServices>;
  readonly settings: Settings;
}

/** Command arguments, for tests and scripted setups: other pip arguments, and no platform question. */
interface SetUpArgs {
  readonly pipArgs?: readonly string[];
  readonly force?: boolean;
}

const STAGES: Record<RuntimeStage, string> = {
  venv: 'creating the Python environment…',
  pip: 'installing mlx-lm with pip…',
  check: 'checking mlx-lm…',
};

/** pip lines worth showing in the notification (the rest goes to the log only). */
const PIP_MILESTONE = /^(Collecting|Downloading|Installing|Building|Successfully)\b/;

/** "MLX: Set Up Local Runtime": a managed venv with mlx-lm, used by the runner from then on. */
export function registerRuntimeCommands(deps: RuntimeCommandDeps): IDisposable[] {
  let running: Promise<RuntimeSetup | undefined> | undefined;
  return [
    vscode.commands.registerCommand('mlx.setUpRuntime', (args?: unknown) => {
      if (running) {
        void vscode.window.showInformationMessage('The MLX runtime is already being set up.');
        return running;
      }
      running = setUp(deps, parseArgs(args)).finally(() => (running = undefined));
      return running;
    }),
  ];
}

async function setUp(deps: RuntimeCommandDeps, args: SetUpArgs): Promise<RuntimeSetup | undefined> {
  const { log } = deps;
  const supported = isMlxPlatform();
  if (!supported && !args.force) {
    const { userMessage } = new UnsupportedPlatformError({ platform: process.platform, arch: process.arch });
    const detail = 'mlx also has Linux builds, so mlx-lm may install here, but running models is not supported. Try anyway?';
    if ((await vscode.window.showWarningMessage(userMessage, { modal: true, detail }, 'Try Anyway')) !== 'Try Anyway') return undefined;
  }

  let basePython: string;
  try {
    // The PATH's Python, not mlx.runner.pythonPath: that setting would take precedence over the runtime anyway.
    basePython = (await findPython({})).executable;
  } catch {
    void offerLogs(log, 'No Python 3 was found on PATH to create the MLX runtime with. Install Python 3 (python.org or Homebrew), then run this again.');
    return undefined;
  }

  const dir = path.join(deps.globalStorage, 'runtime');
  log.info(`[runtime] setting up ${dir} with ${basePython}`);
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'MLX runtime', cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      try {
        return await setUpRuntime({
          dir,
          basePython,
          pipArgs: args.pipArgs,
          env: pipEnvironment(),
          signal: controller.signal,
          force: true, // asked above
          onStage: (stage) => progress.report({ message: STAGES[stage] }),
          onLine: (line) => {
            log.info(`[runtime] ${line}`);
            if (PIP_MILESTONE.test(line)) progress.report({ message: line.slice(0, 100) });
          },
        });
      } finally {
        listener.dispose();
      }
    });
    log.info(`[runtime] ready: mlx-lm ${result.version} in ${result.python}${result.created ? '' : ' (upgraded in place)'}`);
    await useNewRuntime(deps);
    void announce(deps, result);
    return result;
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') {
      log.info('[runtime] setup cancelled; pip was stopped');
      return undefined;
    }
    log.error(`[runtime] setup failed: ${error instanceof Error ? error.message : String(error)}`);
    const message = error instanceof RunnerError ? error.userMessage : `The MLX runtime could not be set up: ${String(error)}`;
    void vscode.window.showErrorMessage(message, 'Retry', 'Show Logs').then((choice) => {
      if (choice === 'Retry') void vscode.commands.executeCommand('mlx.setUpRuntime', { ...args, force: true });
      if (choice === 'Show Logs') void vscode.commands.executeCommand('mlx.showLogs');
    });
    return undefined;
  }
}

/** The runner keeps the Python it checked; forget it so the next request starts with the new runtime. */
async function useNewRuntime({ inference, log }: RuntimeCommandDeps): Promise<void> {
  try {
    await (await inference).local.reset();
  } catch (error) {
    log.warn(`[runtime] could not restart the runner: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Success, plus whatever stands between the new runtime and the next answer. */
async function announce({ settings }: RuntimeCommandDeps, { version, supported }: RuntimeSetup): Promise<void> {
  if (!supported) {
    const instead = settings.fallbackToGemini ? 'Chat answers with Gemini when MLX cannot serve' : 'Use Gemini';
    void vscode.window.showWarningMessage(`mlx-lm ${version} is installed, but MLX cannot run models on this machine (it needs an Apple Silicon Mac). ${instead}, or point mlx.runner.endpoint at an mlx_lm server on a Mac.`);
    return;
  }
  if (settings.pythonPath) {
    const choice = await vscode.window.showWarningMessage(
      `mlx-lm ${version} is installed in the MLX runtime, but mlx.runner.pythonPath (${settings.pythonPath}) takes precedence. Clear that setting to use the runtime.`,
      'Open Setting',
    );
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'mlx.runner.pythonPath');
    return;
  }
  const remote = settings.remoteEndpoint ? ` While mlx.runner.endpoint is set, chat still goes to ${settings.remoteEndpoint}.` : '';
  void vscode.window.showInformationMessage(`MLX runtime ready: mlx-lm ${version}. Local models run with it from the next request.${remote}`);
}

/** pip honours HTTPS_PROXY/NO_PROXY; VS Code's http.proxy fills them in when the environment has none. */
function pipEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const { proxy, noProxy } = readProxySettings();
  if (proxy && !env.HTTPS_PROXY && !env.https_proxy) env.HTTPS_PROXY = env.HTTP_PROXY = proxy;
  if (noProxy?.length && !env.NO_PROXY && !env.no_proxy) env.NO_PROXY = noProxy.join(',');
  return env;
}

function parseArgs(args: unknown): SetUpArgs {
  if (!args || typeof args !== 'object') return {};
  const { pipArgs, force } = args as Record<string, unknown>;
  return {
    ...(Array.isArray(pipArgs) && pipArgs.every((a) => typeof a === 'string') ? { pipArgs: pipArgs as string[] } : {}),
    ...(force === true ? { force: true } : {}),
  };
}

async function offerLogs(log: vscode.LogOutputChannel, message: string): Promise<void> {
  log.error(`[runtime] ${message}`);
  if ((await vscode.window.showErrorMessage(message, 'Show Logs')) === 'Show Logs') await vscode.commands.executeCommand('mlx.showLogs');
}
