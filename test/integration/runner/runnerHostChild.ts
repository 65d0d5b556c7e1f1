// Child process for the watchdog tests: plays an extension host that starts a runner through the real
// supervisor, prints `ready <runner pid>`, and then stays alive (the runner's output pipes keep its event
// loop busy) until the test kills it. Arguments: cache root, repo id, snapshot path, stop grace in ms.
import { stderrLogger } from '../../../src/core/logging/logger';
import { RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';

const [cacheRoot, repoId, snapshotPath, stopGraceMs] = process.argv.slice(2) as [string, string, string, string];
const supervisor = new RunnerSupervisor({ python: 'python3', cacheRoot, logger: stderrLogger(process.env.MLX_TEST_VERBOSE === '1'), stopGraceMs: Number(stopGraceMs) });
supervisor.start({ repoId, snapshotPath }).then(
  (ready) => process.stdout.write(`ready ${ready.pid}\n`),
  (error: unknown) => {
    process.stdout.write(`failed ${String(error)}\n`);
    process.exitCode = 1;
  },
);
