import { TransferCancelledError } from '../download/transferErrors';
import { type DownloadEvent } from './downloadEvents';
import { type DownloadModelResult } from './downloadModel';

export interface DownloadRequest {
  readonly repoId: string;
  /** @default 'main' */
  readonly revision?: string;
}

/** Starts one model download; the queue supplies the signal and collects the events. */
export type StartDownload = (request: DownloadRequest, signal: AbortSignal, onEvent: (event: DownloadEvent) => void) => Promise<DownloadModelResult>;

export interface DownloadQueueOptions {
  /** Models downloaded at once; the rest wait in order. @default 2 */
  readonly maxConcurrent?: number;
  readonly start: StartDownload;
}

export interface SubscribeOptions {
  /** Detaches this caller; the download itself stops when no caller is left. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: DownloadEvent) => void;
}

interface Job {
  readonly key: string;
  readonly request: DownloadRequest;
  readonly controller: AbortController;
  readonly listeners: Set<(event: DownloadEvent) => void>;
  subscribers: number;
  state: 'queued' | 'running';
  /** Replayed to a caller who joins late, so it sees the plan and the latest progress at once. */
  lastPlan?: DownloadEvent;
  lastProgress?: DownloadEvent;
  readonly done: Promise<DownloadModelResult>;
  /** Resolves once the job has ended and left the queue (success or not). */
  settled?: Promise<void>;
  begin(): void;
}

/** Cancelled by the caller (its own signal), while the shared download may go on for others. */
export class DownloadDetachedError extends TransferCancelledError {
  constructor(repoId: string) {
    super(repoId, 0);
    this.message = `Stopped waiting for ${repoId}; a download still in progress for another caller goes on.`;
  }
}

/**
 * Runs model downloads with a concurrency limit. A second request for a model already queued or
 * downloading joins that download (same promise, same events) instead of starting another.
 */
export class DownloadQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private readonly maxConcurrent: number;

  constructor(private readonly options: DownloadQueueOptions) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 2);
  }

  static keyOf(request: DownloadRequest): string {
    return `${request.repoId.toLowerCase()}@${request.revision ?? 'main'}`;
  }

  /** Downloads (or joins the download of) a model. */
  download(request: DownloadRequest, options: SubscribeOptions = {}): Promise<DownloadModelResult> {
    const job = this.jobs.get(DownloadQueue.keyOf(request)) ?? this.enqueue(request);
    return this.subscribe(job, options);
  }

  /**
   * Stops every queued and running download (the editor is shutting down): each transfer records what
   * is on disk on its way out, so the next start resumes exactly there. Resolves once all have ended.
   */
  async cancelAll(): Promise<void> {
    const jobs = [...this.jobs.values()];
    for (const job of jobs) job.controller.abort(new TransferCancelledError(job.request.repoId, 0));
    await Promise.all(jobs.map((job) => job.settled));
  }

  /** Resolves when the download of `request` (if any) has ended and left the queue. */
  settled(request: DownloadRequest): Promise<void> {
    return this.jobs.get(DownloadQueue.keyOf(request))?.settled ?? Promise.resolve();
  }

  /** Stops a queued or running download for every caller. Returns false when there was none. */
  cancel(request: DownloadRequest): boolean {
    const job = this.jobs.get(DownloadQueue.keyOf(request));
    if (!job) return false;
    job.controller.abort(new TransferCancelledError(request.repoId, 0));
    return true;
  }

  /** What is queued or running now, in order. */
  get active(): { readonly key: string; readonly repoId: string; readonly state: 'queued' | 'running' }[] {
    return [...this.jobs.values()].map((j) => ({ key: j.key, repoId: j.request.repoId, state: j.state }));
  }

  private enqueue(request: DownloadRequest): Job {
    const controller = new AbortController();
    const listeners = new Set<(event: DownloadEvent) => void>();
    let begin!: () => void;
    const started = new Promise<void>((resolve) => (begin = resolve));
    const job: Job = {
      key: DownloadQueue.keyOf(request),
      request,
      controller,
      listeners,
      subscribers: 0,
      state: 'queued',
      begin,
      done: (async () => {
        await Promise.race([started, abortion(controller.signal)]);
        const fire = (event: DownloadEvent) => {
          if (event.type === 'plan') job.lastPlan = event;
          if (event.type === 'progress') job.lastProgress = event;
          for (const listener of listeners) listener(event);
        };
        return this.options.start(request, controller.signal, fire);
      })(),
    };
    this.jobs.set(job.key, job);
    job.settled = job.done
      .then(() => undefined, () => undefined)
      .finally(() => {
        this.jobs.delete(job.key);
        const index = this.waiting.indexOf(job);
        if (index >= 0) this.waiting.splice(index, 1);
        if (job.state === 'running') this.running--;
        this.pump();
      });
    this.waiting.push(job);
    this.pump();
    return job;
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      job.state = 'running';
      this.running++;
      job.begin();
    }
  }

  private subscribe(job: Job, options: SubscribeOptions): Promise<DownloadModelResult> {
    job.subscribers++;
    const listener = options.onEvent;
    if (listener) {
      if (job.state === 'queued') listener({ type: 'queued', position: this.waiting.indexOf(job) + 1 });
      if (job.lastPlan) listener(job.lastPlan);
      if (job.lastProgress) listener(job.lastProgress);
      job.listeners.add(listener);
    }
    const signal = options.signal;
    return new Promise<DownloadModelResult>((resolve, reject) => {
      let settled = false;
      const detach = () => {
        if (listener) job.listeners.delete(listener);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        detach();
        if (--job.subscribers === 0) job.controller.abort(signal?.reason);
        reject(job.subscribers === 0 ? new TransferCancelledError(job.request.repoId, 0) : new DownloadDetachedError(job.request.repoId));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      job.done.then(
        (result) => {
          if (settled) return;
          settled = true;
          detach();
          resolve(result);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          detach();
          reject(error);
        },
      );
    });
  }
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
