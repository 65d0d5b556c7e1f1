/**
 * config.json contents for the six seed models, written from what public copies show.
 *
 * Base-model values (layers, heads, sizes, rope, dtype) — seen via the search tool:
 *  - Llama 3.2 1B: huggingface.co/h3110Fr13nd/llama-3.2-1b-onnx/blob/main/config.json and
 *    PerryCheng614/gptq-llama3.2-1b-4bit (16 layers, 32 heads, 8 KV heads, head_dim 64, hidden 2048,
 *    intermediate 8192, tied embeddings, rope llama3 factor 32).
 *  - Llama 3.2 3B: huggingface.co/mlx-community/Llama-3.2-3B-bf16/blob/…/config.json (28 layers,
 *    24 heads, 8 KV heads, head_dim 128, hidden 3072, intermediate 8192, tied, bfloat16).
 *  - Llama 3.1 8B: huggingface.co/mlx-community/Meta-Llama-3.1-8B-bf16/blob/refs%2Fpr%2F1/config.json
 *    (32 layers, 32 heads, 8 KV heads, hidden 4096, intermediate 14336, no head_dim, untied,
 *    rope llama3 factor 8).
 *  - DeepSeek-R1-Distill-Qwen-1.5B: huggingface.co/emredeveloper/DeepSeek-R1-Distill-Qwen-1.5B-4bit
 *    /blob/0e5a729…/config.json (qwen2, 28 layers, 12 heads, 2 KV heads, hidden 1536,
 *    intermediate 8960, vocab 151936, rope_theta 10000, untied, use_sliding_window false). That copy
 *    is a re-quantized upload (sliding_window null, torch_dtype float16); `sliding_window: 4096` and
 *    `bfloat16` here follow deepseek-ai's original as remembered, not as seen — neither affects memory.
 *  - DeepSeek-R1-Distill-Llama-8B: huggingface.co/unsloth/DeepSeek-R1-Distill-Llama-8B-unsloth-bnb-4bit
 *    and casperhansen/deepseek-r1-distill-llama-8b-awq configs (Llama 3.1 8B shapes, head_dim 128).
 * The mlx-community repos themselves showed up only as model cards and file listings (config.json
 * 1.05–1.12 kB), so the `quantization` block is the shape mlx_lm.convert writes, as seen verbatim
 * in huggingface.co/mlx-community/Qwen2-72B-4bit/blob/main/config.json: `{"group_size": 64, "bits": 4}`.
 * The Qwen 8-bit config also carries `quantization_config`, as newer mlx_lm versions write both.
 */

export const LLAMA_32_1B_4BIT = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  quantization: { group_size: 64, bits: 4 },
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

export const LLAMA_32_3B_4BIT = {
  ...LLAMA_32_1B_4BIT,
  head_dim: 128,
  hidden_size: 3072,
  intermediate_size: 8192,
  num_attention_heads: 24,
  num_hidden_layers: 28,
  num_key_value_heads: 8,
};

export const LLAMA_31_8B_4BIT = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  quantization: { group_size: 64, bits: 4 },
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

export const R1_DISTILL_QWEN_15B_4BIT = {
  architectures: ['Qwen2ForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 1536,
  initializer_range: 0.02,
  intermediate_size: 8960,
  max_position_embeddings: 131072,
  max_window_layers: 21,
  model_type: 'qwen2',
  num_attention_heads: 12,
  num_hidden_layers: 28,
  num_key_value_heads: 2,
  quantization: { group_size: 64, bits: 4 },
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  sliding_window: 4096,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.44.0',
  use_cache: true,
  use_mrope: false,
  use_sliding_window: false,
  vocab_size: 151936,
};

export const R1_DISTILL_QWEN_15B_8BIT = {
  ...R1_DISTILL_QWEN_15B_4BIT,
  quantization: { group_size: 64, bits: 8 },
  quantization_config: { group_size: 64, bits: 8 },
};

export const R1_DISTILL_LLAMA_8B_4BIT = {
  ...LLAMA_31_8B_4BIT,
  eos_token_id: 128001,
  head_dim: 128,
  transformers_version: '4.47.1',
};

/** Keyed by the seed catalog's repo ids. */
export const SEED_CONFIGS: Readonly<Record<string, unknown>> = {
  'mlx-community/Llama-3.2-1B-Instruct-4bit': LLAMA_32_1B_4BIT,
  'mlx-community/Llama-3.2-3B-Instruct-4bit': LLAMA_32_3B_4BIT,
  'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit': LLAMA_31_8B_4BIT,
  'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit': R1_DISTILL_QWEN_15B_4BIT,
  'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit': R1_DISTILL_QWEN_15B_8BIT,
  'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit': R1_DISTILL_LLAMA_8B_4BIT,
};
