/**
 * The files mlx_lm downloads (`mlx_lm.utils` passes these to `snapshot_download`): a model counts as
 * usable by mlx_lm when every repo file matching them is in the snapshot.
 */
export const MLX_ALLOW_PATTERNS: readonly string[] = Object.freeze([
  '*.json',
  'model*.safetensors',
  '*.py',
  'tokenizer.model',
  '*.tiktoken',
  'tiktoken.model',
  '*.txt',
  '*.jsonl',
  '*.jinja',
]);

const cache = new Map<string, RegExp>();

/**
 * Python's `fnmatch` semantics, which huggingface_hub's `filter_repo_objects` uses: `*` also matches
 * `/` (so `*.json` matches `sub/x.json`), `?` one character, `[seq]` / `[!seq]` a class; case-sensitive
 * (`fnmatchcase`, as on macOS and Linux paths in the Hub).
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let cached = cache.get(pattern);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
      } else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        source += `[${negate ? '^' : ''}${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  cached = new RegExp(`^${source}$`, 's');
  cache.set(pattern, cached);
  return cached;
}

export function matchesAnyPattern(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => fnmatchToRegExp(p).test(path));
}
