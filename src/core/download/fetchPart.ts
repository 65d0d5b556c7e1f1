import { type Dispatcher, request } from 'undici';
import { HttpStatusError, serverMessageOf } from '../http/httpStatusError';
import { serverRetryDelayMs } from '../http/retryDelay';
import { type PartState } from './partPlan';
import { SizeMismatchError } from './transferErrors';

/** Bytes gathered before one write: few syscalls, bounded memory per connection. */
const WRITE_BATCH = 1024 * 1024;

/** Everything one ranged GET needs. */
export interface FetchPartRequest {
  readonly dispatcher: Dispatcher;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The part to extend. Its `end` may shrink while we stream (work stealing): we stop there. */
  readonly part: PartState;
  readonly size: number;
  /** Send `Range` even from byte 0 (to learn whether the server honours it). */
  readonly wantRange: boolean;
  readonly stallTimeoutMs: number;
  /** The transfer's abort signal (cancel, or another part failed). */
  readonly signal: AbortSignal;
  /** Called once with the status before the body streams. */
  readonly onResponse: (status: number) => void;
  /** Writes `chunks` at `position`, then advances `part.done`. Failures here are local (disk) failures. */
  readonly write: (chunks: Buffer[], position: number, length: number) => Promise<void>;
}

/** What happened, for the caller's retry policy. Non-retryable failures are thrown instead. */
export type FetchPartOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'ended-early' }
  | { readonly kind: 'range-ignored' }
  | { readonly kind: 'range-not-satisfiable'; readonly total?: number }
  | { readonly kind: 'expired'; readonly status: number }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'retry'; readonly error: unknown; readonly status?: number; readonly delayMs?: number };

/** A failure that must not be retried: a disk error, a size mismatch, a hard HTTP error. */
export class FatalPartError {
  constructor(readonly error: unknown) {}
}

export class StallError extends Error {
  override readonly name = 'StallError';
  constructor(readonly ms: number) {
    super(`no data for ${ms} ms`);
  }
}

/**
 * One GET for the rest of one part, streamed into the file with backpressure: the next chunk is
 * not pulled while a write is pending, so memory stays at about one batch per connection.
 * A stall timer (reset by every chunk, paused during disk writes) aborts a connection that went quiet.
 */
