// Starts the Hub stand-in (test/fixtures/hubStandin, compiled to out/) as its own process, for tests
// whose code under test runs elsewhere (the VS Code extension host, the demo). Needs `node esbuild.mjs --tests`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @param {{ args?: string[], outDir?: string }} options extra flags for main.js (e.g. --seed-models --weight-bytes N)
 * @returns {Promise<{ endpoint: string, cdnOrigin: string, controlUrl?: string, setFault(spec: object): Promise<void>, clearFaults(): Promise<void>, setRepo(repo: object): Promise<void>, stop(): Promise<void> }>}
 */
export async function startHubStandinProcess({ args = [], outDir = 'out' } = {}) {
  const main = path.join(root, outDir, 'test', 'fixtures', 'hubStandin', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`node esbuild.mjs --tests\` first`);
  const child = spawn(process.execPath, [main, '--control', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const info = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)));
    });
    child.once('exit', (code) => reject(new Error(`the Hub stand-in exited (${code}) before starting: ${stderr}`)));
  });
  const control = async (method, route, body) => {
    const res = await fetch(`${info.controlUrl}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`stand-in control ${method} ${route}: ${res.status} ${await res.text()}`);
  };
  return {
    ...info,
    setFault: (spec) => control('POST', '/faults', spec),
    clearFaults: () => control('DELETE', '/faults'),
    setRepo: (repo) => control('POST', '/repos', repo),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
