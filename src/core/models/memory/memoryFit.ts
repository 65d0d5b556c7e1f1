import { formatBytes } from '../../format/formatBytes';
import { kvCacheBytes } from './kvCache';
import { type ModelConfigSummary } from './modelConfig';

export type MemoryVerdict = 'fits' | 'tight' | 'too-big' | 'unknown';

export interface MemoryFitOptions {
  /** Bytes of the weight files (the safetensors shards), as the Hub's tree or the local snapshot lists them. */
  readonly weightsBytes: number;
  /** The parsed config.json; without it the context cache is unknown. */
  readonly config?: ModelConfigSummary;
  /** Context the user wants: prompt plus answer, in tokens. */
  readonly contextTokens: number;
  /** Memory the model may use on this machine (`machineMemory().budgetBytes`). */
  readonly budgetBytes: number;
  /**
   * Memory beyond weights and KV cache: the Python/mlx runtime, Metal buffers and the activations
   * of a prefill chunk (mlx_lm prefills 2,048 tokens at a time; for an 8B model one chunk's MLP
   * activations are ~60 MB per tensor). A few hundred MB in practice, so 0.5 GB.
   * @default DEFAULT_OVERHEAD_BYTES (500 MB)
   */
  readonly overheadBytes?: number;
  /**
   * Where the budget came from, for the wording of the explanation.
   * @default 'metal-estimate'
   */
  readonly budgetSource?: 'metal-estimate' | 'ram-fraction';
  /** Passed to `kvCacheBytes`. @default 2 */
  readonly kvBytesPerElement?: number;
}

export interface MemoryFit {
  readonly verdict: MemoryVerdict;
  /**
   * Weights + KV cache + overhead. When the verdict is `unknown` it is the sum of the parts that
   * are known, so a lower bound.
   */
  readonly neededBytes: number;
  readonly weightsBytes: number;
  /** Undefined when the config lacks the attention shapes (or there is no config). */
  readonly kvCacheBytes?: number;
  readonly overheadBytes: number;
  readonly budgetBytes: number;
  /** Budget minus need; negative when it does not fit. */
  readonly headroomBytes: number;
  readonly contextTokens: number;
  /** One sentence for the user, with the numbers behind the verdict. */
  readonly explanation: string;
}

/** Runtime and activation memory assumed on top of weights and cache; see `MemoryFitOptions.overheadBytes`. */
export const DEFAULT_OVERHEAD_BYTES = 500_000_000;

/**
 * Above this share of the budget a model is `tight`: it loads, but the rest of the system (browser,
 * editor, macOS itself share the same memory) is squeezed and a longer answer can tip it over.
 * Up to 100% is `tight`; above, `too-big`.
 */
export const TIGHT_ABOVE_FRACTION = 0.8;

/** Says whether a model fits the machine's budget at a given context length, and why. */
export function assessMemoryFit(options: MemoryFitOptions): MemoryFit {
  const contextTokens = Number.isFinite(options.contextTokens) && options.contextTokens > 0 ? Math.ceil(options.contextTokens) : 0;
  const overheadBytes = options.overheadBytes !== undefined && Number.isFinite(options.overheadBytes) && options.overheadBytes >= 0 ? options.overheadBytes : DEFAULT_OVERHEAD_BYTES;
  const weightsKnown = Number.isFinite(options.weightsBytes) && options.weightsBytes > 0;
  const weightsBytes = weightsKnown ? options.weightsBytes : 0;
  const budgetKnown = Number.isFinite(options.budgetBytes) && options.budgetBytes > 0;
  const budgetBytes = budgetKnown ? options.budgetBytes : 0;
  const kv = options.config ? kvCacheBytes({ config: options.config, contextTokens, bytesPerElement: options.kvBytesPerElement }) : undefined;

  const neededBytes = weightsBytes + (kv ?? 0) + overheadBytes;
  const headroomBytes = budgetBytes - neededBytes;
  const base = { neededBytes, weightsBytes, overheadBytes, budgetBytes, headroomBytes, contextTokens, ...(kv === undefined ? {} : { kvCacheBytes: kv }) };
  const words = budgetWords(options.budgetSource ?? 'metal-estimate', budgetBytes);

  if (!budgetKnown) {
    return { ...base, verdict: 'unknown', explanation: "This machine's memory budget is unknown, so whether the model fits cannot be judged." };
  }
  if (!weightsKnown) {
    return { ...base, verdict: 'unknown', explanation: "The model's download size is not known yet, so whether it fits cannot be judged." };
  }

  const parts = `${formatBytes(weightsBytes)} weights${kv === undefined ? '' : ` + ${formatBytes(kv)} context cache at ${tokens(contextTokens)} tokens`} + ${formatBytes(overheadBytes)} runtime`;

  if (kv === undefined) {
    // Weights and runtime alone are a floor: if they already overflow the answer is certain;
    // otherwise the unknown cache could still push it over, so no comfort can be promised.
    if (neededBytes > budgetBytes) {
      return { ...base, verdict: 'too-big', explanation: `Needs more than ${formatBytes(neededBytes)} (${parts}, before the context cache) but ${words.only}, so it will not fit; choose a smaller model.` };
    }
    return {
      ...base,
      verdict: 'unknown',
      explanation: `Needs at least ${formatBytes(neededBytes)} (${parts}) of ${words.of}; the context cache size is unknown because ${options.config ? "the model's config.json lacks the attention sizes" : "the model's config.json has not been read"}.`,
    };
  }

  if (neededBytes > budgetBytes) {
    return { ...base, verdict: 'too-big', explanation: `Needs about ${formatBytes(neededBytes)} (${parts}) but ${words.only}, so it will not fit; choose a smaller model or a shorter context.` };
  }
  if (neededBytes > budgetBytes * TIGHT_ABOVE_FRACTION) {
    return { ...base, verdict: 'tight', explanation: `Needs about ${formatBytes(neededBytes)} (${parts}) of ${words.of}, which is tight: close memory-hungry apps or use a shorter context.` };
  }
  return { ...base, verdict: 'fits', explanation: `Needs about ${formatBytes(neededBytes)} (${parts}) of ${words.of}.` };
}

function budgetWords(source: 'metal-estimate' | 'ram-fraction', budgetBytes: number): { of: string; only: string } {
  const size = formatBytes(budgetBytes);
  return source === 'metal-estimate'
    ? { of: `the ${size} this Mac can give the GPU`, only: `this Mac can give the GPU only ${size}` }
    : { of: `the ${size} budgeted for models on this machine`, only: `only ${size} is budgeted for models on this machine` };
}

/** `8192` → `8,192`, fixed to English grouping so the sentence does not depend on the host locale. */
function tokens(count: number): string {
  return count.toLocaleString('en-US');
}
