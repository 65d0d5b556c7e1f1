// Bundles the extension host code, the CLI and the chat webview; with --tests, transpiles src/, test/
// and webview-ui/src/ file-by-file into out/ for mocha (no bundling, so tests load the same modules they
// test; the webview's pure modules, such as renderMarkdown, are tested in plain Node).
import { build, context } from 'esbuild';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
const args = new Set(argv);
/** `--outdir DIR` for --tests, so parallel test runs need not share one out/ folder. */
const testsOutDir = argv.includes('--outdir') ? argv[argv.indexOf('--outdir') + 1] : 'out';
const production = args.has('--production');
const watch = args.has('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: production ? 'none' : 'inline',
  logLevel: 'info',
  define: { __EXTENSION_VERSION__: JSON.stringify(pkg.version) },
};

const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: ['module', 'main'],
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    mainFields: ['module', 'main'],
  },
  {
    ...common,
    entryPoints: { main: 'webview-ui/src/main.ts', styles: 'webview-ui/src/styles.css' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

function tsFilesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFilesUnder(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

async function buildTests() {
  rmSync(testsOutDir, { recursive: true, force: true });
  await build({
    entryPoints: [...tsFilesUnder('src'), ...tsFilesUnder('test'), ...tsFilesUnder('webview-ui/src')],
    outdir: testsOutDir,
    outbase: '.',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    define: common.define,
  });
}

if (args.has('--tests')) {
  await buildTests();
} else if (watch) {
  for (const options of targets) await (await context(options)).watch();
} else {
  if (!args.has('--no-clean')) rmSync('dist', { recursive: true, force: true });
  await Promise.all(targets.map((options) => build(options)));
}
