import { type SmallFetchResponse } from '../http/dispatchFetch';
import { HubHttp, type HubHttpOptions } from './hubHttp';
import { nextPageUrl } from './linkHeader';
import { InvalidHubResponseError, type ModelInfo, type ModelSummary, parseModelInfo, parseModelSummary } from './modelInfo';
import type { RepoFile } from './repoFile';
import { parseRepoId } from './repoId';
import { encodeRepoPath, encodeRevision } from './repoPath';
import { parseTreeEntry } from './treeEntry';

/*
 * Why not @huggingface/hub for metadata: its errors (HubApiError) keep the status but drop
 * X-Error-Code, so gated / missing repo / missing revision cannot be told apart reliably; it
 * refuses tokens not starting with `hf_` (mirrors and enterprise endpoints use others); it has no
 * AbortSignal, timeout or 429 handling; and its modelInfo asks for a fixed `expand` set that
 * leaves out sha and siblings. The endpoints are three small JSON GETs, so we call them directly.
 */

export type HubClientOptions = HubHttpOptions;

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Where to download one file from, as the Hub resolved it. */
export interface ResolvedFile {
  /** Absolute URL to GET: the presigned CDN URL for LFS files, the resolve-cache URL for others. Send no token to it unless it is on the endpoint's origin. */
  readonly url: string;
  /** Unquoted etag: SHA-256 for LFS files, git blob SHA-1 otherwise. Names the cache blob. */
  readonly etag: string;
  readonly size: number;
  /** The commit the revision resolved to (40 hex). */
  readonly commit: string;
  readonly lfs: boolean;
}

export interface SearchModelsOptions extends RequestOptions {
  search?: string;
  author?: string;
  /** @default 'downloads' */
  sort?: 'downloads' | 'likes' | 'lastModified' | 'createdAt' | 'trendingScore';
  /** Tags the models must have, e.g. ['mlx']. @default [] */
  filter?: string[];
  /** Most results returned (pages are followed until reached). @default 20 */
  limit?: number;
}

const MAX_PAGES = 1000;

/** Reads model metadata from the Hugging Face Hub (or a mirror at `endpoint`). */
export class HubClient {
  private readonly http: HubHttp;

  constructor(options: HubClientOptions) {
    this.http = new HubHttp(options);
  }

  get endpoint(): string {
    return this.http.endpoint;
  }

  async modelInfo(repoId: string, options: RequestOptions & { revision?: string; blobs?: boolean } = {}): Promise<ModelInfo> {
    const { id } = parseRepoId(repoId);
    const url = `${this.endpoint}/api/models/${id}${options.revision ? `/revision/${encodeRevision(options.revision)}` : ''}${options.blobs ? '?blobs=true' : ''}`;
    const { body } = await this.http.getJson<unknown>({ url, signal: options.signal, context: { repoId: id, revision: options.revision } });
    return parseModelInfo(body, url);
  }

