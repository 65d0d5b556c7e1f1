import { stderrLogger } from './core/logging/logger';
import { closeSharedDispatcher } from './core/http/sharedDispatcher';
import { enableLowMemoryMode } from './cli/lowMemory';
import { EXIT_OUTPUT_CLOSED, isClosedPipeError, OutputClosedError } from './cli/outputClosed';
import { runCli } from './cli/runCli';

// Before anything connects: one of its flags must be set before undici compiles its HTTP parser.
const interceptor = enableLowMemoryMode();

// Ctrl-C (or SIGTERM) aborts the work in progress: transfers stop within a second, leaving resumable
// partial files; a second Ctrl-C exits at once.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
}

// A reader that goes away (`… --json | head -1`) makes the next write fail with EPIPE. Unhandled, that
// crashed the process mid-download with a stack trace and lock files left behind; instead the work is
// aborted like a Ctrl-C (locks released, partial files kept for the next run) and the exit code says why.
const closed = { stdout: false, stderr: false };
for (const name of ['stdout', 'stderr'] as const) {
  process[name].on('error', (error) => {
    if (!isClosedPipeError(error)) throw error;
    closed[name] = true;
    if (!controller.signal.aborted) controller.abort(new OutputClosedError(name));
    // Also when the command had already finished: part of its output was lost.
    process.exitCode = EXIT_OUTPUT_CLOSED;
  });
}
const writeTo = (name: 'stdout' | 'stderr') => (text: string) => {
  if (!closed[name]) process[name].write(text);
};

const argv = process.argv.slice(2);
void runCli(
  argv,
  {
    stdout: writeTo('stdout'),
    stderr: writeTo('stderr'),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    signal: controller.signal,
    logger: stderrLogger(argv.includes('--verbose')),
    interceptor,
  },
  __EXTENSION_VERSION__,
).then(async (code) => {
  await closeSharedDispatcher();
  process.exitCode = closed.stdout || closed.stderr ? EXIT_OUTPUT_CLOSED : code;
});
