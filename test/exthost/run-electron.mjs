#!/usr/bin/env node
// The same extension-host suite against a downloaded desktop VS Code, through @vscode/test-electron.
// Needs internet access to download VS Code (it cannot run on the offline CI machine; there the suite
// runs in code-server through test/exthost/run.mjs). Usage: npm run build && npm run build:tests && npm run test:electron
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = process.env.VSCODE_VERSION ?? 'stable';
try {
  await runTests({
    version,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'exthost', 'index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { MLX_TEST_TIER: 'exthost-electron' },
  });
} catch (error) {
  console.error(`extension-host tests in desktop VS Code ${version} failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
