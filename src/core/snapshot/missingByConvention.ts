import { type CachedRevision } from '../cache/cachedRepo';
import { WEIGHTS_INDEX } from '../cache/readIndexedWeights';
import { type MissingFile } from './missingFile';

/** `model-00002-of-00004.safetensors`: the shard names mlx_lm and transformers write. */
const SHARD = /^model-(\d+)-of-(\d+)\.safetensors$/;
/** What mlx_lm loads as weights (its allow pattern `model*.safetensors`, at the top of the snapshot). */
const WEIGHTS = /^model[^/]*\.safetensors$/;

/**
 * What a snapshot without a tree listing visibly lacks for mlx_lm: `config.json`, any weights file, a
 * shard that `model.safetensors.index.json` names, or a sibling of a `model-XXXXX-of-NNNNN` set. The
 * conservative check for caches written before tree listings existed (huggingface_hub < 2.0, older
 * versions of this product): it cannot see a missing tokenizer file, but an interrupted download almost
 * always lacks its large weight files, which it catches.
 */
export function missingByConvention(revision: CachedRevision): MissingFile[] {
  const present = new Set(revision.files.map((f) => f.path));
  const missing = new Map<string, string>();
  if (!present.has('config.json')) missing.set('config.json', 'not in the snapshot');
  const weights = [...present].filter((p) => WEIGHTS.test(p));
  if (weights.length === 0) missing.set('model*.safetensors', 'no weights file in the snapshot');
  for (const name of revision.indexedWeights ?? []) {
    if (!present.has(name)) missing.set(name, `named by ${WEIGHTS_INDEX}, not in the snapshot`);
  }
  for (const name of weights) {
    const total = SHARD.exec(name)?.[2];
    if (total === undefined) continue;
    for (let i = 1; i <= Number(total); i++) {
      const sibling = `model-${String(i).padStart(total.length, '0')}-of-${total}.safetensors`;
      if (!present.has(sibling) && !missing.has(sibling)) missing.set(sibling, `shard ${i} of ${Number(total)}, not in the snapshot`);
    }
  }
  return [...missing].map(([path, reason]) => ({ path, reason })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
