import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RepoCachePaths, SIDECAR_SUFFIX } from '../cache/cachePaths';
import { removeStaleLocks, tryAcquireBlobLock } from './blobLock';

/**
 * Temp names our writers use: `.<name>.<8 hex>.tmp` for links, `<name>.<8 hex>.tmp` for refs, copies
 * (cache writer) and tree listings, `<etag>.incomplete.json.<pid>.tmp` for transfer sidecars.
 */
const WRITER_TEMP = /(\.[0-9a-f]{8}|\.incomplete\.json\.\d+)\.tmp$/;

/**
 * After a complete download, removes what killed earlier runs left behind: temp links and refs from an
 * interrupted atomic rename (Python would count a temp link in a snapshot as a file), our dead locks,
 * and our partial downloads (with their sidecars) of blobs that are now complete, e.g. finished by
 * another tool meanwhile; also sidecars whose partial is gone (Python's `hf cache prune` removes
 * `*.incomplete` but not our `.incomplete.json`). Only names our own writers make are touched, and
 * never a partial a live download holds the lock of. Python's `<etag>.<8 hex>.incomplete` files are
 * left alone: they may belong to a running Python download.
 */
export async function removeLeftovers(paths: RepoCachePaths, commit: string): Promise<void> {
  await removeStaleLocks(paths.locksDir);
  await removeSettledPartials(paths);
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

/** A partial written to within this time may belong to a running download (see removeSettledPartials). */
const RECENT_WRITE_MS = 60_000;

/** Our `<etag>.incomplete` (and sidecar) whose blob is complete, and sidecars without a partial. */
async function removeSettledPartials(paths: RepoCachePaths): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(paths.blobsDir);
  } catch {
    return;
  }
  const present = new Set(names);
  const etags = new Set(names.filter((n) => n.endsWith(SIDECAR_SUFFIX) || n.endsWith('.incomplete')).map((n) => n.replace(/\.incomplete(\.json)?$/, '')));
  for (const etag of etags) {
    // Python's own partials (`<etag>.<8 hex>.incomplete`) end up here as "<etag>.<8 hex>": not ours.
    if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(etag)) continue;
    const partial = `${etag}.incomplete`;
    const blobComplete = present.has(etag) && (await fs.stat(paths.blob(etag)).then((s) => s.isFile(), () => false));
    if (!blobComplete && present.has(partial)) continue; // a resumable partial: keep it
    // Python <= 1.17 writes this same name under a flock we cannot see: a partial written to lately may
    // still be open in such a download (which renames it over the blob at its end).
    const modified = await fs.stat(path.join(paths.blobsDir, partial)).then((s) => s.mtimeMs, () => 0);
    if (Date.now() - modified < RECENT_WRITE_MS) continue;
    const lock = await tryAcquireBlobLock(paths.lock(etag));
    if (!lock) continue; // a live download holds it
    try {
      await fs.rm(path.join(paths.blobsDir, partial), { force: true });
      await fs.rm(path.join(paths.blobsDir, `${etag}${SIDECAR_SUFFIX}`), { force: true });
    } finally {
      await lock.release();
    }
  }
}