export async function fetchPart(req: FetchPartRequest): Promise<FetchPartOutcome> {
  const { part } = req;
  const from = part.start + part.done;
  const lastPart = part.end === req.size;
  const headers: Record<string, string> = { ...req.headers, 'accept-encoding': 'identity' };
  const ranged = req.wantRange || from > 0 || !lastPart;
  // The last part asks open-ended (`bytes=N-`), as the Hub's clients do; others ask for their range.
  if (ranged) headers.range = `bytes=${from}-${lastPart ? '' : part.end - 1}`;
  const requestedEnd = lastPart ? req.size : part.end;

  const controller = new AbortController();
  const onAbort = () => controller.abort(req.signal.reason);
  req.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new StallError(req.stallTimeoutMs)), req.stallTimeoutMs);
  };
  const disarm = () => clearTimeout(timer);

  let position = from;
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = async () => {
    if (!batched) return;
    const chunks = batch;
    const length = batched;
    batch = [];
    batched = 0;
    disarm();
    try {
      await req.write(chunks, position, length);
    } catch (error) {
      throw new FatalPartError(error);
    } finally {
      part.pending = 0;
    }
    position += length;
    arm();
  };

  try {
    arm();
    const response = await request(req.url, { dispatcher: req.dispatcher, method: 'GET', headers, signal: controller.signal });
    const status = response.statusCode;
    const responseHeaders = response.headers;
    if (status !== 200 && status !== 206) {
      const text = await readCapped(response.body, 4096);
      return classifyStatus(req.url, status, responseHeaders, text);
    }
    req.onResponse(status);
    if (status === 200 && ranged) {
      // A server (or a CDN that compressed) ignored Range: appending would corrupt the file.
      response.body.destroy();
      return { kind: 'range-ignored' };
    }
    if (status === 200) {
      const length = Number(responseHeaders['content-length']);
      if (responseHeaders['content-length'] !== undefined && length !== req.size) throw new FatalPartError(new SizeMismatchError(req.url, req.size, length));
    } else {
      const range = parseContentRange(String(responseHeaders['content-range'] ?? ''));
      if (range?.total !== undefined && range.total !== req.size) throw new FatalPartError(new SizeMismatchError(req.url, req.size, range.total));
      if (!range || range.start !== from) {
        response.body.destroy();
        return { kind: 'retry', error: new Error(`unexpected Content-Range "${String(responseHeaders['content-range'])}" for bytes=${from}-`), status };
      }
    }

    for await (const data of response.body as AsyncIterable<Buffer>) {
      arm();
      let chunk = data;
      const at = position + batched;
      if (at + chunk.length > requestedEnd) {
        // More than the range (or the whole file) we asked for: the server's idea of the file differs.
        response.body.destroy();
        throw new FatalPartError(new SizeMismatchError(req.url, req.size, at + chunk.length));
      }
      // Work stealing moved this part's end below what we asked for: keep only our share.
      if (at + chunk.length > part.end) chunk = chunk.subarray(0, Math.max(0, part.end - at));
      if (chunk.length) {
        batch.push(chunk);
        batched += chunk.length;
        part.pending = batched;
      }
      // Write when a batch is full, or as soon as the socket has nothing more buffered: on a slow or
      // stalled link, bytes then reach the disk (and the sidecar and progress) instead of waiting in memory.
      if (batched >= WRITE_BATCH || position + batched >= part.end || response.body.readableLength === 0) await flush();
      if (position >= part.end) {
        response.body.destroy();
        return { kind: 'done' };
      }
    }
    await flush();
    if (position >= part.end) return { kind: 'done' };
    // A clean end short of the promised size: a 200 means the server's file is smaller.
    if (status === 200) throw new FatalPartError(new SizeMismatchError(req.url, req.size, position));
    return { kind: 'ended-early' };
  } catch (error) {
    if (error instanceof FatalPartError) throw error;
    // Bytes received before the connection broke are good: keep them, so the retry starts after them.
    await flush();
    if (req.signal.aborted) throw new FatalPartError(req.signal.reason);
    const reason: unknown = controller.signal.reason;
    return { kind: 'retry', error: reason instanceof StallError ? reason : error };
  } finally {
    part.pending = 0;
    disarm();
    req.signal.removeEventListener('abort', onAbort);
  }
}

function classifyStatus(url: string, status: number, headers: Record<string, string | string[] | undefined>, text: string): FetchPartOutcome {
  const location = headers.location;
  if ([301, 302, 303, 307, 308].includes(status) && typeof location === 'string') {
    return { kind: 'redirect', location: new URL(location, url).toString() };
  }
  if (status === 416) {
    const total = /\/(\d+)\s*$/.exec(String(headers['content-range'] ?? ''));
    return { kind: 'range-not-satisfiable', total: total ? Number(total[1]) : undefined };
  }
  // Presigned CDN URLs expire (about an hour on the Hub): S3/CloudFront say 403, some CDNs 410 or 400.
  // A Hub 403 (gated repo) carries X-Error-Code and is final.
  const code = headers['x-error-code'];
  if ((status === 403 || status === 410 || status === 400) && code === undefined) {
    if (/expired|signature/i.test(text) || (status !== 400 && !text.trim())) return { kind: 'expired', status };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', status, delayMs: serverRetryDelayMs(headers), error: new HttpStatusError(status, url, serverMessageOf(headers, text)) };
  }
  throw new FatalPartError(new HttpStatusError(status, url, serverMessageOf(headers, text), typeof code === 'string' ? code : undefined));
}

function parseContentRange(value: string): { start: number; end: number; total?: number } | undefined {
  const match = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** The start of an error body, without reading a large one to the end. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
