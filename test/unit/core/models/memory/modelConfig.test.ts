import assert from 'node:assert/strict';
import { parseModelConfig } from '../../../../../src/core/models/memory/modelConfig';
import { LLAMA_31_8B_4BIT, LLAMA_32_1B_4BIT, LLAMA_32_3B_4BIT, R1_DISTILL_LLAMA_8B_4BIT, R1_DISTILL_QWEN_15B_4BIT, R1_DISTILL_QWEN_15B_8BIT } from './seedConfigs';

describe('parseModelConfig', () => {
  describe('seed model configs', () => {
    it('reads Llama 3.2 1B (explicit head_dim, tied embeddings, mlx quantization)', () => {
      const c = parseModelConfig(LLAMA_32_1B_4BIT);
      assert.equal(c.modelType, 'llama');
      assert.equal(c.numLayers, 16);
      assert.equal(c.hiddenSize, 2048);
      assert.equal(c.numAttentionHeads, 32);
      assert.equal(c.numKeyValueHeads, 8);
      assert.equal(c.headDim, 64);
      assert.equal(c.maxPositionEmbeddings, 131072);
      assert.equal(c.contextLength, 131072);
      assert.equal(c.vocabSize, 128256);
      assert.equal(c.tieWordEmbeddings, true);
      assert.deepEqual(c.quantization, { bits: 4, groupSize: 64 });
      assert.equal(c.dtype, 'bfloat16');
      assert.deepEqual(c.problems, []);
    });

    it('reads Llama 3.2 3B', () => {
      const c = parseModelConfig(LLAMA_32_3B_4BIT);
      assert.equal(c.numLayers, 28);
      assert.equal(c.numAttentionHeads, 24);
      assert.equal(c.numKeyValueHeads, 8);
      assert.equal(c.headDim, 128);
    });

    it('derives head_dim = hidden_size / heads when the config has none (Llama 3.1 8B)', () => {
      const c = parseModelConfig(LLAMA_31_8B_4BIT);
      assert.equal(c.headDim, 4096 / 32);
      assert.equal(c.numKeyValueHeads, 8);
      assert.equal(c.tieWordEmbeddings, false);
      assert.deepEqual(c.problems, []);
    });

    it('reads the Qwen2 distills, 4- and 8-bit', () => {
      const q4 = parseModelConfig(R1_DISTILL_QWEN_15B_4BIT);
      assert.equal(q4.modelType, 'qwen2');
      assert.equal(q4.numLayers, 28);
      assert.equal(q4.numKeyValueHeads, 2);
      assert.equal(q4.headDim, 128);
      assert.deepEqual(q4.quantization, { bits: 4, groupSize: 64 });
      assert.deepEqual(q4.problems, [], 'use_sliding_window: false is not a sliding window');
      assert.deepEqual(parseModelConfig(R1_DISTILL_QWEN_15B_8BIT).quantization, { bits: 8, groupSize: 64 });
    });

    it('reads R1-Distill-Llama 8B', () => {
      const c = parseModelConfig(R1_DISTILL_LLAMA_8B_4BIT);
      assert.equal(c.headDim, 128);
      assert.equal(c.numLayers, 32);
    });
  });

  describe('parameter estimate', () => {
    it('matches hand-computed totals and says it is an estimate', () => {
      // 1B: 128256·2048 (tied) + 16 · (2·2048·2048 + 2·2048·512 + 3·2048·8192 + 2·2048) + 2048
      assert.equal(parseModelConfig(LLAMA_32_1B_4BIT).parameterCount, 1_235_814_400);
      assert.equal(parseModelConfig(LLAMA_32_1B_4BIT).parameterCountSource, 'estimate');
      // 8B: 2·128256·4096 (untied) + 32 · (2·4096·4096 + 2·4096·1024 + 3·4096·14336 + 2·4096) + 4096
      assert.equal(parseModelConfig(LLAMA_31_8B_4BIT).parameterCount, 8_030_261_248);
    });

    it('lands within 1% of the published sizes', () => {
      const published: [unknown, number][] = [
        [LLAMA_32_1B_4BIT, 1.24e9],
        [LLAMA_32_3B_4BIT, 3.21e9],
        [LLAMA_31_8B_4BIT, 8.03e9],
        [R1_DISTILL_QWEN_15B_4BIT, 1.78e9],
        [R1_DISTILL_LLAMA_8B_4BIT, 8.03e9],
      ];
      for (const [json, size] of published) {
        const estimate = parseModelConfig(json).parameterCount ?? 0;
        assert.ok(Math.abs(estimate - size) / size < 0.01, `${estimate} vs ${size}`);
      }
    });

    it('uses a stated parameter count over the estimate', () => {
      const c = parseModelConfig({ ...LLAMA_32_1B_4BIT, num_parameters: 1_000 });
      assert.equal(c.parameterCount, 1_000);
      assert.equal(c.parameterCountSource, 'config');
    });

    it('skips mixture-of-experts configs rather than guess', () => {
      const c = parseModelConfig({ ...LLAMA_31_8B_4BIT, num_local_experts: 8 });
      assert.equal(c.parameterCount, undefined);
      assert.ok(c.problems.some((p) => p.includes('mixture-of-experts')));
    });
  });

  describe('odd input never throws', () => {
    it('handles non-objects', () => {
      for (const value of [undefined, null, 42, 'config', [], true]) {
        const c = parseModelConfig(value);
        assert.equal(c.numLayers, undefined);
        assert.equal(c.problems.length, 1);
        assert.match(c.problems[0] ?? '', /not a JSON object/);
      }
    });

    it('handles an empty object, listing what is missing', () => {
      const c = parseModelConfig({});
      assert.equal(c.headDim, undefined);
      assert.ok(c.problems.some((p) => p.includes('num_hidden_layers')));
      assert.ok(c.problems.some((p) => p.includes('head_dim')));
    });

    it('defaults key/value heads to the attention heads (no grouped-query attention)', () => {
      const c = parseModelConfig({ num_hidden_layers: 22, hidden_size: 2048, num_attention_heads: 32 });
      assert.equal(c.numKeyValueHeads, 32);
      assert.equal(c.headDim, 64);
    });

    it('reads numeric strings and says so; rejects junk', () => {
      const c = parseModelConfig({ ...LLAMA_32_3B_4BIT, num_hidden_layers: '28', num_key_value_heads: 'eight', hidden_size: -1, head_dim: 12.5 });
      assert.equal(c.numLayers, 28);
      assert.ok(c.problems.some((p) => p.includes('num_hidden_layers is a string')));
      assert.equal(c.numKeyValueHeads, 24, 'falls back to the attention heads');
      assert.ok(c.problems.some((p) => p.startsWith('num_key_value_heads is not a number')));
      assert.equal(c.hiddenSize, undefined);
      assert.equal(c.headDim, undefined, 'neither a valid head_dim nor a hidden_size to derive it from');
    });

    it('treats null head_dim as absent', () => {
      assert.equal(parseModelConfig({ ...LLAMA_31_8B_4BIT, head_dim: null }).headDim, 128);
    });

    it('reports a hidden size that heads do not divide', () => {
      const c = parseModelConfig({ num_hidden_layers: 2, hidden_size: 100, num_attention_heads: 3 });
      assert.equal(c.headDim, undefined);
      assert.ok(c.problems.some((p) => p.includes('not a multiple')));
    });

    it('survives odd quantization blocks', () => {
      assert.equal(parseModelConfig({ ...LLAMA_32_1B_4BIT, quantization: 'q4' }).quantization, undefined);
      assert.equal(parseModelConfig({ ...LLAMA_32_1B_4BIT, quantization: {} }).quantization, undefined);
      assert.deepEqual(parseModelConfig({ ...LLAMA_32_1B_4BIT, quantization: { bits: '4', group_size: 32 } }).quantization, { bits: 4, groupSize: 32 });
    });
  });

  describe('other shapes', () => {
    it('reads the language model from text_config in a multimodal config', () => {
      // Gemma-3-like layout: the wrapper has the model type and quantization, the text model the sizes.
      const c = parseModelConfig({
        architectures: ['Gemma3ForConditionalGeneration'],
        model_type: 'gemma3',
        quantization: { group_size: 64, bits: 4 },
        text_config: {
          model_type: 'gemma3_text',
          hidden_size: 2560,
          intermediate_size: 10240,
          num_hidden_layers: 34,
          num_attention_heads: 8,
          num_key_value_heads: 4,
          head_dim: 256,
          sliding_window: 1024,
          sliding_window_pattern: 6,
          vocab_size: 262208,
        },
        vision_config: { hidden_size: 1152, num_hidden_layers: 27, num_attention_heads: 16 },
        torch_dtype: 'bfloat16',
      });
      assert.equal(c.modelType, 'gemma3');
      assert.equal(c.numLayers, 34);
      assert.equal(c.numKeyValueHeads, 4);
      assert.equal(c.headDim, 256);
      assert.deepEqual(c.quantization, { bits: 4, groupSize: 64 });
      assert.ok(c.problems.some((p) => p.includes('sliding window')));
    });

    it('names nested fields in problems', () => {
      const c = parseModelConfig({ text_config: { num_hidden_layers: 'many' } });
      assert.ok(c.problems.some((p) => p.startsWith('text_config.num_hidden_layers')));
    });

    it('reads transformers quantizers from quantization_config', () => {
      const bnb = parseModelConfig({ ...LLAMA_31_8B_4BIT, quantization: undefined, quantization_config: { load_in_4bit: true, quant_method: 'bitsandbytes' } });
      assert.deepEqual(bnb.quantization, { bits: 4, groupSize: undefined, method: 'bitsandbytes' });
      const awq = parseModelConfig({ ...LLAMA_31_8B_4BIT, quantization: undefined, quantization_config: { bits: 4, group_size: 128, quant_method: 'awq' } });
      assert.deepEqual(awq.quantization, { bits: 4, groupSize: 128, method: 'awq' });
    });

    it('reads `dtype` (transformers ≥ 4.56) and other context-length names', () => {
      const c = parseModelConfig({ dtype: 'float16', n_positions: 1024, n_layer: 12, n_head: 12, n_embd: 768 });
      assert.equal(c.dtype, 'float16');
      assert.equal(c.contextLength, 1024);
      assert.equal(c.maxPositionEmbeddings, undefined);
      assert.equal(c.headDim, 64);
    });

    it('flags latent attention as an upper-bound estimate', () => {
      const c = parseModelConfig({ ...LLAMA_31_8B_4BIT, kv_lora_rank: 512 });
      assert.ok(c.problems.some((p) => p.includes('latent attention')));
    });
  });
});
