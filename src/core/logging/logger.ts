/**
 * The logging surface the core uses. `vscode.LogOutputChannel` satisfies it structurally, so the
 * extension passes its one channel in; the CLI and tests pass a console or silent logger.
 * Callers prefix messages with `[component]`. Never pass secrets.
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Writes to stderr so stdout stays clean for a CLI's data (JSON lines). */
export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string, message: string | Error, args: unknown[]) => {
    const text = message instanceof Error ? message.message : message;
    process.stderr.write(`${level} ${text}${args.length ? ' ' + args.map(String).join(' ') : ''}\n`);
  };
  return {
    trace: (m, ...a) => verbose && write('trace', m, a),
    debug: (m, ...a) => verbose && write('debug', m, a),
    info: (m, ...a) => verbose && write('info', m, a),
    warn: (m, ...a) => write('warn', m, a),
    error: (m, ...a) => write('error', m, a),
  };
}
