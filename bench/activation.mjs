#!/usr/bin/env node
// Activation benchmark: installs the packaged .vsix and a minimal peer extension (an activate() that
// only creates its log channel) into one real VS Code (code-server), loads the workbench several times,
// and reads each extension's own logged activate() duration from its log file. Prints medians and the
// ratio ours/peer. Goal: ours < 50 ms. Run `npm run package` first (or pass MLX_VSIX).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, launchChromium, prepareRunDirs, startCodeServer } from '../test/tools/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const vsix = process.env.MLX_VSIX ?? path.join(root, 'mlx-model-manager.vsix');
const runDir = path.join(root, '.vscode-test', 'runs', 'bench-activation');

function buildPeerVsix() {
  const dir = path.join(runDir, 'peer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'activation-peer', publisher: 'bench', version: '0.0.1', license: 'MIT', engines: { vscode: '^1.104.0' }, main: './extension.js', activationEvents: ['onStartupFinished'] }),
  );
  writeFileSync(
    path.join(dir, 'extension.js'),
    `const vscode = require('vscode');
exports.activate = (context) => {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Activation Peer', { log: true });
  context.subscriptions.push(log);
  log.info('[activate] peer activated in ' + (performance.now() - started).toFixed(2) + ' ms');
};`,
  );
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT');
  writeFileSync(path.join(dir, 'README.md'), '# peer\n');
  const out = path.join(runDir, 'peer.vsix');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging the peer failed: ${r.stderr}`);
  return out;
}

/** Activation times (ms) logged by an extension, one per extension-host start, oldest first. */
function loggedActivations(logsRoot, extensionId) {
  if (!existsSync(logsRoot)) return [];
  const times = [];
  for (const session of readdirSync(logsRoot).sort()) {
    for (const host of readdirSync(path.join(logsRoot, session)).filter((d) => d.startsWith('exthost')).sort((a, b) => parseInt(a.slice(7)) - parseInt(b.slice(7)))) {
      const dir = path.join(logsRoot, session, host, extensionId);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        const match = /activated in ([\d.]+) ms/.exec(readFileSync(path.join(dir, file), 'utf8'));
        if (match) times.push(Number(match[1]));
      }
    }
  }
  return times;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run package\` first`);
rmSync(runDir, { recursive: true, force: true });
const dirs = prepareRunDirs(runDir);
installVsix(dirs, vsix);
installVsix(dirs, buildPeerVsix());
const server = await startCodeServer({ dirs });
const browser = await launchChromium();
const logsRoot = path.join(dirs.userDataDir, 'logs');
try {
  for (let i = 1; i <= runs; i++) {
    const page = await browser.newPage();
    await page.goto(server.workbenchUrl());
    // Both extensions log once per extension host; wait until this run's lines are there.
    const deadline = Date.now() + 90_000;
    while (loggedActivations(logsRoot, 'mlxmm.mlx-model-manager').length < i || loggedActivations(logsRoot, 'bench.activation-peer').length < i) {
      if (Date.now() > deadline) throw new Error(`run ${i}: no activation logged within 90 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const ours = loggedActivations(logsRoot, 'mlxmm.mlx-model-manager');
const peer = loggedActivations(logsRoot, 'bench.activation-peer');
const bundleBytes = readFileSync(path.join(root, 'dist', 'extension.js')).length;
console.log(`activate() over ${runs} workbench loads (VS Code 1.139.1 via code-server):`);
console.log(`  MLX Model Manager: median ${median(ours).toFixed(2)} ms  [${ours.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`  minimal peer:      median ${median(peer).toFixed(2)} ms  [${peer.map((t) => t.toFixed(2)).join(', ')}]`);
console.log(`  ratio ours/peer:   ${(median(ours) / median(peer)).toFixed(2)}x   goal: ours < 50 ms -> ${median(ours) < 50 ? 'met' : 'NOT met'}`);
console.log(`  dist/extension.js: ${(bundleBytes / 1024).toFixed(1)} KiB`);
