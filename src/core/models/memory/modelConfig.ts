/**
 * A tolerant reader for a model's `config.json`, keeping only what the memory estimate needs.
 *
 * config.json files on the Hub are written by many tools (transformers, mlx_lm.convert, mlx-vlm,
 * hand edits), so field names, nesting and value types vary. Shapes this reader was checked against:
 *  - Llama 3.x (mlx-community conversions keep transformers' keys): `num_hidden_layers`,
 *    `num_attention_heads`, `num_key_value_heads` (grouped-query attention), often `head_dim`,
 *    `rope_scaling`, `tie_word_embeddings`, `torch_dtype`, plus mlx's `quantization: {group_size, bits}`.
 *  - Qwen2 (DeepSeek-R1-Distill-Qwen): same keys, no `head_dim`, untied embeddings.
 *  - Multimodal configs (Gemma 3, LLaVA, Mistral 3…): the language model's sizes sit under
 *    `text_config` (`llm_config` / `language_config` in a few families).
 *  - Newer mlx_lm writes `quantization_config` next to `quantization`; transformers' quantizers
 *    (bitsandbytes, GPTQ, AWQ) write only `quantization_config`; transformers ≥ 4.56 writes `dtype`
 *    where older versions wrote `torch_dtype`.
 * Reading never throws: anything odd is skipped and described in `problems`.
 */

export interface ModelQuantization {
  /** Bits per quantized weight (4, 8, …). */
  readonly bits: number;
  /** Weights sharing one scale/bias; undefined when the config does not say (bitsandbytes). */
  readonly groupSize: number | undefined;
  /** `quant_method` / `mode` when given (`awq`, `gptq`, `bitsandbytes`, `affine`, `mxfp4`…). */
  readonly method?: string;
}

export interface ModelConfigSummary {
  /** `model_type` at the top level (`llama`, `qwen2`, `gemma3`…). */
  readonly modelType?: string;
  /** Transformer blocks (`num_hidden_layers`). */
  readonly numLayers?: number;
  readonly hiddenSize?: number;
  readonly numAttentionHeads?: number;
  /** Key/value heads; equals the attention heads when the config does not say (no grouped-query attention). */
  readonly numKeyValueHeads?: number;
  /** Per-head width: the config's `head_dim`, else `hidden_size / num_attention_heads`. */
  readonly headDim?: number;
  /** MLP width (`intermediate_size`), used by the parameter estimate. */
  readonly intermediateSize?: number;
  readonly maxPositionEmbeddings?: number;
  readonly vocabSize?: number;
  /** Whether the output head reuses the embedding matrix; undefined when the config does not say. */
  readonly tieWordEmbeddings?: boolean;
  readonly quantization?: ModelQuantization;
  /** Storage dtype of the unquantized weights (`bfloat16`, `float16`…). */
  readonly dtype?: string;
  /** Parameters of the language model; see `parameterCountSource`. */
  readonly parameterCount?: number;
  /** `'estimate'`: computed from layer shapes (embeddings + attention + MLP), not stated by the config. */
  readonly parameterCountSource?: 'config' | 'estimate';
  /** Longest context the model is built for, in tokens. */
  readonly contextLength?: number;
  /** Everything that was missing, malformed or only approximately understood. Empty when all was clean. */
  readonly problems: string[];
}

/** Sub-objects that hold the language model's sizes in multimodal configs. */
const TEXT_CONFIG_KEYS = ['text_config', 'llm_config', 'language_config'] as const;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the memory-relevant facts from a parsed config.json. `json` may be anything (a failed
 * fetch can hand over `undefined`, a string or an array); the result is then mostly empty with a
 * problem saying why.
 */
