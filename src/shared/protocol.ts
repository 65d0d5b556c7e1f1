/**
 * The one message protocol between the chat panel host (src/vscode/chatPanel) and the webview
 * (webview-ui/). Tagged unions; every message is validated on arrival by the parse functions below,
 * and anything unknown or malformed is dropped (`undefined`), never trusted.
 */

export type Backend = 'mlx' | 'gemini';
/** Commands an error card or the toolbar may ask the host to run; nothing else can be asked for. */
export type ActionId = 'setGeminiKey' | 'showLogs' | 'downloadModel' | 'openSettings';
export type TurnStatus = 'streaming' | 'done' | 'cancelled' | 'error';
export type DeltaKind = 'text' | 'reasoning';

export interface TurnMetrics {
  readonly timeToFirstTokenMs?: number;
  readonly tokensPerSecond?: number;
  readonly durationMs?: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

/** Where a turn was answered; `fallbackReason` when MLX was chosen but Gemini answered. */
export interface TurnRoute {
  readonly backend: Backend;
  readonly model: string;
  readonly fallbackReason?: string;
  /** Set when the fallback happened because this model is not downloaded (offers a Download button). */
  readonly downloadRepoId?: string;
}

export interface TurnError {
  readonly message: string;
  readonly actions: readonly ActionId[];
}

/** One question and its answer, as the host stores it (the conversation lives on the host). */
export interface ChatTurn {
  readonly id: string;
  /** What the user typed (shown). */
  readonly text: string;
  /** What goes to the model: the text plus any attached editor context. */
  readonly prompt: string;
  /** A short label of the attached context, e.g. "selection of app.ts (lines 3–9)". */
  readonly contextLabel?: string;
  readonly reply: string;
  readonly reasoning: string;
  readonly status: TurnStatus;
  readonly route?: TurnRoute;
  readonly metrics?: TurnMetrics;
  readonly error?: TurnError;
}

export interface ModelOption {
  readonly repoId: string;
  readonly label: string;
  readonly downloaded: boolean;
}

export interface PanelState {
  readonly backend: Backend;
  readonly models: readonly ModelOption[];
  readonly selectedModel: string;
}

/** Messages the webview sends to the host. */
export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'send'; readonly text: string; readonly includeSelection?: boolean; readonly includeActiveFile?: boolean }
  | { readonly type: 'stop' }
  | { readonly type: 'regenerate' }
  | { readonly type: 'newChat' }
  | { readonly type: 'copyCode'; readonly code: string }
  | { readonly type: 'insertCode'; readonly code: string }
  | { readonly type: 'newFile'; readonly code: string; readonly language: string }
  | { readonly type: 'pickBackend'; readonly backend: Backend }
  | { readonly type: 'pickModel'; readonly repoId: string }
  | { readonly type: 'download'; readonly repoId: string }
  | { readonly type: 'action'; readonly id: ActionId }
  | { readonly type: 'openLink'; readonly url: string };

/** Messages the host sends to the webview. */
export type HostToWebview =
  | ({ readonly type: 'init'; readonly history: readonly ChatTurn[]; readonly version: string } & PanelState)
  | ({ readonly type: 'state' } & PanelState)
  | { readonly type: 'turnStart'; readonly turn: ChatTurn }
  | { readonly type: 'delta'; readonly turnId: string; readonly kind: DeltaKind; readonly text: string }
  | { readonly type: 'route'; readonly turnId: string; readonly route: TurnRoute }
  | { readonly type: 'done'; readonly turnId: string; readonly status: 'done' | 'cancelled'; readonly metrics: TurnMetrics }
  | { readonly type: 'error'; readonly turnId: string; readonly error: TurnError }
  | { readonly type: 'reset'; readonly history: readonly ChatTurn[] };

/** Upper bounds that keep one message from flooding the other side. */
const MAX_TEXT = 200_000;
const MAX_ID = 500;
const MAX_HISTORY = 1000;

