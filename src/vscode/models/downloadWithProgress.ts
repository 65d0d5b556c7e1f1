import * as vscode from 'vscode';
import { formatProgress } from '../../core/format/formatProgress';
import { type DownloadEvent } from '../../core/snapshot/downloadEvents';
import { type DownloadModelResult } from '../../core/snapshot/downloadModel';

export type ProgressAction = (options: { signal: AbortSignal; onEvent: (event: DownloadEvent) => void }) => Promise<DownloadModelResult>;

/**
 * Runs a download behind a cancellable notification: increments that add up to 100, a message with
 * size, speed and time left. Cancel aborts this caller's wait (and the download itself when nobody
 * else waits for it), leaving a resumable partial.
 */
export function downloadWithProgress(title: string, action: ProgressAction): Thenable<DownloadModelResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const listener = token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    try {
      return await action({
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'queued') progress.report({ message: `waiting for other downloads (#${event.position})` });
          if (event.type !== 'progress') return;
          const percent = event.totalBytes > 0 ? Math.min(100, Math.floor((event.doneBytes / event.totalBytes) * 100)) : 0;
          const increment = percent - reported;
          reported = percent;
          progress.report({ increment: increment > 0 ? increment : undefined, message: formatProgress(event) });
        },
      });
    } finally {
      listener.dispose();
    }
  });
}
