/** Secrets never reach messages or logs: presigned CDN URLs lose their query string. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.search ? `${parsed.origin}${parsed.pathname}?…` : `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/** A server answered with a status we will not retry; `message` is meant for the user. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly url: string,
    /** What the server said (X-Error-Message, JSON `error`, or the start of the body). */
    readonly serverMessage: string,
    /** The Hub's `X-Error-Code` (`RepoNotFound`, `GatedRepo`, …) when present. */
    readonly errorCode?: string,
  ) {
    super(`${describeStatus(status, errorCode)} (HTTP ${status} from ${redactUrl(url)})${serverMessage ? `: ${serverMessage}` : ''}`);
  }
}

function describeStatus(status: number, errorCode: string | undefined): string {
  if (errorCode === 'GatedRepo') return 'This model is gated: accept its terms on huggingface.co and set a token';
  if (status === 401) return 'Not authorized: set a Hugging Face token (HF_TOKEN) with access to this repo';
  if (status === 403) return 'Access denied: check that your token may read this repo';
  if (status === 404) return 'Not found on the server: check the repo id, revision and file name';
  if (status === 416) return 'The server rejected the byte range requested';
  return 'The server refused the download';
}

/** Reads the error text a server put in its headers or body, bounded so a huge body costs nothing. */
export function serverMessageOf(headers: Record<string, string | string[] | undefined>, bodyText: string): string {
  const header = headers['x-error-message'];
  if (typeof header === 'string' && header) return header;
  const text = bodyText.slice(0, 2000).trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300);
}