export function parseModelConfig(json: unknown): ModelConfigSummary {
  const problems: string[] = [];
  if (!isObject(json)) {
    problems.push(`config.json is not a JSON object (got ${describe(json)})`);
    return { problems };
  }

  // Text fields come from the nested text config when there is one: in multimodal configs the
  // top level describes the wrapper (or the vision tower), not the model that holds the KV cache.
  const textKey = TEXT_CONFIG_KEYS.find((key) => isObject(json[key]));
  const text: JsonObject = textKey ? (json[textKey] as JsonObject) : json;
  const where = (key: string) => (textKey ? `${textKey}.${key}` : key);

  // Prefer the text config, fall back to the top level: some converters copy sizes to both,
  // some leave a field only at the top.
  const readCount = (keys: readonly string[]): number | undefined => {
    for (const source of textKey ? [text, json] : [json]) {
      for (const key of keys) {
        if (!(key in source)) continue;
        const value = toCount(source[key], source === text ? where(key) : key, problems);
        if (value !== undefined) return value;
      }
    }
    return undefined;
  };

  const modelType = readString(json.model_type) ?? readString(text.model_type);
  const numLayers = readCount(['num_hidden_layers', 'n_layer', 'num_layers']);
  const hiddenSize = readCount(['hidden_size', 'n_embd', 'd_model']);
  const numAttentionHeads = readCount(['num_attention_heads', 'n_head', 'num_heads']);
  const statedKvHeads = readCount(['num_key_value_heads', 'num_kv_heads', 'n_head_kv']);
  const intermediateSize = readCount(['intermediate_size', 'ffn_dim', 'n_inner']);
  const maxPositionEmbeddings = readCount(['max_position_embeddings']);
  const vocabSize = readCount(['vocab_size']);
  const statedHeadDim = readCount(['head_dim']);

  if (numLayers === undefined) problems.push('num_hidden_layers is missing');
  if (numAttentionHeads === undefined) problems.push('num_attention_heads is missing');

  // Without grouped-query attention every attention head has its own keys and values, which is
  // also what transformers assumes when `num_key_value_heads` is absent.
  const numKeyValueHeads = statedKvHeads ?? numAttentionHeads;

  let headDim = statedHeadDim;
  if (headDim === undefined && hiddenSize !== undefined && numAttentionHeads !== undefined) {
    if (hiddenSize % numAttentionHeads === 0) headDim = hiddenSize / numAttentionHeads;
    else problems.push(`hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}; head_dim unknown`);
  }
  if (headDim === undefined && !problems.some((p) => p.includes('head_dim'))) problems.push('head_dim cannot be worked out (needs head_dim, or hidden_size and num_attention_heads)');

  // Multi-head latent attention (DeepSeek V2/V3) caches a compressed latent, not per-head keys
  // and values, so the per-head formula overstates its cache by a wide margin.
  if ('kv_lora_rank' in text) problems.push('uses latent attention (kv_lora_rank): the per-head KV cache estimate is an upper bound');
  // Sliding-window layers keep only the last `sliding_window` tokens, so the full-length estimate is an upper bound.
  const slidingLayers = Array.isArray(text.layer_types) && text.layer_types.some((t) => typeof t === 'string' && t.includes('sliding'));
  if (readBoolean(text.use_sliding_window) === true || slidingLayers || 'sliding_window_pattern' in text) {
    problems.push('some layers use a sliding window: the KV cache estimate is an upper bound');
  }

  const quantization = readQuantization(json, text, problems);
  const dtype = readString(json.torch_dtype) ?? readString(json.dtype) ?? readString(text.torch_dtype) ?? readString(text.dtype);
  const tieWordEmbeddings = readBoolean(text.tie_word_embeddings) ?? readBoolean(json.tie_word_embeddings);

  const contextLength = maxPositionEmbeddings ?? readCount(['max_sequence_length', 'seq_length', 'n_positions', 'n_ctx']);

  const stated = readCount(['num_parameters', 'num_params']);
  let parameterCount: number | undefined;
  let parameterCountSource: 'config' | 'estimate' | undefined;
  if (stated !== undefined) {
    parameterCount = stated;
    parameterCountSource = 'config';
  } else {
    parameterCount = estimateParameters({ numLayers, hiddenSize, numAttentionHeads, numKeyValueHeads, headDim, intermediateSize, vocabSize, tieWordEmbeddings }, text, problems);
    if (parameterCount !== undefined) parameterCountSource = 'estimate';
  }

  return dropUndefined({
    modelType,
    numLayers,
    hiddenSize,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    intermediateSize,
    maxPositionEmbeddings,
    vocabSize,
    tieWordEmbeddings,
    quantization,
    dtype,
    parameterCount,
    parameterCountSource,
    contextLength,
    problems,
  });
}

