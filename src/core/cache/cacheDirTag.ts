import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The `CACHEDIR.TAG` huggingface_hub writes at the cache root (`_local_folder.py`,
 * `CACHEDIR_TAG_CONTENT`) so backup tools skip the cache. Same bytes, so whichever tool writes first,
 * the other finds the tag it expects.
 */
export const CACHEDIR_TAG_CONTENT =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by huggingface_hub.\n' +
  '# For information about cache directory tags, see:\n' +
  '#\thttps://bford.info/cachedir/\n';

/** Writes `<root>/CACHEDIR.TAG` unless present; best effort, like Python (a read-only cache is fine). */
export async function ensureCacheDirTag(root: string): Promise<void> {
  try {
    await fs.writeFile(path.join(root, 'CACHEDIR.TAG'), CACHEDIR_TAG_CONTENT, { flag: 'wx' });
  } catch {
    // Exists already, or the cache is read-only: neither blocks caching.
  }
}
