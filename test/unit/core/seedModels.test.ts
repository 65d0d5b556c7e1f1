import assert from 'node:assert/strict';
import { defaultSeedModel, findSeedModel, MODEL_GROUPS, SEED_MODELS } from '../../../src/core/catalog/seedModels';

describe('seed catalog', () => {
  it('offers the six mlx-community seed models', () => {
    assert.deepEqual(
      SEED_MODELS.map((m) => m.repoId),
      [
        'mlx-community/Llama-3.2-1B-Instruct-4bit',
        'mlx-community/Llama-3.2-3B-Instruct-4bit',
        'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit',
        'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit',
        'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit',
        'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit',
      ],
    );
  });

  it('has exactly one default, Llama 3.2 3B', () => {
    assert.equal(SEED_MODELS.filter((m) => m.isDefault).length, 1);
    assert.equal(defaultSeedModel().repoId, 'mlx-community/Llama-3.2-3B-Instruct-4bit');
  });

  it('groups three regular and three reasoning models, reasoning ones flagged', () => {
    for (const group of MODEL_GROUPS) {
      assert.equal(SEED_MODELS.filter((m) => m.group === group.id).length, 3, group.label);
    }
    assert.ok(SEED_MODELS.filter((m) => m.group === 'reasoning').every((m) => m.reasoning));
  });

  it('finds a model by repo id regardless of case', () => {
    assert.equal(findSeedModel('MLX-COMMUNITY/llama-3.2-1b-instruct-4bit')?.displayName, 'Llama 3.2 1B Instruct 4-bit');
    assert.equal(findSeedModel('nobody/nothing'), undefined);
  });
});
