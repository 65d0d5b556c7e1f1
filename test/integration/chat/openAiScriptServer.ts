import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the script server received. */
export interface ScriptedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Resolves when the connection closes, `true` if the client closed it before the answer ended. */
  readonly closed: Promise<boolean>;
}

export type ScriptHandler = (req: IncomingMessage, res: ServerResponse, body: string) => unknown;

/**
 * A tiny OpenAI-shaped server for what the mlx_lm stand-in cannot produce on demand (malformed
 * events, error events, exact chunking, odd statuses): each test scripts the answer itself.
 */
export interface ScriptServer {
  readonly baseUrl: string;
  readonly requests: ScriptedRequest[];
  handle(handler: ScriptHandler): void;
  close(): Promise<void>;
}

export async function startScriptServer(): Promise<ScriptServer> {
  let handler: ScriptHandler = (_req, res) => res.writeHead(500).end('no script');
  const requests: ScriptedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let settle!: (early: boolean) => void;
    const closed = new Promise<boolean>((resolve) => (settle = resolve));
    res.on('close', () => settle(!res.writableFinished));
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, closed });
      Promise.resolve(handler(req, res, body)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A `chat.completion.chunk` event line. */
export function chunkEvent(delta: object, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, finish_reason: finishReason, delta }] })}\n\n`;
}

export const usageEvent = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ object: 'chat.completion', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

export const DONE_EVENT = 'data: [DONE]\n\n';

/** Starts an SSE answer the way mlx_lm does (HTTP/1.0 style: no length, the connection closes at the end). */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

/** Writes the pieces one by one, each flushed separately, then ends the answer. */
export async function writeAll(res: ServerResponse, pieces: readonly string[], end = true): Promise<void> {
  for (const piece of pieces) {
    if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (end) res.end();
}
