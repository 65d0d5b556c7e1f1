/** A repo file path that cannot be turned into a safe URL (or later, a safe local path). */
export class InvalidRepoPathError extends Error {
  override name = 'InvalidRepoPathError';
  constructor(readonly repoPath: string) {
    super(`"${repoPath}" is not a valid file path inside a Hugging Face repo (empty, ".", ".." or backslash parts are not allowed).`);
  }
}

/**
 * Encodes a repo file path for a URL, one segment at a time so `/` stays a separator and
 * everything else (spaces, `#`, `?`, `%`) is escaped. Dot segments are refused: URL parsers
 * would resolve them and reach another file.
 */
export function encodeRepoPath(repoPath: string): string {
  const segments = repoPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) throw new InvalidRepoPathError(repoPath);
  return segments.map(encodeURIComponent).join('/');
}

/** A revision (branch, tag, commit, `refs/pr/1`) as one URL segment, as the Hub expects. */
export function encodeRevision(revision: string): string {
  return encodeURIComponent(revision);
}
