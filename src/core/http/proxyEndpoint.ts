/** A proxy to send requests through, read from a setting or an environment variable. */
export interface ProxyEndpoint {
  /** What undici connects to: `scheme://host:port`, without credentials (but with them for SOCKS, which reads them there). */
  readonly uri: string;
  readonly protocol: 'http:' | 'https:' | 'socks5:' | 'socks:';
  /** `scheme://host:port`: safe for messages and logs (never the credentials). */
  readonly display: string;
  /** Where the URL came from: the environment variable (`HTTPS_PROXY`, `https_proxy`, ...) or setting (`http.proxy`). */
  readonly source: string;
  /** `Basic ...` for Proxy-Authorization, when the URL carries a user (a password may be absent, as curl allows). */
  readonly authorization: string | undefined;
}

/** A proxy URL that cannot be used; the message names where it came from and never shows its credentials. */
export class ProxyUrlError extends Error {
  override readonly name = 'ProxyUrlError';
}

const SUPPORTED = new Set(['http:', 'https:', 'socks5:', 'socks:']);

/**
 * Reads a proxy URL as curl and pip do: without a scheme it is `http://` (`proxy.corp:3128`, which the
 * URL parser alone would read as the scheme `proxy.corp:`), and a user without a password still
 * authenticates (`user:` in the Basic credentials).
 * @param source where `value` came from, for messages: `HTTPS_PROXY`, `http.proxy`, ...
 * @throws ProxyUrlError when it is no URL, or a scheme other than http, https or socks5.
 */
export function parseProxyEndpoint(value: string, source: string): ProxyEndpoint {
  const text = value.trim();
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  let user: string;
  let password: string;
  try {
    url = new URL(withScheme);
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw new ProxyUrlError(`${source} is not a usable proxy URL (${withoutCredentials(text)}): write it as http://host:port, or http://user:password@host:port.`);
  }
  const display = `${url.protocol}//${url.host}`;
  if (!SUPPORTED.has(url.protocol) || !url.hostname) {
    throw new ProxyUrlError(`${source} names a proxy this client cannot use (${display}): write it as http://host:port (https:// and socks5:// work too).`);
  }
  const protocol = url.protocol as ProxyEndpoint['protocol'];
  const socks = protocol === 'socks5:' || protocol === 'socks:';
  return {
    uri: socks ? url.href : display,
    protocol,
    display,
    source,
    authorization: !socks && (user || password) ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined,
  };
}

/** `http://127.0.0.1:3128 (from HTTPS_PROXY)`: how messages name a proxy. */
export function describeProxy(proxy: Pick<ProxyEndpoint, 'display' | 'source'>): string {
  return `${proxy.display} (from ${proxy.source})`;
}

/** Hides what stands before the last `@` of the authority, where credentials are, in a value that is no URL. */
function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z\d+.-]*:\/\/)?[^/]*@/i, '$1…@');
}
