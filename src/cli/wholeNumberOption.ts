import { UsageError } from './cliError';

/**
 * The value of a numeric option, `--name <n>`: plain decimal digits only (no sign, spaces, exponent or
 * hex, all of which `Number()` would take: `1e1`, ` 5`, `0x10`), from 1 to `max`. Undefined when the
 * option was not given; a UsageError (exit 2, one line) otherwise.
 */
export function wholeNumberOption(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max}`;
    throw new UsageError(`--${name} takes ${range} (got ${JSON.stringify(value)})`);
  }
  return n;
}
