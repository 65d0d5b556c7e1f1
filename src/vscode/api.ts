import { type InferenceServices } from './inference/inferenceServices';
import { type ModelServices } from './models/modelServices';
import { type ModelsTreeProvider } from './models/modelsTreeProvider';
import { type BackendStatusBar } from './statusBar/backendStatusBar';
import { type ChatPanels } from './chatPanel/chatPanels';

/**
 * What `activate()` returns. Extension-host tests read the real objects through it
 * (`vscode.extensions.getExtension(id).exports`); nothing else depends on it.
 */
export interface ExtensionApi {
  /** Milliseconds from the start of `activate()` to its return. */
  readonly activationMs: number;
  readonly modelsTree: ModelsTreeProvider;
  readonly statusBar: BackendStatusBar;
  /** Resolves once the download side (loaded lazily after activation) is ready. */
  readonly services: Promise<ModelServices>;
  /** Resolves once the answering side (runner, Gemini, router) is ready. */
  readonly inference: Promise<InferenceServices>;
  /** The chat panel (`open()`, `current`): tests drive its session and see what it posts to the webview. */
  readonly chatPanels: ChatPanels;
}
