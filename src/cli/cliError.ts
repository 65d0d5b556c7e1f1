/** A failure the user can act on; printed as one line, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Wrong arguments; printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
