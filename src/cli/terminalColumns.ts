/** Width assumed when neither the terminal nor `COLUMNS` tells one. */
const DEFAULT_COLUMNS = 80;

/**
 * The terminal's width in columns now: the stream's own (Node updates it when the terminal is resized),
 * else `COLUMNS` (a pseudo-terminal without a size reports 0), else 80.
 */
export function terminalColumns(stream: { readonly columns?: number }, env: NodeJS.ProcessEnv): number {
  if (stream.columns !== undefined && Number.isInteger(stream.columns) && stream.columns > 0) return stream.columns;
  const fromEnv = env.COLUMNS?.trim();
  if (fromEnv !== undefined && /^[0-9]+$/.test(fromEnv) && Number(fromEnv) > 0) return Number(fromEnv);
  return DEFAULT_COLUMNS;
}
