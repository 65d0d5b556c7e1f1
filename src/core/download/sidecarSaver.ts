import { type ExpectedHash } from '../cache/contentHash';
import { redactUrl } from '../http/httpStatusError';
import { type PartState } from './partPlan';
import { writeSidecar } from './transferSidecar';

/**
 * Keeps the sidecar close behind the partial file without rewriting it for every chunk: at most one
 * write per `intervalMs`, one at a time, each a snapshot taken when it starts. Since `done` only
 * grows after a write completed, every snapshot is a state the file really has (or exceeds).
 */
export class SidecarSaver {
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastError: unknown;

  constructor(
    private readonly path: string,
    private readonly state: { url: string; size: number; hash: ExpectedHash; parts: () => readonly PartState[] },
    private readonly intervalMs = 1000,
  ) {}

  /** Saves soon (throttled). Errors are kept for the next {@link flush}. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.enqueue().catch((error: unknown) => {
        this.lastError = error;
      });
    }, this.intervalMs);
  }

  /** Saves now, after any save in flight; rejects if this save fails. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastError = undefined;
    await this.enqueue();
  }

  /** Stops the timer and waits for a save in flight (before the sidecar is deleted). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.catch(() => undefined);
  }

  get error(): unknown {
    return this.lastError;
  }

  set url(value: string) {
    this.state.url = value;
  }

  private enqueue(): Promise<void> {
    const run = async () => {
      const parts = this.state.parts().map((part) => ({ start: part.start, end: part.end, done: part.done }));
      await writeSidecar(this.path, {
        version: 1,
        url: redactUrl(this.state.url),
        size: this.state.size,
        hash: this.state.hash,
        parts,
        updatedAt: new Date().toISOString(),
      });
    };
    const next = this.chain.catch(() => undefined).then(run);
    this.chain = next;
    return next;
  }
}
