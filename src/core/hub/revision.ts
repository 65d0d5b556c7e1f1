import { assertRefName, isCommitSha } from '../cache/cachePaths';

/**
 * Checks a revision asked for by the user (a branch, a tag, `refs/pr/N`, or a full commit id) before
 * any request is sent or anything is written, with the very rules the cache writer applies to
 * `refs/<name>` (git's ref-name rules, see `assertRefName`): a revision that passes here is one the
 * download can record when it ends, and one that cannot be turned into another URL path (`..`, `.`,
 * empty) or another file under `refs/`. URLs carry it percent-encoded (`refs%2Fpr%2F1`, as the Hub accepts).
 *
 * Throws `InvalidRefNameError` (its message names the rule broken). Returns the revision unchanged.
 */
export function assertRevision(revision: string): string {
  if (isCommitSha(revision)) return revision;
  return assertRefName(revision);
}
