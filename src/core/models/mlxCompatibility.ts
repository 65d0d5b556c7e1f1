import { type ModelSummary } from '../hub/modelInfo';

/**
 * Why mlx_lm probably can't run a Hub repo, judged from its search tags (the Hub tags GGUF repos `gguf`,
 * safetensors repos `safetensors`, conversions `mlx`), or undefined when it looks runnable.
 */
export function mlxIncompatibility(summary: Pick<ModelSummary, 'tags' | 'libraryName'>): string | undefined {
  const tags = summary.tags.map((t) => t.toLowerCase());
  const library = summary.libraryName?.toLowerCase();
  if (tags.includes('mlx') || library === 'mlx') return undefined;
  if (library === 'gguf' || (tags.includes('gguf') && !tags.includes('safetensors'))) return 'GGUF only: mlx_lm needs safetensors weights';
  if (tags.length > 0 && !tags.includes('safetensors')) return 'no safetensors weights: mlx_lm may not run it';
  return undefined;
}
