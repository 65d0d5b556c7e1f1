/** One file of a repo revision, as the Hub's tree API describes it. */
export interface RepoFile {
  /** Path inside the repo, `/`-separated (validated before it becomes a local path). */
  readonly path: string;
  readonly size: number;
  /** Git blob SHA-1 (40 hex): the etag and blob name of a non-LFS file. */
  readonly oid: string;
  /** Present for LFS files: `sha256` of the content (64 hex) is the etag and blob name. */
  readonly lfs?: { readonly sha256: string; readonly size: number };
  /** The Hub's Xet content hash, when the file is stored with Xet; kept only to record it in `trees/<commit>.json`. */
  readonly xetHash?: string;
}

/** The name of the file's blob in the cache, which is also its expected content hash. */
export function blobEtag(file: RepoFile): string {
  return file.lfs ? file.lfs.sha256 : file.oid;
}
