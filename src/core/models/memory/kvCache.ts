import { type ModelConfigSummary } from './modelConfig';

export interface KvCacheOptions {
  /** What `parseModelConfig` read from the model's config.json. */
  readonly config: ModelConfigSummary;
  /** Tokens the cache must hold: prompt plus answer. Negative or non-finite counts as 0. */
  readonly contextTokens: number;
  /**
   * Bytes per cached key/value element. mlx_lm keeps the cache in the activations' dtype, which
   * is float16/bfloat16 for the mlx-community conversions even when the weights are 4-bit.
   * @default 2
   */
  readonly bytesPerElement?: number;
  /**
   * mlx_lm's KVCache grows its buffers in steps of 256 tokens, so a 1,000-token context really
   * holds 1,024 slots. Pass 1 to count exact tokens.
   * @default 256
   */
  readonly allocationStepTokens?: number;
}

/** Default bytes per KV element: fp16/bf16, as mlx_lm allocates the cache. */
export const DEFAULT_KV_BYTES_PER_ELEMENT = 2;
/** Default allocation granularity of mlx_lm's KVCache, in tokens. */
export const DEFAULT_KV_ALLOCATION_STEP = 256;

/**
 * Bytes of key/value cache for `contextTokens` tokens:
 * `2 (keys and values) × layers × kv heads × head_dim × bytes per element × tokens`.
 * Undefined when the config lacks the layer count, KV heads or head width: a guessed cache size
 * would make a verdict look more certain than it is.
 */
export function kvCacheBytes(options: KvCacheOptions): number | undefined {
  const perToken = kvCacheBytesPerToken(options.config, options.bytesPerElement);
  if (perToken === undefined) return undefined;
  const step = positiveOr(options.allocationStepTokens, DEFAULT_KV_ALLOCATION_STEP);
  const tokens = Number.isFinite(options.contextTokens) && options.contextTokens > 0 ? Math.ceil(options.contextTokens) : 0;
  const slots = Math.ceil(tokens / step) * step;
  return perToken * slots;
}

/** Cache bytes one token adds, or undefined when the config lacks the shapes. */
export function kvCacheBytesPerToken(config: ModelConfigSummary, bytesPerElement?: number): number | undefined {
  const { numLayers, numKeyValueHeads, headDim } = config;
  if (numLayers === undefined || numKeyValueHeads === undefined || headDim === undefined) return undefined;
  const bytes = positiveOr(bytesPerElement, DEFAULT_KV_BYTES_PER_ELEMENT);
  return 2 * numLayers * numKeyValueHeads * headDim * bytes;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
