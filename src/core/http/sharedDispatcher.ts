import { type Dispatcher } from 'undici';
import { createDispatcher, type DispatcherOptions } from './createDispatcher';

let current: { key: string; dispatcher: Dispatcher } | undefined;

/**
 * The one keep-alive dispatcher of this process, so that connections to the Hub and the CDN are
 * reused across files. Asking with different options (the user changed `http.proxy`) replaces it;
 * the old one closes gracefully, letting requests already in flight finish.
 */
export function sharedDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const key = JSON.stringify({ ...options, env: undefined });
  if (current?.key === key) return current.dispatcher;
  const previous = current?.dispatcher;
  current = { key, dispatcher: createDispatcher(options) };
  previous?.close().catch(() => undefined);
  return current.dispatcher;
}

/** Closes the shared dispatcher (extension deactivation, CLI exit). */
export async function closeSharedDispatcher(): Promise<void> {
  const previous = current?.dispatcher;
  current = undefined;
  await previous?.close();
}
