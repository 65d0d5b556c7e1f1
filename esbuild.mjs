// Bundles the extension host code, the CLI (its `chat` command in a second bundle) and the chat webview;
// with --tests, transpiles src/, test/ and webview-ui/src/ file-by-file into out/ for mocha (no bundling,
// so tests load the same modules they test; the webview's pure modules, such as renderMarkdown, are tested
// in plain Node).
import { build, context } from 'esbuild';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const argv = process.argv.slice(2);
const args = new Set(argv);
/** `--outdir DIR` for --tests, so parallel test runs need not share one out/ folder. */
const testsOutDir = argv.includes('--outdir') ? argv[argv.indexOf('--outdir') + 1] : 'out';
const production = args.has('--production');
/** `--metafile`: writes OUTFILE.meta.json (dist/webview.meta.json) per bundle, for scripts/bundleReport.mjs. */
const writeMetafiles = args.has('--metafile');
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

/**
 * Only `chat` needs the Gemini SDK, google-auth-library, ws and their polyfills (~1.5 MB): parsing them cost
 * every other CLI command 5-6 MB of RSS. So chat is its own bundle, dist/cliChat.js, and runCli's dynamic
 * import of it becomes `require("./cliChat.js")`, which resolves next to dist/cli.js whatever the cwd.
 */
const chatCommandAsSiblingBundle = {
  name: 'chat-command-as-sibling-bundle',
  setup(pluginBuild) {
    // A require, not an import(): Node's ESM loader, loading this CommonJS bundle, raised chat's peak RSS
    // from 72 to ~100 MB. Bundled dynamic imports are inlined either way; only external ones change.
    pluginBuild.initialOptions.supported = { ...pluginBuild.initialOptions.supported, 'dynamic-import': false };
    const runCli = path.resolve('src/cli/runCli.ts');
    pluginBuild.onResolve({ filter: /^\.\/commands\/chatCommand$/ }, ({ importer }) =>
      importer === runCli ? { path: './cliChat.js', external: true } : undefined,
    );
  },
};

/**
 * dist/cli.js takes only the dispatchers from undici (src/cli/undiciForCli.cjs) instead of its index,
 * which also loads fetch, WebSocket, EventSource, caches, mocks and the request API: about 7 MB of a
 * download's peak RSS (goal: < 80 MB). Of the API it keeps `connect()`, which proxies' CONNECT tunnels
 * need (test/integration/http/cliProxy.test.ts runs the bundle through one). Only the CLI's own bundle:
 * chat (dist/cliChat.js) and the extension keep the whole package.
 */
const undiciDispatchersOnly = {
  name: 'undici-dispatchers-only',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, () => ({ path: path.resolve('src/cli/undiciForCli.cjs') }));
    // undici's HTTP/2 client loads node:http2 when it loads, whether or not a connection ever asks for
    // h2 (only `allowH2` does, which the CLI never sets): 0.5-0.8 MB of a download's peak RSS (measured;
    // node:tls, which shares much of it, stays loaded). It already copes with a Node built without
    // http2, which is what this stub looks like to it.
    pluginBuild.onResolve({ filter: /^node:http2$/ }, ({ importer }) =>
      importer.endsWith(path.join('undici', 'lib', 'dispatcher', 'client-h2.js')) ? { path: path.resolve('src/cli/noHttp2.cjs') } : undefined,
    );
  },
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
    // Always minified: a smaller script is a smaller heap (about 3 MB of the download's peak RSS).
    // Stack traces map back with `node --enable-source-maps` and the linked source map.
    minify: true,
    plugins: [chatCommandAsSiblingBundle, undiciDispatchersOnly],
  },
  {
    ...common,
    entryPoints: ['src/cli/commands/chatCommand.ts'],
    outfile: 'dist/cliChat.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
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
    // `import('./x')` as is would go through Node's ESM resolver, which needs the file extension the
    // sources leave out; as a require it loads like the bundles' inlined imports (e.g. runCli's chat).
    supported: { 'dynamic-import': false },
  });
}

async function buildTarget(options) {
  const result = await build({ ...options, metafile: writeMetafiles });
  if (writeMetafiles) writeFileSync(`${options.outfile ?? options.outdir}.meta.json`, JSON.stringify(result.metafile));
}

if (args.has('--tests')) {
  await buildTests();
} else if (watch) {
  for (const options of targets) await (await context(options)).watch();
} else {
  if (!args.has('--no-clean')) rmSync('dist', { recursive: true, force: true });
  await Promise.all(targets.map(buildTarget));
}
