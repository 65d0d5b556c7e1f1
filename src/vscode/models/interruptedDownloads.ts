import type * as vscode from 'vscode';

const KEY = 'mlx.downloadsInProgress';

/**
 * Remembers which downloads were running, so a window reload or a crash does not lose them: an entry
 * is added when a download starts and removed when it ends or the user cancels it. On the next
 * activation whatever is left was interrupted (resume per the `mlx.download.autoResume` setting).
 */
export class InterruptedDownloads {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    return this.state.get<string[]>(KEY) ?? [];
  }

  async add(repoId: string): Promise<void> {
    const list = this.list().filter((r) => r.toLowerCase() !== repoId.toLowerCase());
    await this.state.update(KEY, [...list, repoId]);
  }

  async remove(repoId: string): Promise<void> {
    await this.state.update(
      KEY,
      this.list().filter((r) => r.toLowerCase() !== repoId.toLowerCase()),
    );
  }
}
