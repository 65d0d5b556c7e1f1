import { TREE_LISTING_FORMAT_VERSION, type TreeListing, type TreeListingEntry } from './treeListing';

/**
 * The bytes huggingface_hub writes for a listing (`_tree_cache.py` `write_tree_cache`: `json.dump(data,
 * f, indent=1)` with paths sorted), so a cache holds the same file whichever tool wrote it. Written by
 * hand rather than with `JSON.stringify`, which differs in three ways that matter here: it keeps
 * non-ASCII characters (Python's default `ensure_ascii` escapes them), it does not escape DEL, and it
 * moves keys that look like array indexes (a file named `1`) to the front of an object.
 */
export function formatTreeListing(listing: TreeListing): string {
  const paths = [...listing.keys()].sort(compareCodePoints);
  const files = paths.map((p) => `  ${pythonJsonString(p)}: ${formatEntry(listing.get(p)!)}`);
  const body = files.length ? `{\n${files.join(',\n')}\n }` : '{}';
  return `{\n "format_version": ${TREE_LISTING_FORMAT_VERSION},\n "files": ${body}\n}`;
}

/** Field order of the library's `TreeCacheEntry.to_json`. */
function formatEntry(entry: TreeListingEntry): string {
  const fields: [string, string | number | undefined][] = [
    ['size', entry.size],
    ['blob_id', entry.blob_id],
  ];
  if (entry.lfs_sha256 !== undefined) fields.push(['lfs_sha256', entry.lfs_sha256], ['lfs_size', entry.lfs_size]);
  if (entry.xet_hash !== undefined) fields.push(['xet_hash', entry.xet_hash]);
  const lines = fields.map(([key, value]) => `   ${pythonJsonString(key)}: ${formatValue(value)}`);
  return `{\n${lines.join(',\n')}\n  }`;
}

function formatValue(value: string | number | undefined): string {
  if (value === undefined) return 'null';
  return typeof value === 'number' ? String(value) : pythonJsonString(value);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Python's `json.dumps(s)` with `ensure_ascii=True`: printable ASCII as is, the short escapes, everything
 * else as `\uXXXX` in lower-case hex — per UTF-16 unit, so a character outside the BMP becomes its
 * surrogate pair, exactly as Python writes it.
 */
export function pythonJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Python's `sorted()` on `str`: by code point (JavaScript's default sort compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done && cb.done ? 0 : ca.done ? -1 : 1;
    const diff = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
}
