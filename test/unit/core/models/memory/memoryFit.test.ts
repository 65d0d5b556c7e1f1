import assert from 'node:assert/strict';
import { SEED_MODELS } from '../../../../../src/core/catalog/seedModels';
import { machineMemory } from '../../../../../src/core/models/memory/machineMemory';
import { assessMemoryFit, DEFAULT_OVERHEAD_BYTES, type MemoryVerdict } from '../../../../../src/core/models/memory/memoryFit';
import { parseModelConfig } from '../../../../../src/core/models/memory/modelConfig';
import { SEED_CONFIGS } from './seedConfigs';

const GIB = 1024 ** 3;
const budget = (gib: number) => machineMemory({ platform: 'darwin', arch: 'arm64', totalBytes: gib * GIB }).budgetBytes;
const seed = (repoId: string) => {
  const model = SEED_MODELS.find((m) => m.repoId === repoId);
  if (!model) throw new Error(repoId);
  return { weightsBytes: model.nominalSizeBytes, config: parseModelConfig(SEED_CONFIGS[repoId]) };
};
const verdict = (repoId: string, gib: number, contextTokens: number): MemoryVerdict => assessMemoryFit({ ...seed(repoId), contextTokens, budgetBytes: budget(gib) }).verdict;

const L1B = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const L3B = 'mlx-community/Llama-3.2-3B-Instruct-4bit';
const L8B = 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit';
const Q4 = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
const Q8 = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit';
const R8B = 'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit';

