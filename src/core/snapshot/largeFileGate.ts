/**
 * Decides how many large files of one model download at once. On a fast link (LAN, loopback, a
 * fast CDN) one file over one connection already takes what the CPU can give: a second file in
 * parallel only adds another stream of receives, writes and hashing competing for the same cores
 * (the sharded 4×450 MB benchmark took 1.5× as long as one after another). On a link that caps each
 * connection, as CDNs do, parallel files add up like parallel connections.
 *
 * So one large file runs at a time until some transfer reports the link capped (its adaptive
 * connections found each connection slow and opened more); from then on the caller's own limit on
 * parallel files is the only one, unless the transfer finds that more connections did not help.
 * Small files never wait: they are round trips, not bandwidth.
 *
 * It also keeps what the model's transfers learnt about the link for the files after them: whether it
 * is capped per connection, and whether it is fast enough that hashing belongs on the worker.
 */
export class LargeFileGate {
  private running = 0;
  private capped = false;
  private readonly waiting = new Set<() => void>();

  /** Waits for a turn; resolves with the function that gives it back (call it exactly once, in `finally`). */
  async enter(signal: AbortSignal): Promise<() => void> {
    while (!this.capped && this.running > 0) await this.nextChange(signal);
    this.running++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.running--;
      this.wakeAll();
    };
  }

  /**
   * Whether a transfer has found each connection capped: a file starting now may open all its
   * connections at once instead of finding that out again on one.
   */
  get linkCapped(): boolean {
    return this.capped;
  }

  /** A transfer found each connection slow (a capped or slow link): let every waiting file start. */
  linkIsCapped(): void {
    if (this.capped) return;
    this.capped = true;
    this.wakeAll();
  }

  /**
   * Whether the last large file's first bytes came fast enough that hashing belongs on the worker
   * (see transferFile's `hashOnWorkerFromStart`): the next files start there.
   */
  hashOnWorker = false;

  /** More connections did not help after all: files not yet started wait for a turn again. */
  linkIsFast(): void {
    this.capped = false;
  }

  private nextChange(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.waiting.delete(wake);
        reject(signal.reason);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wakeAll(): void {
    const wakers = [...this.waiting];
    this.waiting.clear();
    for (const wake of wakers) wake();
  }
}
