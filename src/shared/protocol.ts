/**
 * The one message protocol between the chat panel host and the webview (webview-ui/).
 * Tagged unions with type guards; every message is validated on arrival, never trusted.
 * The chat messages join these unions as the chat panel is built.
 */

/** Messages the webview sends to the host. */
export type WebviewToHost = { readonly type: 'ready' };

/** Messages the host sends to the webview. */
export type HostToWebview = { readonly type: 'init'; readonly version: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a message from the webview; anything unknown or malformed is `undefined`. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    default:
      return undefined;
  }
}

/** Validates a message from the host (the webview checks too: defence in depth). */
export function parseHostMessage(value: unknown): HostToWebview | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'init':
      return typeof value.version === 'string' ? { type: 'init', version: value.version } : undefined;
    default:
      return undefined;
  }
}
