import { type CachedRevision } from '../cache/cachedRepo';

/** `model-00002-of-00004.safetensors`: the shard names mlx_lm and transformers write. */
const SHARD = /^model-(\d+)-of-(\d+)\.safetensors$/;

/**
 * Whether a snapshot that no ref names holds what mlx_lm loads: `config.json`, weights, and every
 * shard of a `model-XXXXX-of-NNNNN` set. A download by commit id writes no ref (as huggingface_hub
 * does), so this is all the cache can tell without asking the Hub; an interrupted download of a
 * branch also leaves a ref-less snapshot, and usually lacks its large weight files, which this catches.
 */
export function snapshotLooksComplete(revision: CachedRevision): boolean {
  const paths = new Set(revision.files.map((f) => f.path));
  if (!paths.has('config.json')) return false;
  const weights = [...paths].filter((p) => /^model[^/]*\.safetensors$/.test(p));
  if (weights.length === 0) return false;
  for (const name of weights) {
    const shard = SHARD.exec(name);
    if (!shard) continue;
    const [, , total] = shard;
    for (let i = 1; i <= Number(total); i++) {
      if (!paths.has(`model-${String(i).padStart(total!.length, '0')}-of-${total}.safetensors`)) return false;
    }
  }
  return true;
}
