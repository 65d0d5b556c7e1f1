import { formatBytes } from '../../core/format/formatBytes';
import { formatDuration } from '../../core/format/formatDuration';
import { type DownloadEvent } from '../../core/snapshot/downloadEvents';
import { downloadModel } from '../../core/snapshot/downloadModel';
import { type CliContext } from '../cliContext';
import { ProgressLine } from '../progressLine';
import { terminalColumns } from '../terminalColumns';

export interface DownloadCommandOptions {
  readonly repoId: string;
  readonly revision: string;
  readonly connections?: number;
  readonly parallelFiles?: number;
  /** `--sync`: flush every file to the disk before it is placed in the cache. */
  readonly syncToDisk?: boolean;
}

/**
 * `download <repo>`: fetches what mlx_lm needs into the cache. On a terminal a live bar on stderr; with
 * --json one event per line on stdout. Ctrl-C stops within a second and the next run resumes.
 */
export async function downloadCommand(ctx: CliContext, options: DownloadCommandOptions): Promise<number> {
  const columns = ctx.io.columns ?? (() => terminalColumns(process.stderr, ctx.io.env));
  const bar = ctx.io.isTTY && !ctx.options.json ? new ProgressLine({ write: ctx.io.stderr, name: options.repoId, columns }) : undefined;
  let seconds: number | undefined;
  const offline = ctx.hubConfig.offline;
  const onEvent = (event: DownloadEvent) => {
    // 'done' is the last event: anything later (a late progress event) would draw a bar under the summary.
    if (seconds !== undefined) return;
    if (event.type === 'done') seconds = event.seconds;
    if (ctx.options.json) {
      // Offline, a download that succeeds is the cached snapshot (nothing else can be).
      const line =
        event.type === 'plan'
          ? { ...event, files: event.files.map(({ path, size, state, partialBytes }) => ({ path, size, state, partialBytes })) }
          : event.type === 'done' && offline
            ? { ...event, offline: true }
            : event;
      ctx.io.stdout(JSON.stringify(line) + '\n');
      return;
    }
    if (event.type === 'plan') {
      const resumed = event.files.reduce((n, f) => n + f.partialBytes, 0);
      ctx.io.stderr(
        `${event.repoId} @ ${event.commit.slice(0, 8)}: ${event.files.length} files, ${formatBytes(event.totalBytes)}` +
          (event.remainingBytes < event.totalBytes ? ` (${formatBytes(event.remainingBytes)} to fetch${resumed ? `, resuming ${formatBytes(resumed)}` : ''})` : '') +
          '\n',
      );
    } else if (event.type === 'waiting-for-lock') {
      bar?.clear();
      const who = event.holderPid === -1 ? 'a process on another machine' : `another process (pid ${event.holderPid})`;
      // Named, in case it is a leftover: a lock nobody refreshes is taken over after a minute anyway.
      ctx.io.stderr(`waiting: ${who} is downloading ${event.path} (lock: ${event.lockFile})\n`);
    } else if (event.type === 'progress') {
      bar?.update(event);
    }
  };
  try {
    const result = await downloadModel({
      hub: ctx.hub,
      cacheRoot: ctx.cacheRoot,
      repoId: options.repoId,
      revision: options.revision,
      dispatcher: ctx.dispatcher,
      token: ctx.hubConfig.token,
      connectionsPerFile: options.connections,
      parallelFiles: options.parallelFiles,
      syncToDisk: options.syncToDisk,
      signal: ctx.io.signal,
      onEvent,
      logger: ctx.io.logger,
    });
    bar?.clear();
    if (!ctx.options.json) {
      ctx.io.stdout(
        result.offline
          ? `${result.repoId} already downloaded (offline): 0 B fetched, the Hub was not checked for a newer commit → ${result.snapshotPath}\n`
          : `downloaded ${result.repoId} (${formatBytes(result.bytesDownloaded)} fetched in ${formatDuration(seconds ?? 0)}) → ${result.snapshotPath}\n`,
      );
    }
    return 0;
  } catch (error) {
    bar?.clear();
    throw error;
  }
}
