import assert from 'node:assert/strict';
import { SEED_MODELS } from '../../../../../src/core/catalog/seedModels';
import { MemoryAdvisor } from '../../../../../src/core/models/memory/memoryAdvisor';
import { type ModelEntry } from '../../../../../src/core/models/modelEntry';
import { SEED_CONFIGS } from './seedConfigs';

const GB = 1e9;

function entries(): ModelEntry[] {
  return SEED_MODELS.map((seed) => ({
    repoId: seed.repoId,
    displayName: seed.displayName,
    sources: ['seed'],
    section: seed.group,
    seed,
    status: { kind: 'not-downloaded' },
    sizeOnDisk: 0,
    downloadSizeBytes: seed.nominalSizeBytes,
    selected: seed.isDefault,
  }));
}

describe('MemoryAdvisor', () => {
  function advisor(budgetGb: number, reads: string[] = [], offline = false) {
    return new MemoryAdvisor({
      readConfig: async (entry) => {
        reads.push(entry.repoId);
        if (offline) throw new Error('offline');
        return JSON.stringify(SEED_CONFIGS[entry.repoId]);
      },
      contextTokens: () => 8192,
      machine: () => ({ totalBytes: budgetGb * 1.5 * GB, budgetBytes: budgetGb * GB, fraction: 2 / 3, source: 'metal-estimate' }),
    });
  }

  it('reads each config once, even when asked concurrently, and announces it', async () => {
    const reads: string[] = [];
    const a = advisor(10, reads);
    let changes = 0;
    a.onDidChange(() => changes++);
    const list = entries();
    await Promise.all([a.ensureConfig(list[1]!), a.ensureConfig(list[1]!)]);
    await a.ensureConfig(list[1]!);
    assert.deepEqual(reads, [list[1]!.repoId]);
    assert.equal(changes, 1);
    assert.equal(a.fitFor(list[1]!)?.verdict, 'fits');
  });

  it('recommends only once the seed configs are known, and the largest model that fits', async () => {
    const list = entries();
    const small = advisor(5.3);
    assert.equal(small.recommended(list), undefined, 'nothing is known yet');
    await small.loadSeedConfigs(list);
    assert.equal(small.recommended(list), 'mlx-community/Llama-3.2-3B-Instruct-4bit');
    const big = advisor(40);
    await big.loadSeedConfigs(list);
    assert.equal(big.recommended(list), 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit');
    assert.equal(big.fitFor(list[2]!)?.verdict, 'fits');
    assert.equal(small.fitFor(list[2]!)?.verdict, 'too-big');
  });

  it('stays quiet and unknown when configs cannot be read', async () => {
    const a = advisor(10, [], true);
    const list = entries();
    assert.equal(await a.ensureConfig(list[0]!), undefined);
    assert.equal(a.recommended(list), undefined);
    assert.notEqual(a.fitFor(list[0]!)?.verdict, 'fits');
  });
});
