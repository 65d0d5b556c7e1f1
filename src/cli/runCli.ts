import { parseArgs } from 'node:util';
import { TransferCancelledError } from '../core/download/transferErrors';
import { InvalidRefNameError } from '../core/cache/cacheErrors';
import { InvalidRepoIdError, parseRepoId } from '../core/hub/repoId';
import { assertRevision } from '../core/hub/revision';
import { isBackendKind } from '../core/router/backendKind';
import { type CliIo, CliContext, checkEndpoint } from './cliContext';
import { CliError, UsageError } from './cliError';
import { deleteCommand } from './commands/deleteCommand';
import { downloadCommand } from './commands/downloadCommand';
import { infoCommand } from './commands/infoCommand';
import { listCommand } from './commands/listCommand';
import { scanCommand } from './commands/scanCommand';
import { searchCommand } from './commands/searchCommand';
import { verifyCommand } from './commands/verifyCommand';
import { EXIT_OUTPUT_CLOSED, OutputClosedError } from './outputClosed';
import { USAGE } from './usage';
import { wholeNumberOption } from './wholeNumberOption';

export { type CliIo } from './cliContext';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  endpoint: { type: 'string' },
  revision: { type: 'string' },
  connections: { type: 'string' },
  'parallel-files': { type: 'string' },
  author: { type: 'string' },
  limit: { type: 'string' },
  backend: { type: 'string' },
  model: { type: 'string' },
  python: { type: 'string' },
  system: { type: 'string' },
  'max-tokens': { type: 'string' },
  'no-fallback': { type: 'boolean' },
  repair: { type: 'boolean' },
  sync: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Most `--connections` and `--parallel-files`: more only adds load (and open files), not speed. */
const MAX_CONCURRENCY = 64;
/**
 * Most `--limit`: the Hub's model list returns at most 1000 models per request (the Hub client asks
 * for no more), so any limit up to it is one request.
 */
const MAX_SEARCH_LIMIT = 1000;

/** Options every command takes. */
const COMMON_OPTIONS: readonly OptionName[] = ['help', 'version', 'json', 'verbose', 'cache-dir', 'endpoint'];

/** The other options each command takes: one given to a command it does not apply to is an error, not ignored. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly OptionName[]>> = {
  list: [],
  scan: [],
  delete: [],
  search: ['author', 'limit'],
  info: ['revision'],
  download: ['revision', 'connections', 'parallel-files', 'sync'],
  verify: ['revision', 'repair'],
  chat: ['backend', 'model', 'python', 'system', 'max-tokens', 'no-fallback'],
};

/** Refuses an option the command would not use (`delete --revision dev` must not delete every revision quietly). */
function checkOptionsApply(command: string, values: Partial<Record<OptionName, unknown>>): void {
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) return;
  for (const name of Object.keys(values) as OptionName[]) {
    if (values[name] === undefined || COMMON_OPTIONS.includes(name) || allowed.includes(name)) continue;
    const owners = Object.keys(COMMAND_OPTIONS).filter((c) => COMMAND_OPTIONS[c]!.includes(name));
    throw new UsageError(`--${name} does not apply to "${command}"${owners.length ? ` (it is an option of ${owners.join(', ')})` : ''}`);
  }
}

/** What each command takes besides options: nothing, one repo id, or free text (at least one word). The first two read the cache. */
const COMMAND_ARGUMENTS: Readonly<Record<string, 'none' | 'repo' | 'text'>> = {
  list: 'none',
  scan: 'none',
  delete: 'repo',
  search: 'text',
  info: 'repo',
  download: 'repo',
  verify: 'repo',
  chat: 'text',
};

/** Refuses a positional argument the command would not use (`list extra` must not pass for `list`). */
function checkArity(command: string, rest: readonly string[]): void {
  const takes = COMMAND_ARGUMENTS[command];
  const extra = takes === 'none' ? rest[0] : takes === 'repo' ? rest[1] : undefined;
  if (extra === undefined) return;
  throw new UsageError(`unexpected argument "${extra}": "${command}" ${takes === 'none' ? 'takes no arguments' : 'takes one repo id'}`);
}

