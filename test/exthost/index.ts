// Entry point VS Code's extension host loads as `extensionTestsPath`: runs every *.test.js beside it
// with mocha inside the real extension host, and rejects when any test fails (exit code 1).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // The reporter prints the spec output plus "exthost: N passed, N failed" and writes the summary file.
  const reporter = path.resolve(__dirname, '../../../test/tools/summary-reporter.cjs');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