const BACKENDS: readonly Backend[] = ['mlx', 'gemini'];
const ACTIONS: readonly ActionId[] = ['setGeminiKey', 'showLogs', 'downloadModel', 'openSettings'];
const STATUSES: readonly TurnStatus[] = ['streaming', 'done', 'cancelled', 'error'];

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, max = MAX_TEXT): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isId(value: unknown): value is string {
  return isText(value, MAX_ID) && value.length > 0;
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function isOptionalBoolean(value: unknown): value is boolean | undefined {
  return value === undefined || typeof value === 'boolean';
}

function isNumberOrAbsent(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

/** Validates a message from the webview; anything unknown or malformed is `undefined`. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  switch (v.type) {
    case 'ready':
    case 'stop':
    case 'regenerate':
    case 'newChat':
      return { type: v.type };
    case 'send':
      if (!isText(v.text) || v.text.trim() === '' || !isOptionalBoolean(v.includeSelection) || !isOptionalBoolean(v.includeActiveFile)) return undefined;
      return {
        type: 'send',
        text: v.text,
        ...(v.includeSelection ? { includeSelection: true } : {}),
        ...(v.includeActiveFile ? { includeActiveFile: true } : {}),
      };
    case 'copyCode':
    case 'insertCode':
      return isText(v.code) ? { type: v.type, code: v.code } : undefined;
    case 'newFile':
      return isText(v.code) && isText(v.language, 100) ? { type: 'newFile', code: v.code, language: v.language } : undefined;
    case 'pickBackend':
      return isOneOf(BACKENDS, v.backend) ? { type: 'pickBackend', backend: v.backend } : undefined;
    case 'pickModel':
    case 'download':
      return isId(v.repoId) ? { type: v.type, repoId: v.repoId } : undefined;
    case 'action':
      return isOneOf(ACTIONS, v.id) ? { type: 'action', id: v.id } : undefined;
    case 'openLink':
      return isText(v.url, 4000) && /^https?:\/\//i.test(v.url) ? { type: 'openLink', url: v.url } : undefined;
    default:
      return undefined;
  }
}

function parseMetrics(value: unknown): TurnMetrics | undefined {
  if (!isRecord(value)) return undefined;
  const keys = ['timeToFirstTokenMs', 'tokensPerSecond', 'durationMs', 'promptTokens', 'completionTokens'] as const;
  if (!keys.every((k) => isNumberOrAbsent(value[k]))) return undefined;
  const metrics: Record<string, number> = {};
  for (const k of keys) if (typeof value[k] === 'number') metrics[k] = value[k];
  return metrics;
}

function parseRoute(value: unknown): TurnRoute | undefined {
  if (!isRecord(value) || !isOneOf(BACKENDS, value.backend) || !isText(value.model, MAX_ID)) return undefined;
  if (value.fallbackReason !== undefined && !isText(value.fallbackReason, 2000)) return undefined;
  if (value.downloadRepoId !== undefined && !isId(value.downloadRepoId)) return undefined;
  return {
    backend: value.backend,
    model: value.model,
    ...(value.fallbackReason !== undefined ? { fallbackReason: value.fallbackReason } : {}),
    ...(value.downloadRepoId !== undefined ? { downloadRepoId: value.downloadRepoId } : {}),
  };
}

function parseError(value: unknown): TurnError | undefined {
  if (!isRecord(value) || !isText(value.message, 4000) || !Array.isArray(value.actions)) return undefined;
  if (!value.actions.every((a) => isOneOf(ACTIONS, a))) return undefined;
  return { message: value.message, actions: value.actions as ActionId[] };
}

/** Validates one stored or received turn (also used by the host on history read from workspaceState). */
export function parseTurn(value: unknown): ChatTurn | undefined {
  if (!isRecord(value)) return undefined;
  const { id, text, prompt, contextLabel, reply, reasoning, status } = value;
  if (!isId(id) || !isText(text) || !isText(prompt) || !isText(reply) || !isText(reasoning) || !isOneOf(STATUSES, status)) return undefined;
  if (contextLabel !== undefined && !isText(contextLabel, 1000)) return undefined;
  const route = value.route === undefined ? undefined : parseRoute(value.route);
  const metrics = value.metrics === undefined ? undefined : parseMetrics(value.metrics);
  const error = value.error === undefined ? undefined : parseError(value.error);
  if ((value.route !== undefined && !route) || (value.metrics !== undefined && !metrics) || (value.error !== undefined && !error)) return undefined;
  return {
    id,
    text,
    prompt,
    ...(contextLabel !== undefined ? { contextLabel } : {}),
    reply,
    reasoning,
    status,
    ...(route ? { route } : {}),
    ...(metrics ? { metrics } : {}),
    ...(error ? { error } : {}),
  };
}

/** A list of turns; one malformed turn rejects the whole list (it would leave a hole in the conversation). */
export function parseHistory(value: unknown): ChatTurn[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_HISTORY) return undefined;
  const turns = value.map(parseTurn);
  return turns.every((t): t is ChatTurn => t !== undefined) ? turns : undefined;
}

function parseState(v: Rec): PanelState | undefined {
  if (!isOneOf(BACKENDS, v.backend) || !isText(v.selectedModel, MAX_ID) || !Array.isArray(v.models)) return undefined;
  const models: ModelOption[] = [];
  for (const m of v.models) {
    if (!isRecord(m) || !isId(m.repoId) || !isText(m.label, MAX_ID) || typeof m.downloaded !== 'boolean') return undefined;
    models.push({ repoId: m.repoId, label: m.label, downloaded: m.downloaded });
  }
  return { backend: v.backend, models, selectedModel: v.selectedModel };
}

/** Validates a message from the host (the webview checks too: defence in depth). */
export function parseHostMessage(value: unknown): HostToWebview | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  switch (v.type) {
    case 'init': {
      const state = parseState(v);
      const history = parseHistory(v.history);
      return state && history && isText(v.version, 100) ? { type: 'init', history, version: v.version, ...state } : undefined;
    }
    case 'state': {
      const state = parseState(v);
      return state ? { type: 'state', ...state } : undefined;
    }
    case 'turnStart': {
      const turn = parseTurn(v.turn);
      return turn ? { type: 'turnStart', turn } : undefined;
    }
    case 'delta':
      return isId(v.turnId) && isOneOf<DeltaKind>(['text', 'reasoning'], v.kind) && isText(v.text) ? { type: 'delta', turnId: v.turnId, kind: v.kind, text: v.text } : undefined;
    case 'route': {
      const route = parseRoute(v.route);
      return isId(v.turnId) && route ? { type: 'route', turnId: v.turnId, route } : undefined;
    }
    case 'done': {
      const metrics = parseMetrics(v.metrics);
      return isId(v.turnId) && (v.status === 'done' || v.status === 'cancelled') && metrics ? { type: 'done', turnId: v.turnId, status: v.status, metrics } : undefined;
    }
    case 'error': {
      const error = parseError(v.error);
      return isId(v.turnId) && error ? { type: 'error', turnId: v.turnId, error } : undefined;
    }
    case 'reset': {
      const history = parseHistory(v.history);
      return history ? { type: 'reset', history } : undefined;
    }
    default:
      return undefined;
  }
}
