#!/usr/bin/env node
// What a bundle carries, by package, largest first: `node esbuild.mjs --metafile && node scripts/bundleReport.mjs
// dist/cli.js`. Bytes are what each package adds to the output (before minification unless built with
// --production), so it shows what a dependency costs the CLI's memory and which code leaked into a bundle.
import { readFileSync } from 'node:fs';

const bundle = process.argv[2] ?? 'dist/cli.js';
let metafile;
try {
  metafile = JSON.parse(readFileSync(`${bundle}.meta.json`, 'utf8'));
} catch {
  console.error(`${bundle}.meta.json is missing: run \`node esbuild.mjs --metafile\` first`);
  process.exit(1);
}
const output = metafile.outputs[bundle];
if (!output) {
  console.error(`${bundle}.meta.json has no output named ${bundle} (it has ${Object.keys(metafile.outputs).join(', ')})`);
  process.exit(1);
}

/** node_modules/@scope/name/... → @scope/name; our own code is grouped by folder, e.g. src/core/chat. */
function owner(input) {
  const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const parts = input.split('/');
  return parts.length > 3 ? parts.slice(0, 3).join('/') : input;
}

const bytes = new Map();
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) bytes.set(owner(input), (bytes.get(owner(input)) ?? 0) + bytesInOutput);
for (const [name, size] of [...bytes].sort((a, b) => b[1] - a[1])) console.log(`${String(size).padStart(9)}  ${name}`);
console.log(`${String(output.bytes).padStart(9)}  total ${bundle}`);
