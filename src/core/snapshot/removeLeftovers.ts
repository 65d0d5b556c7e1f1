import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RepoCachePaths } from '../cache/cachePaths';
import { removeStaleLocks } from './blobLock';

/**
 * Temp names our writers use: `.<name>.<8 hex>.tmp` for links, `<name>.<8 hex>.tmp` for refs, copies
 * (cache writer) and tree listings, `<etag>.incomplete.json.<pid>.tmp` for transfer sidecars.
 */
const WRITER_TEMP = /(\.[0-9a-f]{8}|\.incomplete\.json\.\d+)\.tmp$/;

/**
 * After a complete download, removes what killed earlier runs left behind: temp links and refs from an
 * interrupted atomic rename (Python would count a temp link in a snapshot as a file) and our dead locks.
 * Only names the writer itself makes are touched.
 */
export async function removeLeftovers(paths: RepoCachePaths, commit: string): Promise<void> {
  await removeStaleLocks(paths.locksDir);
  for (const dir of [paths.snapshotDir(commit), paths.refsDir, paths.blobsDir, paths.treesDir]) {
    let entries: string[];
    try {
      entries = (await fs.readdir(dir, { recursive: true })).map(String);
    } catch {
      continue;
    }
    for (const entry of entries.filter((e) => WRITER_TEMP.test(e))) await fs.rm(path.join(dir, entry), { force: true });
  }
}
