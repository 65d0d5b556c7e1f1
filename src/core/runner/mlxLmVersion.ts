/** The oldest mlx_lm the runner accepts: `GET /health` exists since 0.24.1. */
export const MIN_MLX_LM_VERSION = '0.24.1';

const VERSION = /(\d+)\.(\d+)(?:\.(\d+))?/;

/**
 * The version in what `python -m mlx_lm --version` printed: the last line that holds one (imports may
 * print warnings first). Pre-release tails (`0.32.0.dev2025`, `0.26.3rc1`) are dropped. Undefined if none.
 */
export function parseMlxLmVersion(output: string): string | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).reverse();
  for (const line of lines) {
    const match = /^v?(\d+\.\d+(?:\.\d+)?)(?:[.+-]?[A-Za-z0-9.]*)?$/.exec(line);
    if (match) return normalize(match[1]!);
  }
  return undefined;
}

/** Numeric comparison of dotted versions: negative when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    const diff = pa[i]! - pb[i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

function parts(version: string): [number, number, number] {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`Not a version: ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function normalize(version: string): string {
  return parts(version).join('.');
}
