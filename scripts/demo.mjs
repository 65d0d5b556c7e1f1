#!/usr/bin/env node
// `npm run demo`: build and package the extension, install the .vsix into a real VS Code (code-server,
// installed on first use into .vscode-test/), and start it on 127.0.0.1 with everything it talks to
// running locally: a Hugging Face Hub stand-in serving small fake seed models, the mlx_lm stand-in as
// the runner (the product's real `python3 -m mlx_lm server` spawn path), and a Gemini stand-in. A newcomer
// can download a model, chat, stop and fall back within a minute, offline. `npm run demo -- --real`
// skips the stand-ins (real Hub, your own mlx_lm and Gemini key). Stop with Ctrl-C.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installVsix, prepareRunDirs, startCodeServer } from '../test/tools/codeServer.mjs';
import { startGeminiStandinProcess } from '../test/tools/fixtureProcess.mjs';
import { startHubStandinProcess } from '../test/tools/hubStandinProcess.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const real = process.argv.includes('--real');

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npm', ['run', '--silent', 'package']);
// The stand-ins are test fixtures, compiled with the tests.
if (!real) run(process.execPath, [path.join(root, 'esbuild.mjs'), '--tests']);

const runDir = path.join(root, '.vscode-test', 'runs', 'demo');
const dirs = prepareRunDirs(runDir, { userSettings: { 'workbench.colorTheme': 'Default Dark Modern' } });
installVsix(dirs, path.join(root, 'mlx-model-manager.vsix'));

const stops = [];
let env = {};
if (!real) {
  // 20 MB "weights" per model: big enough to watch the progress, small enough to take seconds.
  const hub = await startHubStandinProcess({ args: ['--seed-models', '--weight-bytes', String(20 * 1024 * 1024)] });
  const gemini = await startGeminiStandinProcess({ args: ['--key', 'demo-gemini-key', '--token-delay-ms', '30'] });
  stops.push(hub.stop, gemini.stop);
  env = {
    HF_ENDPOINT: hub.endpoint,
    HF_HUB_CACHE: path.join(runDir, 'hf-cache'),
    HF_HOME: path.join(runDir, 'hf-home'),
    PYTHONPATH: path.join(root, 'test', 'fixtures', 'mlxLmStandin'),
    MLX_STANDIN_TOKEN_DELAY_MS: '25',
    MLX_STANDIN_START_DELAY_MS: '1500',
    GEMINI_API_KEY: 'demo-gemini-key',
    GOOGLE_GEMINI_BASE_URL: gemini.baseUrl,
  };
}
const server = await startCodeServer({ dirs, env });
stops.unshift(server.stop);

console.log(`
MLX Model Manager is running in VS Code at:

  ${server.workbenchUrl()}
${
  real
    ? ''
    : `
Everything it talks to runs on this machine (stand-ins for the Hugging Face Hub, mlx_lm and Gemini).
Try:
  1. Open the MLX view (chip icon in the activity bar) and download "Llama 3.2 1B Instruct 4-bit"
     from its inline action: watch the progress in the row and the notification.
  2. Select it (check icon), then "MLX: Open Chat" from the status bar tooltip or the palette; ask
     something; press Stop while it streams.
  3. Select a model you have not downloaded: the next answer comes from Gemini, and the status bar
     shows "MLX → Gemini" with the reason.
`
}
Press Ctrl-C to stop.`);

const stop = async () => {
  for (const s of stops) await s().catch(() => {});
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