interface Shapes {
  numLayers?: number;
  hiddenSize?: number;
  numAttentionHeads?: number;
  numKeyValueHeads?: number;
  headDim?: number;
  intermediateSize?: number;
  vocabSize?: number;
  tieWordEmbeddings?: boolean;
}

/**
 * Dense decoder estimate: embeddings (+ a separate output head unless tied) and per layer the
 * q/k/v/o projections, a gated MLP (gate, up, down: 3 × hidden × intermediate, as in Llama and
 * Qwen2) and two norms. Biases are left out (Qwen2's q/k/v biases are ~0.1% of its weights).
 * Checked by hand against the published sizes: Llama 3.2 1B ≈ 1.24 B, Llama 3.1 8B ≈ 8.03 B,
 * DeepSeek-R1-Distill-Qwen-1.5B ≈ 1.78 B.
 */
function estimateParameters(s: Shapes, text: JsonObject, problems: string[]): number | undefined {
  const { numLayers, hiddenSize, numAttentionHeads, numKeyValueHeads, headDim, intermediateSize, vocabSize } = s;
  if (numLayers === undefined || hiddenSize === undefined || numAttentionHeads === undefined || numKeyValueHeads === undefined || headDim === undefined || intermediateSize === undefined || vocabSize === undefined) {
    problems.push('parameter count not estimated: needs layers, hidden/intermediate sizes, heads and vocab_size');
    return undefined;
  }
  // Mixture-of-experts models multiply the MLP by a per-model expert layout the dense formula
  // cannot know; a wrong number is worse than none.
  const experts = ['num_local_experts', 'num_experts', 'n_routed_experts'].some((key) => typeof text[key] === 'number' && (text[key] as number) > 1);
  if (experts) {
    problems.push('parameter count not estimated: mixture-of-experts layout');
    return undefined;
  }
  const embeddings = vocabSize * hiddenSize * (s.tieWordEmbeddings === true ? 1 : 2);
  const attention = hiddenSize * numAttentionHeads * headDim * 2 + hiddenSize * numKeyValueHeads * headDim * 2;
  const mlp = 3 * hiddenSize * intermediateSize;
  const norms = 2 * hiddenSize;
  return embeddings + numLayers * (attention + mlp + norms) + hiddenSize;
}

function readQuantization(json: JsonObject, text: JsonObject, problems: string[]): ModelQuantization | undefined {
  // mlx_lm's own key first: it is what mlx_lm.load reads; `quantization_config` may be a
  // transformers quantizer block with different keys.
  const candidates: [string, unknown][] = [
    ['quantization', json.quantization],
    ['quantization_config', json.quantization_config],
    ['text quantization', text.quantization],
    ['text quantization_config', text.quantization_config],
  ];
  for (const [label, block] of candidates) {
    if (block === undefined || block === null) continue;
    if (!isObject(block)) {
      problems.push(`${label} is not an object`);
      continue;
    }
    const method = readString(block.quant_method) ?? readString(block.mode);
    let bits = toCount(block.bits, `${label}.bits`, problems) ?? toCount(block.num_bits, `${label}.num_bits`, problems);
    // bitsandbytes says `load_in_4bit: true` instead of a bit count.
    if (bits === undefined && readBoolean(block.load_in_4bit) === true) bits = 4;
    if (bits === undefined && readBoolean(block.load_in_8bit) === true) bits = 8;
    if (bits === undefined) {
      problems.push(`${label} gives no bit width`);
      continue;
    }
    const groupSize = toCount(block.group_size, `${label}.group_size`, problems);
    return method === undefined ? { bits, groupSize } : { bits, groupSize, method };
  }
  return undefined;
}

/** A positive whole number, accepting numeric strings (hand-edited configs) with a note. */
function toCount(value: unknown, key: string, problems: string[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  let number: number;
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    number = Number(value);
    problems.push(`${key} is a string ("${value}"); read it as ${number}`);
  } else {
    problems.push(`${key} is not a number (got ${describe(value)})`);
    return undefined;
  }
  if (!Number.isFinite(number) || number <= 0 || !Number.isInteger(number)) {
    problems.push(`${key} is not a positive whole number (${number})`);
    return undefined;
  }
  return number;
}

function readString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value;
}

/** Keeps optional properties absent rather than `undefined`, so deepEqual and spreads stay clean. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
