import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { dispatchFetch } from '../../../src/core/http/dispatchFetch';
import { HubClient } from '../../../src/core/hub/hubClient';
import { downloadModel, type DownloadModelOptions } from '../../../src/core/snapshot/downloadModel';
import { type DownloadEvent } from '../../../src/core/snapshot/downloadEvents';
import { type FixtureRepo, startHubStandin, type HubStandin, type HubStandinOptions } from '../../fixtures/hubStandin';

export const MiB = 1024 * 1024;

/** A small model in the shape of an mlx-community repo, plus files mlx_lm does not download. */
export function tinyModel(id = 'mlx-community/Tiny-4bit', weightBytes = 6 * MiB): FixtureRepo {
  return {
    id,
    libraryName: 'mlx',
    tags: ['mlx'],
    files: [
      { path: 'config.json', content: JSON.stringify({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2 }) },
      { path: 'tokenizer_config.json', content: '{"chat_template":"{{ messages }}"}' },
      { path: 'tokenizer.json', content: JSON.stringify({ version: '1.0', model: { vocab: { a: 0, b: 1 } } }) },
      { path: 'special_tokens_map.json', content: '{}' },
      { path: 'model.safetensors.index.json', content: '{"weight_map":{}}' },
      { path: 'model.safetensors', size: weightBytes, seed: 11 },
      { path: 'README.md', content: '# Tiny\n' },
      { path: 'original/consolidated.pth', size: 1234, seed: 3, lfs: true },
    ],
  };
}

export interface ModelEnv {
  hub: HubStandin;
  client: HubClient;
  dispatcher: Dispatcher;
  cacheRoot: string;
  /** downloadModel with this env's hub, cache and dispatcher; records every event. */
  download(options?: Partial<DownloadModelOptions>): Promise<{ result: Awaited<ReturnType<typeof downloadModel>>; events: DownloadEvent[] }>;
  close(): Promise<void>;
}

export async function startModelEnv(repos: FixtureRepo[], options: Partial<HubStandinOptions> = {}, token?: string): Promise<ModelEnv> {
  const hub = await startHubStandin({ repos, ...options });
  const dispatcher = new Agent({ connections: 32, bodyTimeout: 0 });
  // The product's path: metadata over the same dispatcher as the downloads.
  const client = new HubClient({ endpoint: hub.endpoint, token, fetch: dispatchFetch(dispatcher) });
  const cacheRoot = await fs.mkdtemp(path.join(tmpdir(), 'mlx-model-'));
  return {
    hub,
    client,
    dispatcher,
    cacheRoot,
    async download(extra = {}) {
      const events: DownloadEvent[] = [];
      const result = await downloadModel({
        hub: client,
        cacheRoot,
        repoId: repos[0]!.id,
        dispatcher,
        token,
        transfer: { retryBaseDelayMs: 10, stallTimeoutMs: 2000 },
        onEvent: (e) => events.push(e),
        ...extra,
      });
      return { result, events };
    },
    async close() {
      await dispatcher.destroy();
      await hub.close();
      await fs.rm(cacheRoot, { recursive: true, force: true });
    },
  };
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Everything under a folder (relative paths), to prove nothing was written. */
export async function listTree(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true });
    return entries.map(String).sort();
  } catch {
    return [];
  }
}

interface PyRepo {
  repo_id: string;
  revisions: Record<string, { refs: string[]; files: Record<string, { size: number; sha256: string }> }>;
  main_config: string | null;
}

/** The cache as a Python walk modelled on huggingface_hub's scan_cache_dir sees it (second-language check). */
export function pythonView(cacheRoot: string): { repos: PyRepo[]; warnings: string[] } {
  const script = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'tools', 'hfCacheCheck.py');
  return JSON.parse(execFileSync('python3', [script, cacheRoot], { encoding: 'utf8', maxBuffer: 64 * MiB }));
}