  /** Every file of the revision (recursively, directories left out), across all pages. */
  async listFiles(repoId: string, revision = 'main', options: RequestOptions = {}): Promise<RepoFile[]> {
    const { id } = parseRepoId(repoId);
    let url: string | undefined = `${this.endpoint}/api/models/${id}/tree/${encodeRevision(revision)}?recursive=true&expand=false`;
    const files: RepoFile[] = [];
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES) throw new InvalidHubResponseError(url, `more than ${MAX_PAGES} pages`);
      const { body, response }: { body: unknown; response: SmallFetchResponse } = await this.http.getJson<unknown>({ url, signal: options.signal, context: { repoId: id, revision } });
      if (!Array.isArray(body)) throw new InvalidHubResponseError(url, 'the tree is not a list');
      for (const entry of body) {
        const file = parseTreeEntry(entry, url);
        if (file) files.push(file);
      }
      url = nextPageUrl(response.headers.get('link'), url);
    }
    return files;
  }

  async searchModels(options: SearchModelsOptions = {}): Promise<ModelSummary[]> {
    const limit = options.limit ?? 20;
    const query = new URLSearchParams();
    if (options.search) query.set('search', options.search);
    if (options.author) query.set('author', options.author);
    for (const tag of options.filter ?? []) query.append('filter', tag);
    query.set('sort', options.sort ?? 'downloads');
    query.set('direction', '-1');
    query.set('limit', String(Math.min(limit, 1000)));
    let url: string | undefined = `${this.endpoint}/api/models?${query.toString()}`;
    this.http.assertOnline(url);
    const results: ModelSummary[] = [];
    for (let page = 0; url && results.length < limit && page < MAX_PAGES; page++) {
      const { body, response }: { body: unknown; response: SmallFetchResponse } = await this.http.getJson<unknown>({ url, signal: options.signal });
      if (!Array.isArray(body)) throw new InvalidHubResponseError(url, 'search results are not a list');
      for (const item of body) if (results.length < limit) results.push(parseModelSummary(item, url));
      url = nextPageUrl(response.headers.get('link'), url);
    }
    return results;
  }

  /**
   * A small git-stored text file of a repo (config.json, tokenizer_config.json), read from the Hub.
   * Refuses LFS files (they redirect to the CDN) and anything over `maxBytes`.
   */
  async readTextFile(repoId: string, revision: string, path: string, options: RequestOptions & { maxBytes?: number } = {}): Promise<string> {
    const { id } = parseRepoId(repoId);
    const url = `${this.endpoint}/${id}/resolve/${encodeRevision(revision)}/${encodeRepoPath(path)}`;
    const context = { repoId: id, revision, path };
    const { response, url: answeredBy } = await this.http.send({ url, signal: options.signal, context });
    if (response.status >= 300) {
      await response.body?.cancel();
      if (response.status < 400) throw new InvalidHubResponseError(url, `${path} is stored with LFS, not as a small text file`);
      throw this.http.errorFor(response, answeredBy, context);
    }
    const maxBytes = options.maxBytes ?? 1024 * 1024;
    if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
      await response.body?.cancel();
      throw new InvalidHubResponseError(url, `${path} is larger than ${maxBytes} bytes`);
    }
    return response.text();
  }

  /**
   * Where and what one file is, by a HEAD on its resolve URL (like huggingface_hub): same-origin
   * redirects are followed; a redirect to another host (the CDN) is not — its target is returned
   * with the real etag and size from `X-Linked-Etag`/`X-Linked-Size`.
   */
  async resolveFile(repoId: string, revision: string, path: string, options: RequestOptions = {}): Promise<ResolvedFile> {
    const { id } = parseRepoId(repoId);
    const url = `${this.endpoint}/${id}/resolve/${encodeRevision(revision)}/${encodeRepoPath(path)}`;
    const { response, url: answeredBy } = await this.http.send({
      url,
      method: 'HEAD',
      // A compressed answer would make Content-Length the compressed size.
      headers: { 'Accept-Encoding': 'identity' },
      signal: options.signal,
      context: { repoId: id, revision, path },
    });
    await response.body?.cancel();
    const headers = response.headers;
    const redirected = response.status >= 300 && response.status < 400;
    const linkedEtag = headers.get('x-linked-etag');
    const etag = normalizeEtag(linkedEtag ?? headers.get('etag'));
    const size = Number(headers.get('x-linked-size') ?? (redirected ? undefined : headers.get('content-length')));
    const commit = headers.get('x-repo-commit') ?? undefined;
    if (!commit || !/^[0-9a-f]{40}$/i.test(commit)) throw new InvalidHubResponseError(url, 'no X-Repo-Commit header (a proxy may strip it)');
    if (!etag) throw new InvalidHubResponseError(url, 'no ETag or X-Linked-Etag header (a proxy may strip it)');
    if (!Number.isSafeInteger(size) || size < 0) throw new InvalidHubResponseError(url, 'no file size (X-Linked-Size or Content-Length)');
    return {
      url: redirected ? new URL(headers.get('location')!, answeredBy).toString() : answeredBy,
      etag,
      size,
      commit: commit.toLowerCase(),
      lfs: linkedEtag !== null,
    };
  }
}

/** `W/"abc"` → `abc`, as huggingface_hub names blobs. */
function normalizeEtag(etag: string | null): string | undefined {
  const value = etag?.replace(/^W\//, '').replace(/"/g, '').trim();
  return value || undefined;
}
