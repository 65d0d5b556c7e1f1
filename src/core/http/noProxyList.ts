import { BlockList, isIP } from 'node:net';

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The hosts that bypass the proxy, from `NO_PROXY` (or VS Code's `http.noProxy`), read as curl and
 * Python's requests do: entries split by commas or spaces; `*` alone means every host; `example.com`,
 * `.example.com` and `*.example.com` all match the domain and its subdomains; `host:port` only that port;
 * IP addresses exactly (IPv6 with or without brackets); and CIDR ranges (`10.0.0.0/8`, `fd00::/8`)
 * match hosts written as IP addresses in them. Names are not resolved to match ranges (neither does curl).
 */
export class NoProxyList {
  private readonly everything: boolean;
  private readonly names: { host: string; port: number }[] = [];
  private readonly ranges = new BlockList();
  private hasRanges = false;

  constructor(value: string) {
    const entries = value
      .split(/[,\s]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
    this.everything = entries.includes('*');
    for (const entry of entries) this.add(entry);
  }

  /** Whether requests to `url` go direct. */
  bypasses(url: URL): boolean {
    if (this.everything) return true;
    const host = hostOf(url.hostname);
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
    for (const entry of this.names) {
      if (entry.port && entry.port !== port) continue;
      if (host === entry.host || (!isIP(entry.host) && host.endsWith(`.${entry.host}`))) return true;
    }
    const family = isIP(host);
    return this.hasRanges && family !== 0 && this.ranges.check(host, family === 4 ? 'ipv4' : 'ipv6');
  }

  private add(entry: string): void {
    const cidr = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const [, address = '', prefix] = cidr;
      const family = isIP(address);
      if (family === 0) return;
      try {
        this.ranges.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
        this.hasRanges = true;
      } catch {
        // a prefix longer than the address: not a range, ignored as curl does
      }
      return;
    }
    // `[::1]:8080`, `[::1]`; then a bare IPv6 address, whose colons are no port; then `host:port` or `host`.
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const withPort = bracketed ?? (isIP(entry) ? undefined : /^(.+):(\d+)$/.exec(entry));
    const host = (withPort?.[1] ?? entry).replace(/^\*?\./, '');
    if (host) this.names.push({ host: hostOf(host), port: Number(withPort?.[2] ?? 0) });
  }
}

/** Lower case, no brackets around IPv6, no trailing dot; IPv6 in its canonical form, so `::1` matches `0:0::1`. */
function hostOf(hostname: string): string {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (isIP(host) !== 6) return host;
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host;
  }
}
