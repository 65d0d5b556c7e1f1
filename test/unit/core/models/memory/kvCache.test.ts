import assert from 'node:assert/strict';
import { kvCacheBytes, kvCacheBytesPerToken } from '../../../../../src/core/models/memory/kvCache';
import { parseModelConfig } from '../../../../../src/core/models/memory/modelConfig';
import { SEED_CONFIGS } from './seedConfigs';

// Hand-computed: 2 (K and V) × layers × KV heads × head_dim × 2 bytes (fp16).
const PER_TOKEN: Record<string, number> = {
  'mlx-community/Llama-3.2-1B-Instruct-4bit': 2 * 16 * 8 * 64 * 2, // 32,768
  'mlx-community/Llama-3.2-3B-Instruct-4bit': 2 * 28 * 8 * 128 * 2, // 114,688
  'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit': 2 * 32 * 8 * 128 * 2, // 131,072
  'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit': 2 * 28 * 2 * 128 * 2, // 28,672
  'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit': 2 * 28 * 2 * 128 * 2, // the 8-bit weights do not change the fp16 cache
  'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit': 2 * 32 * 8 * 128 * 2,
};

describe('kvCacheBytes', () => {
  it('matches the hand-computed per-token size of every seed model', () => {
    assert.deepEqual(PER_TOKEN['mlx-community/Llama-3.2-1B-Instruct-4bit'], 32_768);
    for (const [repoId, json] of Object.entries(SEED_CONFIGS)) {
      assert.equal(kvCacheBytesPerToken(parseModelConfig(json)), PER_TOKEN[repoId], repoId);
    }
  });

  it('gives the cache at 8,192 tokens', () => {
    const at8k = (repoId: string) => kvCacheBytes({ config: parseModelConfig(SEED_CONFIGS[repoId]), contextTokens: 8192 });
    assert.equal(at8k('mlx-community/Llama-3.2-1B-Instruct-4bit'), 268_435_456);
    assert.equal(at8k('mlx-community/Llama-3.2-3B-Instruct-4bit'), 939_524_096);
    assert.equal(at8k('mlx-community/Meta-Llama-3.1-8B-Instruct-4bit'), 1_073_741_824);
    assert.equal(at8k('mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit'), 234_881_024);
    assert.equal(at8k('mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit'), 1_073_741_824);
  });

  it('rounds up to mlx_lm’s 256-token allocation step unless told otherwise', () => {
    const config = parseModelConfig(SEED_CONFIGS['mlx-community/Llama-3.2-1B-Instruct-4bit']);
    assert.equal(kvCacheBytes({ config, contextTokens: 1000 }), 1024 * 32_768);
    assert.equal(kvCacheBytes({ config, contextTokens: 1000, allocationStepTokens: 1 }), 1000 * 32_768);
  });

  it('scales with bytesPerElement (e.g. a float32 cache)', () => {
    const config = parseModelConfig(SEED_CONFIGS['mlx-community/Llama-3.2-3B-Instruct-4bit']);
    assert.equal(kvCacheBytes({ config, contextTokens: 8192, bytesPerElement: 4 }), 2 * 939_524_096);
  });

  it('treats odd token counts as zero and odd options as defaults', () => {
    const config = parseModelConfig(SEED_CONFIGS['mlx-community/Llama-3.2-3B-Instruct-4bit']);
    assert.equal(kvCacheBytes({ config, contextTokens: -5 }), 0);
    assert.equal(kvCacheBytes({ config, contextTokens: Number.NaN }), 0);
    assert.equal(kvCacheBytes({ config, contextTokens: 256, bytesPerElement: 0, allocationStepTokens: -1 }), 256 * 114_688);
  });

  it('is undefined when the config lacks the shapes', () => {
    assert.equal(kvCacheBytes({ config: parseModelConfig({}), contextTokens: 8192 }), undefined);
    assert.equal(kvCacheBytes({ config: parseModelConfig({ num_hidden_layers: 16 }), contextTokens: 8192 }), undefined);
    assert.equal(kvCacheBytes({ config: parseModelConfig('nonsense'), contextTokens: 8192 }), undefined);
  });
});
