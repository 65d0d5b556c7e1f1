import { FAILED_STATUSES, type FileCheck, verifyRepo } from '../../core/cache/cacheVerifier';
import { type CachedRepo } from '../../core/cache/cachedRepo';
import { scanRepo } from '../../core/cache/cacheScanner';
import { removeDamagedFiles } from '../../core/cache/removeDamagedFiles';
import { formatBytes } from '../../core/format/formatBytes';
import { parseRepoId } from '../../core/hub/repoId';
import { MLX_ALLOW_PATTERNS, matchesAnyPattern } from '../../core/snapshot/allowPatterns';
import { localModelState, namedSnapshot } from '../../core/snapshot/localModelState';
import { type CliContext } from '../cliContext';
import { CliError } from '../cliError';
import { otherRevisionLabel } from './describeLocalRevision';

/** The snapshot of a corrupted repo to check: the one `revision` (else `main`, else the only one) names. */
function corruptedSnapshotCommit(repo: CachedRepo, revision: string | undefined): string | undefined {
  const sole = revision === undefined && repo.revisions.length === 1 ? repo.revisions[0] : undefined;
  return (namedSnapshot(repo, revision ?? 'main') ?? sole)?.commit;
}

/** Names at most `max` paths, then how many more. */
const nameSome = (paths: string[], max = 5) => (paths.length > max ? `${paths.slice(0, max).join(', ')} and ${paths.length - max} more` : paths.join(', '));

/**
 * `verify <repo> [--revision <rev>]`: re-hashes every file of a downloaded snapshot (sha256 for LFS, git
 * sha1 otherwise), offline. Without a revision, the snapshot `list` calls downloaded (main first).
 * An unfinished snapshot (a download stopped half-way, by us or by huggingface_hub) is checked too, so
 * the missing files are named, and it never passes. Exit 1 when a file is damaged or missing; a copied
 * file whose hash nothing records is reported as not checkable, which alone is not a failure.
 */
export async function verifyCommand(ctx: CliContext, repoArg: string, revision?: string, repair = false): Promise<number> {
  const { id } = parseRepoId(repoArg);
  const repo = await scanRepo(ctx.cacheRoot, id);
  const local = localModelState(repo, revision);
  // A corrupted repo (a blob deleted under a link) is checked too: the per-file report says what is wrong.
  const commit = local.commit ?? (local.state === 'corrupted' && repo ? corruptedSnapshotCommit(repo, revision) : undefined);
  if ((local.state !== 'downloaded' && local.state !== 'partial' && local.state !== 'corrupted') || !commit) {
    throw new CliError(`${id}${revision ? ` at ${revision}` : ''} is not downloaded (state: ${local.state}) in ${ctx.cacheRoot}`);
  }
  const result = await verifyRepo({
    root: ctx.cacheRoot,
    repoId: id,
    commit,
    signal: ctx.io.signal,
    isRequired: (p) => matchesAnyPattern(p, MLX_ALLOW_PATTERNS),
  });
  // Without a tree listing the verifier cannot know what is absent; the completeness check names what it can.
  const checked = new Set(result.files.map((f) => f.path));
  const alsoMissing: FileCheck[] = (local.missing ?? []).filter((m) => !checked.has(m.path)).map((m) => ({ path: m.path, status: 'missing', reason: m.reason }));
  const files = [...result.files, ...alsoMissing];
  for (const file of files) {
    const label = file.status === 'ok' ? 'ok      ' : file.status.toUpperCase().padEnd(8);
    ctx.print(file, `${label} ${file.path}${file.status !== 'ok' && file.reason ? `  (${file.reason})` : ''}`);
  }

  const bad = files.filter((f) => FAILED_STATUSES.includes(f.status));
  const missing = bad.filter((f) => f.status === 'missing').map((f) => f.path);
  const damaged = bad.filter((f) => f.status !== 'missing').map((f) => f.path);
  const complete = local.state === 'downloaded';
  const redo = `download ${id}${revision ? ` --revision ${revision}` : ''}`;
  if (repair && damaged.length > 0) {
    const removed = await removeDamagedFiles({ root: ctx.cacheRoot, repoId: id, commit: result.commit, checks: files });
    ctx.print(
      { repoId: id, commit: result.commit, repaired: removed.paths, removedBlobs: removed.blobs.length, otherRevisionsAffected: removed.otherLinks },
      `removed ${removed.paths.length} damaged ${removed.paths.length === 1 ? 'file' : 'files'} (${nameSome(removed.paths)}) — run \`${redo}\` to fetch ${removed.paths.length === 1 ? 'it' : 'them'} again` +
        (removed.otherLinks.length ? `; other revisions shared the bad bytes and lost them too (${nameSome(removed.otherLinks)}): download those revisions again` : ''),
    );
  }
  const ok = bad.length === 0 && complete;
  const other = otherRevisionLabel(local);
  const at = other ? ` at ${other}` : '';
  ctx.print(
    { repoId: id, revision: local.revision, commit: result.commit, ok, complete, files: files.length, problems: bad.length, missing, damaged, unchecked: result.unchecked, source: result.source },
    summaryLine({ id, at, redo, repaired: repair, total: files.length, missing, damaged, unchecked: result.unchecked, verified: files.filter((f) => f.status === 'ok').length, complete, partialBytes: local.partialBytes }),
  );
  return ok ? 0 : 1;
}

interface Summary {
  readonly id: string;
  readonly at: string;
  /** The command that fetches what is missing. */
  readonly redo: string;
  /** Damaged files were removed (`--repair`): `redo` fetches them too. */
  readonly repaired: boolean;
  readonly total: number;
  readonly missing: string[];
  readonly damaged: string[];
  readonly unchecked: number;
  readonly verified: number;
  readonly complete: boolean;
  readonly partialBytes: number;
}

function summaryLine(s: Summary): string {
  const failed = s.missing.length + s.damaged.length;
  if (failed > 0) {
    const what = [...(s.missing.length ? [`missing: ${nameSome(s.missing)}`] : []), ...(s.damaged.length ? [`damaged: ${nameSome(s.damaged)}`] : [])].join('; ');
    const fix =
      s.damaged.length && !s.repaired
        ? `run \`verify ${s.id} --repair\` to remove the damaged files, then \`${s.redo}\` (\`download\` alone keeps files already in place)`
        : `run \`${s.redo}\` to fetch what is missing`;
    return `${s.id}${s.at}: ${failed} of ${s.total} files failed verification (${what}) — ${fix}`;
  }
  if (!s.complete) {
    const waiting = s.partialBytes ? ` (${formatBytes(s.partialBytes)} wait in partial files)` : '';
    return `${s.id}${s.at}: the files present are intact, but the download is unfinished${waiting} — run \`${s.redo}\` to finish it`;
  }
  if (s.unchecked > 0) {
    return `${s.id}${s.at}: ${s.verified} of ${s.total} files verified; ${s.unchecked} cannot be checked (copied files, and no trees/<commit>.json records their hashes)`;
  }
  return `${s.id}${s.at}: all ${s.total} files verified`;
}
