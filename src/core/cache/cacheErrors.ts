/**
 * Typed errors of the Hugging Face cache module. Each message tells the user what is wrong and
 * what to do about it, because these surface in notifications and in the CLI as they are.
 */

/** A Hub file path that could land outside the snapshot folder if it were joined onto it. */
export class UnsafeRepoPathError extends Error {
  constructor(
    readonly repoPath: string,
    readonly reason: string,
  ) {
    super(
      `The repository lists a file named ${JSON.stringify(repoPath)}, which is not a safe relative path (${reason}). ` +
        'Nothing was written. Ask the repository owner to rename the file, or download a different revision.',
    );
    this.name = 'UnsafeRepoPathError';
  }
}

/** A commit id that is not the 40 lower-case hex digits the cache folders are named with. */
export class InvalidCommitShaError extends Error {
  constructor(readonly commit: string) {
    super(`${JSON.stringify(commit)} is not a full commit id (40 lower-case hex digits). Resolve the branch or tag to its commit on the Hub first.`);
    this.name = 'InvalidCommitShaError';
  }
}

/** A branch/tag name that git (and therefore the Hub) would refuse, or that would escape `refs/`. */
export class InvalidRefNameError extends Error {
  constructor(
    readonly ref: string,
    reason: string,
  ) {
    super(`${JSON.stringify(ref)} is not a valid branch or tag name (${reason}). Use a name such as "main" or "refs/pr/1".`);
    this.name = 'InvalidRefNameError';
  }
}

/** A blob name that is neither a git sha1 nor a sha256: it would not match what the Python tools write. */
export class InvalidEtagError extends Error {
  constructor(readonly etag: string) {
    super(
      `${JSON.stringify(etag)} is not a Hub file hash (40 or 64 lower-case hex digits). ` +
        'The server did not answer like the Hugging Face Hub; check the endpoint setting (HF_ENDPOINT).',
    );
    this.name = 'InvalidEtagError';
  }
}

/** The blob a snapshot file should point at is not in the cache (never create a dangling link). */
export class BlobMissingError extends Error {
  constructor(
    readonly blobPath: string,
    readonly etag: string,
  ) {
    super(`The downloaded file ${etag} is missing from the cache (${blobPath}). Download the model again.`);
    this.name = 'BlobMissingError';
  }
}

/** A ref would point at a snapshot folder that does not exist (Python then reports the repo as corrupted). */
export class SnapshotMissingError extends Error {
  constructor(
    readonly snapshotPath: string,
    readonly commit: string,
  ) {
    super(`Revision ${commit} is not in the cache (${snapshotPath} does not exist). Download it before pointing a branch at it.`);
    this.name = 'SnapshotMissingError';
  }
}

/** A path the cache code was about to write or delete resolved outside the cache folder. */
export class OutsideCacheError extends Error {
  constructor(
    readonly target: string,
    readonly root: string,
  ) {
    super(
      `Refusing to touch ${target}: it lies outside the Hugging Face cache at ${root} (a folder inside the cache is probably a symbolic link). ` +
        'Check the cache folder by hand before trying again.',
    );
    this.name = 'OutsideCacheError';
  }
}

/** The revision asked for is not in the cache. */
export class RevisionNotCachedError extends Error {
  constructor(
    readonly repoId: string,
    readonly revision: string,
  ) {
    super(`${repoId} at ${revision} is not in the Hugging Face cache. Download the model first.`);
    this.name = 'RevisionNotCachedError';
  }
}
