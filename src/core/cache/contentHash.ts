import { createHash, type Hash } from 'node:crypto';

/**
 * How a cached blob's name relates to its bytes: LFS blobs are named by the SHA-256 of the content,
 * git-stored ones by the git blob SHA-1 (`sha1("blob <size>\0" + bytes)`).
 */
export type HashAlgorithm = 'sha256' | 'git-sha1';

export interface ExpectedHash {
  readonly algorithm: HashAlgorithm;
  /** Lower-case hex digest. */
  readonly hex: string;
}

/** Which algorithm a blob name (etag) implies: 64 hex → sha256, 40 hex → git sha1. */
export function expectedHashFromEtag(etag: string): ExpectedHash | undefined {
  const hex = etag.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return { algorithm: 'sha256', hex };
  if (/^[0-9a-f]{40}$/.test(hex)) return { algorithm: 'git-sha1', hex };
  return undefined;
}

/**
 * An incremental hasher for one blob. The git variant needs the total size up front (it is
 * part of the header), which downloads and verification always know.
 */
export function createContentHasher(algorithm: HashAlgorithm, totalSize: number): Hash {
  if (algorithm === 'sha256') return createHash('sha256');
  const hash = createHash('sha1');
  hash.update(`blob ${totalSize}\0`);
  return hash;
}

/** One-shot digest of an in-memory buffer (tests and small files). */
export function hashBytes(algorithm: HashAlgorithm, bytes: Uint8Array): string {
  return createContentHasher(algorithm, bytes.length).update(bytes).digest('hex');
}
