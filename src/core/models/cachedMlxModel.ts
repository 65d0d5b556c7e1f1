import { type CachedRepo } from '../cache/cachedRepo';

/**
 * Whether a cached repo looks like something mlx_lm can load: a model repo whose snapshot has a
 * config.json and safetensors weights (mlx-community conversions, and plain HF safetensors models).
 * GGUF-only or PyTorch-only repos fetched by other tools are left out of the model list.
 */
export function isCachedMlxModel(repo: CachedRepo): boolean {
  if (repo.repoType !== 'model') return false;
  if (repo.revisions.length === 0) return repo.partials.length > 0 && repo.repoId.toLowerCase().startsWith('mlx-community/');
  return repo.revisions.some((r) => r.files.some((f) => f.path === 'config.json') && r.files.some((f) => f.path.endsWith('.safetensors')));
}

/** `mlx-community/Qwen2.5-7B-Instruct-4bit` → `Qwen2.5-7B-Instruct-4bit`. */
export function displayNameOf(repoId: string): string {
  return repoId.split('/').pop() ?? repoId;
}