describe('assessMemoryFit', () => {
  it('adds weights, context cache and runtime, with the numbers behind them', () => {
    const fit = assessMemoryFit({ ...seed(L3B), contextTokens: 8192, budgetBytes: budget(16) });
    assert.equal(fit.verdict, 'fits');
    assert.equal(fit.weightsBytes, 1.82e9);
    assert.equal(fit.kvCacheBytes, 939_524_096);
    assert.equal(fit.overheadBytes, DEFAULT_OVERHEAD_BYTES);
    assert.equal(fit.neededBytes, 1.82e9 + 939_524_096 + 500_000_000);
    assert.equal(fit.budgetBytes, Math.floor((16 * GIB * 2) / 3));
    assert.equal(fit.headroomBytes, fit.budgetBytes - fit.neededBytes);
    assert.equal(fit.contextTokens, 8192);
    assert.equal(fit.explanation, 'Needs about 3.3 GB (1.8 GB weights + 940 MB context cache at 8,192 tokens + 500 MB runtime) of the 11.5 GB this Mac can give the GPU.');
  });

  describe('8 GB Mac (budget ≈ 5.7 GB)', () => {
    it('fits the small models at 8K context', () => {
      for (const id of [L1B, L3B, Q4, Q8]) assert.equal(verdict(id, 8, 8192), 'fits', id);
    });
    it('cannot hold the 8B models', () => {
      // 4.53 GB + 1.07 GB cache + 0.5 GB = 6.1 GB > 5.73 GB
      assert.equal(verdict(L8B, 8, 8192), 'too-big');
      assert.equal(verdict(R8B, 8, 8192), 'too-big');
    });
    it('gets tight for the 3B at a long context, then too big', () => {
      assert.equal(verdict(L3B, 8, 16_384), 'fits'); // 4.2 GB, 73%
      assert.equal(verdict(L3B, 8, 24_576), 'tight'); // 5.1 GB, 90%
      assert.equal(verdict(L3B, 8, 32_768), 'too-big'); // 6.1 GB
    });
    it('explains a model that is too big', () => {
      const fit = assessMemoryFit({ ...seed(L8B), contextTokens: 8192, budgetBytes: budget(8) });
      assert.equal(fit.explanation, 'Needs about 6.1 GB (4.5 GB weights + 1.1 GB context cache at 8,192 tokens + 500 MB runtime) but this Mac can give the GPU only 5.7 GB, so it will not fit; choose a smaller model or a shorter context.');
      assert.ok(fit.headroomBytes < 0);
    });
  });

  describe('16 GB Mac (budget ≈ 11.5 GB)', () => {
    it('fits every seed model at 8K context', () => {
      for (const id of Object.keys(SEED_CONFIGS)) assert.equal(verdict(id, 16, 8192), 'fits', id);
    });
    it('is tight for an 8B at 32K and too big at 64K', () => {
      assert.equal(verdict(L8B, 16, 32_768), 'tight'); // 4.53 + 4.29 + 0.5 = 9.3 GB, 81%
      assert.equal(verdict(L8B, 16, 65_536), 'too-big'); // 13.6 GB
    });
    it('words the tight case', () => {
      const fit = assessMemoryFit({ ...seed(L8B), contextTokens: 32_768, budgetBytes: budget(16) });
      assert.match(fit.explanation, /^Needs about 9\.3 GB \(4\.5 GB weights \+ 4\.3 GB context cache at 32,768 tokens \+ 500 MB runtime\) of the 11\.5 GB this Mac can give the GPU, which is tight: /);
    });
  });

  describe('64 GB Mac (budget ≈ 51.5 GB)', () => {
    it('fits every seed model, even an 8B at its full 131,072-token context', () => {
      for (const id of Object.keys(SEED_CONFIGS)) assert.equal(verdict(id, 64, 8192), 'fits', id);
      assert.equal(verdict(L8B, 64, 131_072), 'fits'); // 4.53 + 17.2 + 0.5 = 22.2 GB, 43%
    });
  });

  it('puts the tight threshold at 80% of the budget', () => {
    const config = parseModelConfig(SEED_CONFIGS[L1B]);
    const at = (weightsBytes: number) => assessMemoryFit({ weightsBytes, config, contextTokens: 0, budgetBytes: 10e9, overheadBytes: 0 }).verdict;
    assert.equal(at(8e9), 'fits');
    assert.equal(at(8e9 + 1), 'tight');
    assert.equal(at(10e9), 'tight');
    assert.equal(at(10e9 + 1), 'too-big');
  });

  it('takes a custom overhead and words a RAM-share budget', () => {
    const fit = assessMemoryFit({ ...seed(L1B), contextTokens: 8192, budgetBytes: 24e9, overheadBytes: 0, budgetSource: 'ram-fraction' });
    assert.equal(fit.neededBytes, 0.71e9 + 268_435_456);
    assert.equal(fit.explanation, 'Needs about 978 MB (710 MB weights + 268 MB context cache at 8,192 tokens + 0 B runtime) of the 24 GB budgeted for models on this machine.');
  });

  describe('missing facts', () => {
    it('without a config: unknown when weights fit, since the cache could still overflow', () => {
      const fit = assessMemoryFit({ weightsBytes: 1.82e9, contextTokens: 8192, budgetBytes: budget(16) });
      assert.equal(fit.verdict, 'unknown');
      assert.equal(fit.kvCacheBytes, undefined);
      assert.equal(fit.neededBytes, 2.32e9);
      assert.equal(fit.explanation, "Needs at least 2.3 GB (1.8 GB weights + 500 MB runtime) of the 11.5 GB this Mac can give the GPU; the context cache size is unknown because the model's config.json has not been read.");
      assert.match(assessMemoryFit({ weightsBytes: 1.82e9, config: parseModelConfig({}), contextTokens: 8192, budgetBytes: budget(16) }).explanation, /config\.json lacks the attention sizes\.$/);
    });

    it('without a usable config: too-big when the weights alone overflow', () => {
      const fit = assessMemoryFit({ weightsBytes: 6e9, config: parseModelConfig({}), contextTokens: 8192, budgetBytes: budget(8) });
      assert.equal(fit.verdict, 'too-big');
      assert.match(fit.explanation, /^Needs more than 6\.5 GB/);
    });

    it('unknown weights or budget give unknown, never a throw', () => {
      for (const weightsBytes of [0, -1, Number.NaN]) {
        const fit = assessMemoryFit({ weightsBytes, config: parseModelConfig(SEED_CONFIGS[L1B]), contextTokens: 8192, budgetBytes: budget(16) });
        assert.equal(fit.verdict, 'unknown');
        assert.match(fit.explanation, /download size is not known/);
      }
      assert.equal(assessMemoryFit({ weightsBytes: 1e9, contextTokens: 8192, budgetBytes: Number.NaN }).verdict, 'unknown');
    });

    it('treats an odd context length as zero tokens', () => {
      const fit = assessMemoryFit({ ...seed(L1B), contextTokens: -100, budgetBytes: budget(16) });
      assert.equal(fit.contextTokens, 0);
      assert.equal(fit.kvCacheBytes, 0);
    });
  });
});
