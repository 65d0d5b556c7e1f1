import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForHealthOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Aborts the wait at once (the process exited, or the start was cancelled). */
  readonly signal?: AbortSignal;
  /** First pause between polls; grows 1.5× up to `maxDelayMs`. @default 50 */
  readonly initialDelayMs?: number;
  /** @default 1000 */
  readonly maxDelayMs?: number;
}

/** The runner did not answer `GET /health` with `{"status":"ok"}` in time. */
export class HealthTimeoutError extends Error {
  override name = 'HealthTimeoutError';
}

/**
 * Polls `GET <baseUrl>/health` until it answers `{"status":"ok"}`. Connection refused is normal while
 * the model loads; only the deadline or the signal end the wait.
 */
export async function waitForHealth(baseUrl: string, options: WaitForHealthOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let pause = options.initialDelayMs ?? 50;
  const maxPause = options.maxDelayMs ?? 1000;
  for (;;) {
    options.signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new HealthTimeoutError(`${baseUrl}/health did not answer within ${options.timeoutMs} ms`);
    if (await healthy(baseUrl, Math.min(remaining, 2000), options.signal)) return;
    options.signal?.throwIfAborted();
    const wait = Math.min(pause, deadline - Date.now());
    if (wait > 0) await delay(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => options.signal?.throwIfAborted());
    pause = Math.min(pause * 1.5, maxPause);
  }
}

async function healthy(baseUrl: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body = (await res.json()) as { status?: unknown };
    return body?.status === 'ok';
  } catch {
    return false;
  }
}
