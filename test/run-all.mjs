#!/usr/bin/env node
// `npm test`: every tier in order — lint, typecheck, unit, integration, extension host (real VS Code),
// end-to-end (real UI) — each printing its counts, then one closing line "N passed, N failed".
// Exits non-zero when any tier fails. `node test/run-all.mjs unit e2e` runs only the named tiers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
const mochaBin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const reporter = path.join(root, 'test', 'tools', 'summary-reporter.cjs');

function run(cmd, args, env = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return { ok: r.status === 0, seconds: (Date.now() - started) / 1000 };
}

function filesUnder(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, suffix) : full.endsWith(suffix) ? [full] : [];
  });
}

function readSummary(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A check that is not a test suite (lint, typecheck, build): counted as one test. */
function check(name, cmd, args) {
  console.log(`\n=== ${name}`);
  const { ok, seconds } = run(cmd, args);
  console.log(`${name}: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed (${seconds.toFixed(1)} s)`);
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, ok };
}

/** A mocha tier: runs the files and reads the counts the summary reporter wrote. */
function mochaTier(name, files, extraArgs = [], env = {}) {
  console.log(`\n=== ${name}`);
  if (files.length === 0) {
    console.log(`${name}: 0 passed, 0 failed (no tests yet)`);
    return { name, passed: 0, failed: 0, ok: true };
  }
  const summaryFile = path.join(results, `summary-${name}.json`);
  rmSync(summaryFile, { force: true });
  const { ok, seconds } = run(process.execPath, [mochaBin, '--reporter', reporter, ...extraArgs, ...files], { MLX_TEST_TIER: name, MLX_TEST_SUMMARY: summaryFile, ...env });
  return finishTier(name, ok, summaryFile, seconds);
}

function finishTier(name, ok, summaryFile, seconds) {
  const summary = readSummary(summaryFile);
  // A crash before mocha reported still counts as a failure, never as "nothing ran".
  const passed = summary?.passed ?? 0;
  const failed = summary ? summary.failed : 1;
  const tierOk = ok && failed === 0;
  console.log(`${name} tier: ${passed} passed, ${failed} failed (${seconds.toFixed(1)} s)${tierOk ? '' : '  ✗'}`);
  return { name, passed, failed: tierOk ? failed : Math.max(failed, 1), ok: tierOk };
}

const TIERS = {
  lint: () => check('lint', process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']),
  typecheck: () => {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const a = check('typecheck', process.execPath, [tsc, '-p', '.', '--noEmit']);
    const b = check('typecheck-webview', process.execPath, [tsc, '-p', 'webview-ui', '--noEmit']);
    return { name: 'typecheck', passed: a.passed + b.passed, failed: a.failed + b.failed, ok: a.ok && b.ok };
  },
  unit: () => mochaTier('unit', filesUnder(path.join(root, 'out', 'test', 'unit'), '.test.js'), ['--timeout', '10000']),
  integration: () => mochaTier('integration', filesUnder(path.join(root, 'out', 'test', 'integration'), '.test.js'), ['--timeout', '60000']),
  exthost: async () => {
    console.log('\n=== exthost (mocha inside VS Code 1.139 via code-server)');
    const summaryFile = path.join(results, 'summary-exthost.json');
    rmSync(summaryFile, { force: true });
    const started = Date.now();
    const { runExtensionHostTests } = await import('./exthost/run.mjs');
    const code = await runExtensionHostTests({ summaryFile });
    return finishTier('exthost', code === 0, summaryFile, (Date.now() - started) / 1000);
  },
  e2e: () => {
    // The e2e tier installs exactly the packaged .vsix, so package first (vscode:prepublish builds it).
    const packaged = check('package', 'npm', ['run', '--silent', 'package']);
    if (!packaged.ok) return { name: 'e2e', passed: 0, failed: 1, ok: false };
    return mochaTier('e2e', filesUnder(path.join(root, 'test', 'e2e'), '.test.mjs'), ['--timeout', '120000']);
  },
};

const wanted = process.argv.slice(2);
const selected = wanted.length ? wanted : Object.keys(TIERS);
for (const name of selected) if (!(name in TIERS)) throw new Error(`unknown tier "${name}"; tiers: ${Object.keys(TIERS).join(', ')}`);

mkdirSync(results, { recursive: true });
const started = Date.now();
const outcomes = [];
// e2e needs out/ too: its Hub stand-in process runs from out/test/fixtures.
const needsBuild = selected.some((t) => ['unit', 'integration', 'exthost', 'e2e'].includes(t));
if (needsBuild) {
  const build = check('build', process.execPath, [path.join(root, 'esbuild.mjs')]);
  const buildTests = check('build-tests', process.execPath, [path.join(root, 'esbuild.mjs'), '--tests']);
  if (!build.ok || !buildTests.ok) outcomes.push({ name: 'build', passed: 0, failed: 1, ok: false });
}
if (!outcomes.some((o) => !o.ok)) {
  for (const name of selected) outcomes.push(await TIERS[name]());
}

const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log('\n=== summary');
for (const o of outcomes) console.log(`${o.ok ? '✔' : '✗'} ${o.name}: ${o.passed} passed, ${o.failed} failed`);
console.log(`total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || outcomes.some((o) => !o.ok) ? 1 : 0;
