const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Decimal units, as Finder and the Hub show sizes: `1820000000` → `1.8 GB`, `710000000` → `710 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const text = value.toFixed(digits).replace(/\.0$/, '');
  return `${text} ${UNITS[unit]}`;
}
