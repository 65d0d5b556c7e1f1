import { InvalidHubResponseError } from './modelInfo';
import type { RepoFile } from './repoFile';

/**
 * One file entry of the tree API as a RepoFile; directories give undefined. Anything that could
 * later name a blob or a path on disk is checked here.
 */
export function parseTreeEntry(value: unknown, url: string): RepoFile | undefined {
  if (!value || typeof value !== 'object') throw new InvalidHubResponseError(url, 'a tree entry is not an object');
  const entry = value as Record<string, unknown>;
  if (entry.type !== 'file') return undefined;
  const { path, size, oid } = entry;
  if (typeof path !== 'string' || !path || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || typeof oid !== 'string' || !/^[0-9a-f]{40}$/i.test(oid)) {
    throw new InvalidHubResponseError(url, `a tree entry has no valid path, size or oid (${JSON.stringify(path)})`);
  }
  // Never used to name or check a blob, only written into trees/<commit>.json as the Hub gave it.
  const xet = typeof entry.xetHash === 'string' ? { xetHash: entry.xetHash } : {};
  const lfs = entry.lfs as Record<string, unknown> | undefined;
  if (lfs) {
    if (typeof lfs.oid !== 'string' || !/^[0-9a-f]{64}$/i.test(lfs.oid) || typeof lfs.size !== 'number') {
      throw new InvalidHubResponseError(url, `the LFS entry of ${path} has no valid sha256`);
    }
    return { path, size, oid: oid.toLowerCase(), lfs: { sha256: lfs.oid.toLowerCase(), size: lfs.size }, ...xet };
  }
  return { path, size, oid: oid.toLowerCase(), ...xet };
}
