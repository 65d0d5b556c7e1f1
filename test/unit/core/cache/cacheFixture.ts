import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashBytes } from '../../../../src/core/cache/contentHash';

/** A fresh folder under the OS temp dir; `cleanup` removes it. */
export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mlxmm-cache-'));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

export const COMMIT_A = 'a'.repeat(40);
export const COMMIT_B = 'b'.repeat(40);

/** A file as the Hub serves it: small files are named by git sha1, large (LFS) ones by sha256. */
export function blobOf(content: string | Buffer, lfs = false): { bytes: Buffer; etag: string } {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { bytes, etag: hashBytes(lfs ? 'sha256' : 'git-sha1', bytes) };
}

/**
 * Writes a repo the way huggingface_hub's own code leaves it, with plain fs calls (independent of the
 * writer under test): blobs, relative symlinks from snapshots, refs without newline.
 */
export async function writePythonStyleRepo(
  root: string,
  folder: string,
  revisions: Record<string, Record<string, { bytes: Buffer; etag: string }>>,
  refs: Record<string, string>,
): Promise<string> {
  const repoDir = path.join(root, folder);
  await fs.mkdir(path.join(repoDir, 'blobs'), { recursive: true });
  for (const [commit, files] of Object.entries(revisions)) {
    for (const [repoPath, blob] of Object.entries(files)) {
      const blobPath = path.join(repoDir, 'blobs', blob.etag);
      await fs.writeFile(blobPath, blob.bytes);
      const link = path.join(repoDir, 'snapshots', commit, ...repoPath.split('/'));
      await fs.mkdir(path.dirname(link), { recursive: true });
      await fs.symlink(path.relative(path.dirname(link), blobPath), link);
    }
  }
  for (const [ref, commit] of Object.entries(refs)) {
    const refPath = path.join(repoDir, 'refs', ...ref.split('/'));
    await fs.mkdir(path.dirname(refPath), { recursive: true });
    await fs.writeFile(refPath, commit);
  }
  return repoDir;
}

/** Every entry under `dir`, relative, with `-> target` for symlinks: a snapshot of a tree to compare. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (folder: string) => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(folder, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      if (entry.isSymbolicLink()) out.push(`${rel} -> ${await fs.readlink(full)}`);
      else if (entry.isDirectory()) {
        out.push(`${rel}/`);
        await visit(full);
      } else out.push(rel);
    }
  };
  await visit(dir);
  return out.sort();
}

/**
 * Writes `trees/<commit>.json` as huggingface_hub 2.0's `snapshot_download` does, with plain JSON (independent
 * of our writer): every file of `files` (blob ids made up for LFS files, whose git oid is their pointer's).
 */
export async function writeLibraryTreeListing(repoDir: string, commit: string, files: Record<string, { bytes: Buffer; etag: string }>): Promise<string> {
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [repoPath, blob] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const size = blob.bytes.length;
    entries[repoPath] =
      blob.etag.length === 64 ? { size, blob_id: hashBytes('git-sha1', Buffer.from(`pointer ${blob.etag}`)), lfs_sha256: blob.etag, lfs_size: size } : { size, blob_id: blob.etag };
  }
  const file = path.join(repoDir, 'trees', `${commit}.json`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ format_version: 1, files: entries }, null, 1));
  return file;
}