/** The repo id argument, checked as the Hub checks ids: a malformed one is a bad argument (exit 2). */
function repoIdArgument(command: string, rest: readonly string[]): string {
  if (rest.length === 0) throw new UsageError(`"${command}" takes one repo id, like mlx-community/Llama-3.2-3B-Instruct-4bit`);
  try {
    return parseRepoId(rest[0]!).id;
  } catch (error) {
    if (error instanceof InvalidRepoIdError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--revision`, checked with the rules the cache writes refs by, before any request or write. */
function revisionArgument(revision: string | undefined): string | undefined {
  if (revision === undefined) return undefined;
  try {
    return assertRevision(revision);
  } catch (error) {
    if (error instanceof InvalidRefNameError) throw new UsageError(`--revision ${error.message}`);
    throw error;
  }
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
    if (values.version) {
      io.stdout(`${version}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    checkOptionsApply(command, values);
    checkArity(command, rest);
    if (values.endpoint !== undefined) checkEndpoint(values.endpoint, '--endpoint');
    const ctx = new CliContext(io, { cacheDir: values['cache-dir'], endpoint: values.endpoint, json: values.json ?? false });
    // A cache folder that cannot be one fails before any request (`info` asks the Hub first).
    if (COMMAND_ARGUMENTS[command] === 'none' || COMMAND_ARGUMENTS[command] === 'repo') void ctx.cacheRoot;
    const repoArg = () => repoIdArgument(command, rest);
    const givenRevision = revisionArgument(values.revision);
    const revision = givenRevision ?? 'main';
    switch (command) {
      case 'list':
        return await listCommand(ctx);
      case 'scan':
        return await scanCommand(ctx);
      case 'search':
        if (rest.length === 0) throw new UsageError('"search" needs a query, e.g. search llama');
        return await searchCommand(ctx, rest.join(' '), values.author ?? 'mlx-community', wholeNumberOption('limit', values.limit, MAX_SEARCH_LIMIT) ?? 20);
      case 'info':
        return await infoCommand(ctx, repoArg(), givenRevision);
      case 'download':
        return await downloadCommand(ctx, {
          repoId: repoArg(),
          revision,
          connections: wholeNumberOption('connections', values.connections, MAX_CONCURRENCY),
          parallelFiles: wholeNumberOption('parallel-files', values['parallel-files'], MAX_CONCURRENCY),
          syncToDisk: values.sync === true,
        });
      case 'delete':
        return await deleteCommand(ctx, repoArg());
      case 'verify':
        return await verifyCommand(ctx, repoArg(), givenRevision, values.repair === true);
      case 'chat': {
        if (rest.length === 0) throw new UsageError('"chat" needs a prompt, e.g. chat "What is MLX?"');
        const backend = values.backend ?? 'mlx';
        if (!isBackendKind(backend)) throw new UsageError(`--backend is mlx or gemini (got "${backend}")`);
        const maxTokens = wholeNumberOption('max-tokens', values['max-tokens'], Number.MAX_SAFE_INTEGER);
        // Loaded only for chat: the bundled CLI keeps it in dist/cliChat.js (see esbuild.mjs), so other
        // commands never parse the Gemini SDK and its dependencies.
        const { chatCommand } = await import('./commands/chatCommand');
        return await chatCommand(ctx, {
          backend,
          prompt: rest.join(' '),
          model: values.model,
          python: values.python,
          system: values.system,
          maxTokens,
          fallback: !values['no-fallback'],
        });
      }
      default:
        throw new UsageError(`unknown command "${command}" (see --help)`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

/** One line on stderr, and the exit code for the kind of failure. */
function reportError(error: unknown, io: CliIo): number {
  if (io.signal.reason instanceof OutputClosedError) {
    // stdout may be the closed one: the note goes to stderr (dropped by the caller if that is closed too).
    io.stderr(`mlx-models: stopped: ${io.signal.reason.message} (EPIPE); run the same command again to resume\n`);
    return EXIT_OUTPUT_CLOSED;
  }
  if (error instanceof TransferCancelledError || io.signal.aborted) {
    io.stderr('mlx-models: cancelled; run the same command again to resume\n');
    return 130;
  }
  const message = (error instanceof Error ? ((error as { userMessage?: string }).userMessage ?? error.message) : String(error)).replace(/\s*\n\s*/g, ' ');
  io.stderr(`mlx-models: ${message}\n`);
  if (!(error instanceof CliError || error instanceof UsageError)) io.logger.debug(error instanceof Error ? (error.stack ?? message) : message);
  const isUsage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  return isUsage ? 2 : 1;
}
