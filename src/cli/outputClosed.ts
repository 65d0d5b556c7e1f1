/**
 * Exit code when the reader of our output went away (`… | head -1`): 128 + SIGPIPE, what a shell
 * reports for a process SIGPIPE stopped. Node ignores SIGPIPE, so the CLI stops itself and says so.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/** The abort reason when stdout or stderr was closed by its reader: the work stops as on Ctrl-C. */
export class OutputClosedError extends Error {
  override readonly name = 'OutputClosedError';
  constructor(readonly stream: 'stdout' | 'stderr') {
    super(`${stream} was closed by its reader`);
  }
}

/** EPIPE (reader gone) or the write-after-close error a stream raises once it gave up. */
export function isClosedPipeError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
