import { stderrLogger } from './core/logging/logger';
import { closeSharedDispatcher } from './core/http/sharedDispatcher';
import { enableLowMemoryMode } from './cli/lowMemory';
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

const argv = process.argv.slice(2);
void runCli(
  argv,
  {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    signal: controller.signal,
    logger: stderrLogger(argv.includes('--verbose')),
    interceptor,
  },
  __EXTENSION_VERSION__,
).then(async (code) => {
  await closeSharedDispatcher();
  process.exitCode = code;
});
