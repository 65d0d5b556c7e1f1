// The webview's side of the bridge: typed postMessage, and getState/setState for UI state only
// (draft, scroll, checkboxes). The conversation is never stored here: the host sends it in `init`.
import { type WebviewToHost } from '../../src/shared/protocol';

export interface UiState {
  readonly draft: string;
  readonly scrollTop: number;
  readonly includeSelection: boolean;
  readonly includeActiveFile: boolean;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

const DEFAULT_STATE: UiState = { draft: '', scrollTop: 0, includeSelection: false, includeActiveFile: false };

export function loadUiState(): UiState {
  const raw = api.getState();
  if (typeof raw !== 'object' || raw === null) return DEFAULT_STATE;
  const s = raw as Partial<Record<keyof UiState, unknown>>;
  return {
    draft: typeof s.draft === 'string' ? s.draft : '',
    scrollTop: typeof s.scrollTop === 'number' ? s.scrollTop : 0,
    includeSelection: s.includeSelection === true,
    includeActiveFile: s.includeActiveFile === true,
  };
}

let current = loadUiState();

export function saveUiState(change: Partial<UiState>): void {
  current = { ...current, ...change };
  api.setState(current);
}
