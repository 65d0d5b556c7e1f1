/** The error code of a Node or undici error, looking through `cause` and AggregateError. */
export function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length) {
      const innerCode = errorCode(inner[0]);
      if (innerCode) return innerCode;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
