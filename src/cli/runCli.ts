import { parseArgs } from 'node:util';
import { SEED_MODELS } from '../core/catalog/seedModels';
import { formatBytes } from '../core/format/formatBytes';
import { USAGE } from './usage';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A user error: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Runs the CLI with the given arguments; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
      },
    });
    if (values.version) {
      io.stdout(`${version}\n`);
      return 0;
    }
    const [command] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    switch (command) {
      case 'list':
        for (const m of SEED_MODELS) {
          io.stdout(values.json ? JSON.stringify(m) + '\n' : `${m.repoId.padEnd(52)} ${formatBytes(m.nominalSizeBytes).padStart(7)}  ${m.group}${m.isDefault ? ' (default)' : ''}\n`);
        }
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (see --help)`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`mlx-models: ${message}\n`);
    return error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}
