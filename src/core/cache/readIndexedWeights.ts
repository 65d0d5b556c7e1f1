import { promises as fs } from 'node:fs';
import { safeRepoRelativePath } from './cachePaths';

/** The index of a sharded safetensors model, as transformers and mlx_lm write it. */
export const WEIGHTS_INDEX = 'model.safetensors.index.json';

/** Real indexes are kilobytes (a few MB for the largest MoE models); anything bigger is not read. */
const MAX_INDEX_BYTES = 16 * 1024 * 1024;

/**
 * The distinct weight files a snapshot's `model.safetensors.index.json` maps tensors to (its `weight_map`
 * values), sorted; undefined when the file is unreadable, too large or not an index. Lets a snapshot
 * without a tree listing be checked for every shard, whatever the shards are named.
 */
export async function readIndexedWeights(indexFile: string): Promise<string[] | undefined> {
  try {
    const stat = await fs.stat(indexFile);
    if (!stat.isFile() || stat.size > MAX_INDEX_BYTES) return undefined;
    const data = JSON.parse(await fs.readFile(indexFile, 'utf8')) as { weight_map?: unknown };
    if (typeof data.weight_map !== 'object' || data.weight_map === null) return undefined;
    const names = new Set<string>();
    for (const value of Object.values(data.weight_map)) {
      if (typeof value !== 'string') continue;
      try {
        names.add(safeRepoRelativePath(value));
      } catch {
        // A name that could not be a file of the snapshot says nothing about what is missing.
      }
    }
    return [...names].sort();
  } catch {
    return undefined;
  }
}
