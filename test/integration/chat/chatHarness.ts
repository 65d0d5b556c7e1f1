import type { ChatError, ChatEvent } from '../../../src/core/chat/chatBackend';
import type { Logger } from '../../../src/core/logging/logger';
import { createServer, type Server } from 'node:net';

/** Everything a stream yielded, and the error it ended with, if any. */
export interface Collected {
  readonly events: ChatEvent[];
  readonly error: ChatError | undefined;
  /** The concatenated text events. */
  readonly text: string;
  readonly reasoning: string;
}

/** Drains a chat stream; `onEvent` may abort or stop it. Non-ChatError failures are rethrown. */
export async function collect(stream: AsyncIterable<ChatEvent>, onEvent?: (event: ChatEvent) => void): Promise<Collected> {
  const events: ChatEvent[] = [];
  let error: ChatError | undefined;
  try {
    for await (const event of stream) {
      events.push(event);
      onEvent?.(event);
    }
  } catch (caught) {
    if ((caught as Error)?.name !== 'ChatError') throw caught;
    error = caught as ChatError;
  }
  const join = (type: 'text' | 'reasoning') => events.map((e) => (e.type === type ? e.text : '')).join('');
  return { events, error, text: join('text'), reasoning: join('reasoning') };
}

/** A logger that keeps every line, to check that secrets never reach it. */
export function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string | Error, ...args: unknown[]) => lines.push([message instanceof Error ? message.message : message, ...args.map(String)].join(' '));
  return { lines, trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
