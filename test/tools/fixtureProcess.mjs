// Starts a test fixture (a stand-in server compiled to out/test/fixtures/…/main.js) as its own process
// and reads the one JSON line it prints when it is listening. For tests whose code under test runs
// elsewhere (the VS Code extension host, the demo). Needs `node esbuild.mjs --tests`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @param {string} fixture folder under test/fixtures (e.g. 'hubStandin')
 * @param {string[]} args flags for its main.js
 * @param {string} outDir the tests' build folder
 * @returns {Promise<{ info: Record<string, string>, stop(): Promise<void> }>}
 */
export async function startFixtureProcess(fixture, args = [], outDir = 'out') {
  const main = path.join(root, outDir, 'test', 'fixtures', fixture, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`node esbuild.mjs --tests\` first`);
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const info = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)));
    });
    child.once('exit', (code) => reject(new Error(`${fixture} exited (${code}) before starting: ${stderr}`)));
  });
  return {
    info,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The Gemini stand-in; its base URL goes into GOOGLE_GEMINI_BASE_URL. */
export async function startGeminiStandinProcess({ args = [], outDir = 'out' } = {}) {
  const { info, stop } = await startFixtureProcess('geminiStandin', args, outDir);
  return { baseUrl: info.baseUrl, stop };
}
