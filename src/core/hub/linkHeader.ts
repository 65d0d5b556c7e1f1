/** The `rel="next"` target of a `Link` header (RFC 8288), resolved against the answering URL. */
export function nextPageUrl(linkHeader: string | null, base: string): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of linkHeader.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(match[2]!)) return new URL(match[1]!, base).toString();
  }
  return undefined;
}
