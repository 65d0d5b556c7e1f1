#!/usr/bin/env node
// `npm run demo`: build and package the extension, install the .vsix into a real VS Code
// (code-server, installed on first use into .vscode-test/), start it on 127.0.0.1 and print the URL.
// Stop with Ctrl-C. Later the demo also starts the local Hub and runner stand-ins.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, prepareRunDirs, startCodeServer } from '../test/tools/codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packaged = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
if (packaged.status !== 0) process.exit(packaged.status ?? 1);

const dirs = prepareRunDirs(path.join(root, '.vscode-test', 'runs', 'demo'));
installVsix(dirs, path.join(root, 'mlx-model-manager.vsix'));
const server = await startCodeServer({ dirs });
console.log(`\nMLX Model Manager is running in VS Code at:\n\n  ${server.workbenchUrl()}\n\nOpen it in a browser; press Ctrl-C to stop.`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
