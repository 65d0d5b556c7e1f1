import assert from 'node:assert/strict';
import { SEED_MODELS } from '../../../../../src/core/catalog/seedModels';
import { machineMemory } from '../../../../../src/core/models/memory/machineMemory';
import { parseModelConfig } from '../../../../../src/core/models/memory/modelConfig';
import { recommendModel, type RecommendationCandidate } from '../../../../../src/core/models/memory/recommendModel';
import { SEED_CONFIGS } from './seedConfigs';

const GIB = 1024 ** 3;
const budget = (gib: number) => machineMemory({ platform: 'darwin', arch: 'arm64', totalBytes: gib * GIB }).budgetBytes;
const candidates: RecommendationCandidate[] = SEED_MODELS.map((m) => ({
  repoId: m.repoId,
  weightsBytes: m.nominalSizeBytes,
  config: parseModelConfig(SEED_CONFIGS[m.repoId]),
  isDefault: m.isDefault,
}));

describe('recommendModel', () => {
  it('8 GB Mac: the default 3B (the 8Bs do not fit; the 1.9 GB Qwen 8-bit ties with it)', () => {
    assert.equal(recommendModel(candidates, budget(8), 8192)?.repoId, 'mlx-community/Llama-3.2-3B-Instruct-4bit');
  });

  it('16 GB and 64 GB Macs: the largest, Llama 3.1 8B (ties with R1 8B, listed first)', () => {
    assert.equal(recommendModel(candidates, budget(16), 8192)?.repoId, 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit');
    assert.equal(recommendModel(candidates, budget(64), 8192)?.repoId, 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit');
  });

  it('leaves out models that would only be tight', () => {
    // 16 GB at 32K context: the 8Bs are tight (81%), the 3B still fits (1.82 + 3.76 + 0.5 = 6.1 GB).
    assert.equal(recommendModel(candidates, budget(16), 32_768)?.repoId, 'mlx-community/Llama-3.2-3B-Instruct-4bit');
  });

  it('prefers the default on a tie regardless of order', () => {
    const reversed = [...candidates].reverse();
    assert.equal(recommendModel(reversed, budget(8), 8192)?.repoId, 'mlx-community/Llama-3.2-3B-Instruct-4bit');
    const a = { repoId: 'a', weightsBytes: 1e9, config: candidates[0]?.config, isDefault: false };
    const b = { repoId: 'b', weightsBytes: 1e9, config: candidates[0]?.config, isDefault: true };
    assert.equal(recommendModel([a, b], budget(16), 1024)?.repoId, 'b');
    assert.equal(recommendModel([b, a], budget(16), 1024)?.repoId, 'b');
  });

  it('returns the caller’s own object', () => {
    const tagged = candidates.map((c) => ({ ...c, label: c.repoId.toUpperCase() }));
    assert.equal(recommendModel(tagged, budget(8), 8192)?.label, 'MLX-COMMUNITY/LLAMA-3.2-3B-INSTRUCT-4BIT');
  });

  it('is undefined when nothing fits comfortably or nothing can be judged', () => {
    assert.equal(recommendModel(candidates, 1e9, 8192), undefined);
    assert.equal(recommendModel([], budget(64), 8192), undefined);
    const withoutConfigs = candidates.map(({ config: _config, ...rest }) => rest);
    assert.equal(recommendModel(withoutConfigs, budget(64), 8192), undefined);
  });
});
