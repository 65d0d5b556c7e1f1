/** What the Hub says about a model (the fields the extension uses), parsed defensively from its JSON. */
export interface ModelInfo {
  readonly id: string;
  /** Commit the revision points at (40 hex). */
  readonly sha: string | undefined;
  readonly private: boolean;
  /** `false`, or how access is granted: 'auto' (instant on accepting) or 'manual' (reviewed). */
  readonly gated: false | 'auto' | 'manual';
  readonly tags: readonly string[];
  readonly downloads: number;
  readonly likes: number;
  /** ISO date. */
  readonly lastModified: string | undefined;
  readonly libraryName: string | undefined;
  readonly pipelineTag: string | undefined;
  /** Bytes of all files at all revisions, as the Hub counts it. */
  readonly usedStorage: number | undefined;
  readonly siblings: readonly ModelSibling[];
}

export interface ModelSibling {
  readonly path: string;
  /** Present when asked with `blobs: true`. */
  readonly size?: number;
  readonly lfs?: { readonly sha256: string; readonly size: number };
}

/** One search result. */
export interface ModelSummary {
  readonly id: string;
  readonly downloads: number;
  readonly likes: number;
  readonly tags: readonly string[];
  readonly pipelineTag: string | undefined;
  readonly libraryName: string | undefined;
  readonly lastModified: string | undefined;
  readonly createdAt: string | undefined;
  readonly gated: false | 'auto' | 'manual';
  readonly private: boolean;
}

type Json = Record<string, unknown>;

export class InvalidHubResponseError extends Error {
  override name = 'InvalidHubResponseError';
  constructor(
    readonly url: string,
    what: string,
  ) {
    super(`The Hub's answer from ${url} is not what was expected (${what}). If HF_ENDPOINT points at a mirror or proxy, check it.`);
  }
}

export function parseModelInfo(body: unknown, url: string): ModelInfo {
  const json = asObject(body, url, 'model info');
  const sha = str(json.sha);
  return {
    ...summaryFields(json, url),
    sha: sha && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined,
    usedStorage: num(json.usedStorage),
    siblings: Array.isArray(json.siblings) ? json.siblings.flatMap((s) => parseSibling(s)) : [],
  };
}

export function parseModelSummary(body: unknown, url: string): ModelSummary {
  const json = asObject(body, url, 'search result');
  return { ...summaryFields(json, url), createdAt: str(json.createdAt) };
}

function summaryFields(json: Json, url: string): Omit<ModelSummary, 'createdAt'> {
  const id = str(json.id) ?? str(json.modelId);
  if (!id) throw new InvalidHubResponseError(url, 'no model id');
  return {
    id,
    private: json.private === true,
    gated: json.gated === 'auto' || json.gated === 'manual' ? json.gated : json.gated === true ? 'auto' : false,
    tags: Array.isArray(json.tags) ? json.tags.filter((t): t is string => typeof t === 'string') : [],
    downloads: num(json.downloads) ?? 0,
    likes: num(json.likes) ?? 0,
    lastModified: str(json.lastModified),
    libraryName: str(json.library_name),
    pipelineTag: str(json.pipeline_tag),
  };
}

function parseSibling(value: unknown): ModelSibling[] {
  if (!value || typeof value !== 'object') return [];
  const s = value as Json;
  const path = str(s.rfilename);
  if (!path) return [];
  const size = num(s.size);
  const lfs = s.lfs && typeof s.lfs === 'object' ? (s.lfs as Json) : undefined;
  const sha256 = str(lfs?.sha256);
  const lfsSize = num(lfs?.size);
  return [{ path, ...(size !== undefined ? { size } : {}), ...(sha256 && lfsSize !== undefined ? { lfs: { sha256, size: lfsSize } } : {}) }];
}

function asObject(body: unknown, url: string, what: string): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InvalidHubResponseError(url, `expected a ${what} object`);
  return body as Json;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
