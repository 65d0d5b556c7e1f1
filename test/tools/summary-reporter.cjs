// Mocha reporter: the usual spec output, plus a JSON summary file (env MLX_TEST_SUMMARY) that
// test/run-all.mjs adds up, and a plain "N passed, N failed" line for readers of the log.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const summary = { passed: stats.passes, failed: stats.failures, skipped: stats.pending };
      const file = process.env.MLX_TEST_SUMMARY;
      if (file) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(summary));
      }
      console.log(`${process.env.MLX_TEST_TIER ?? 'tests'}: ${summary.passed} passed, ${summary.failed} failed`);
    });
  }
}

module.exports = SummaryReporter;
