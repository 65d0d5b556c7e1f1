import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { REPO_TYPES } from './cachePaths';

/**
 * huggingface_hub 2.0's cache-wide store of shared blobs (`utils/_shared_blobs.py`): a file downloaded
 * through Xet may live once at `<cache>/blobs/<2 hex>/<64 hex>`, with each repo's `blobs/<etag>` a
 * relative symlink to it, and `<64 hex>.refs` beside it listing those symlinks (`models--org--name/blobs/<etag>`,
 * one per line). The store counts only when `<cache>/blobs/.huggingface-shared-blobs` is a regular file
 * holding the layout version (`1`).
 *
 * We never publish into the store (we do not speak Xet), but deleting a repo must free the payloads
 * nothing else uses any more, as the library's `delete_revisions` does, and the cache total must count
 * each payload once. The manifest is a hint: a listed path counts only while it is still a symlink to
 * the payload, and a missing or unreadable manifest means "keep" (the library leaks rather than risk
 * deleting used content; so do we).
 *
 * The library takes a flock on `<64 hex>.lock` around publishing and sweeping; Node cannot take flock,
 * so a sweep here re-reads the manifest right before removing the payload: a reference the library
 * added in between keeps it.
 */
const MARKER = '.huggingface-shared-blobs';
/** Layout version 1, the only one the library knows. */
const MARKER_CONTENT = '1\n';
const HASH = /^[0-9a-f]{64}$/;
const PREFIX = /^[0-9a-f]{2}$/;
/** `<type>s--…`, for every repo type the cache knows. */
const REPO_DIR = new RegExp(`^(?:${REPO_TYPES.map((t) => `${t}s`).join('|')})--.+$`);

export function sharedStoreDir(root: string): string {
  return path.join(root, 'blobs');
}

/** Whether `<root>/blobs` is a shared store the library owns: its marker file holds the layout version we know. */
export async function isSharedStore(root: string): Promise<boolean> {
  const markerPath = path.join(sharedStoreDir(root), MARKER);
  const [dir, marker] = await Promise.all([fs.lstat(sharedStoreDir(root)).catch(() => undefined), fs.lstat(markerPath).catch(() => undefined)]);
  if (!dir?.isDirectory() || !marker?.isFile()) return false;
  return (await fs.readFile(markerPath, 'utf8').catch(() => '')) === MARKER_CONTENT;
}

/** The store payload a repo blob (`<root>/<repo>/blobs/<etag>`) is a symlink to, if it is one. */
export async function sharedStoreTarget(root: string, repoBlob: string): Promise<string | undefined> {
  const target = await fs.readlink(repoBlob).catch(() => undefined);
  if (target === undefined) return undefined;
  const resolved = path.resolve(path.dirname(repoBlob), target);
  const relative = path.relative(sharedStoreDir(path.resolve(root)), resolved).split(path.sep);
  if (relative.length !== 2 || !PREFIX.test(relative[0]!) || !HASH.test(relative[1]!) || !relative[1]!.startsWith(relative[0]!)) return undefined;
  const stat = await fs.lstat(resolved).catch(() => undefined);
  return stat?.isFile() ? resolved : undefined;
}

/** Every payload in the store, with its size (none when `root` has no marked store). */
export async function sharedStorePayloads(root: string): Promise<Map<string, number>> {
  const payloads = new Map<string, number>();
  if (!(await isSharedStore(root))) return payloads;
  const store = sharedStoreDir(path.resolve(root));
  for (const prefix of await fs.readdir(store).catch(() => [] as string[])) {
    if (!PREFIX.test(prefix)) continue;
    for (const name of await fs.readdir(path.join(store, prefix)).catch(() => [] as string[])) {
      if (!HASH.test(name) || !name.startsWith(prefix)) continue;
      const stat = await fs.lstat(path.join(store, prefix, name)).catch(() => undefined);
      if (stat?.isFile()) payloads.set(path.join(store, prefix, name), stat.size);
    }
  }
  return payloads;
}

/**
 * After repo blobs linking to `payload` were removed: removes the payload (and its manifest) when no
 * listed reference still links to it, else rewrites the manifest with the live ones. Returns the bytes freed.
 */
export async function sweepSharedPayload(root: string, payload: string): Promise<number> {
  const absRoot = path.resolve(root);
  if (!(await isSharedStore(absRoot))) return 0;
  const manifest = `${payload}.refs`;
  const live = await liveReferences(absRoot, payload, manifest);
  if (live === undefined) return 0;
  if (live.length > 0) {
    const temp = `${manifest}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(temp, live.map((ref) => `${ref}\n`).join(''), { mode: 0o666 });
    await fs.rename(temp, manifest);
    return 0;
  }
  const stat = await fs.lstat(payload).catch(() => undefined);
  if (!stat?.isFile()) return 0;
  // Last look: a reference published since the first read keeps the payload.
  if ((await liveReferences(absRoot, payload, manifest))?.length !== 0) return 0;
  await fs.rm(payload, { force: true });
  await fs.rm(manifest, { force: true });
  return stat.size;
}

/** Manifest lines that are still symlinks to `payload`; undefined when the manifest cannot be read. */
async function liveReferences(root: string, payload: string, manifest: string): Promise<string[] | undefined> {
  const stat = await fs.lstat(manifest).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  let text: string;
  try {
    text = await fs.readFile(manifest, 'utf8');
  } catch {
    return undefined;
  }
  const live: string[] = [];
  for (const line of new Set(text.split(/\r?\n/).filter(Boolean))) {
    const parts = line.split('/');
    if (parts.length !== 3 || !REPO_DIR.test(parts[0]!) || parts[1] !== 'blobs' || !parts[2] || parts.includes('..') || path.isAbsolute(line)) continue;
    if ((await sharedStoreTarget(root, path.join(root, ...parts))) === payload) live.push(line);
  }
  return live.sort();
}
