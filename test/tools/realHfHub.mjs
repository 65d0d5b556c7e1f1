#!/usr/bin/env node
// Installs the real Python huggingface_hub (a test tool, not a dependency of the extension) into
// .vscode-test/python-hf with `pip install --target`, and says which PYTHONPATH imports it. Reused when
// it is already there and imports at the pinned version. The integration tests that check our cache
// against the real library call this; .ci/run calls it up front.
//   node test/tools/realHfHub.mjs          installs (or reuses), prints one line, exits 1 when unavailable
//   node test/tools/realHfHub.mjs --json   prints {"ok":true,"pythonPath","python","version"} or {"ok":false,"reason"}, exits 0
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HF_HUB_VERSION = '2.0.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const hfHubDir = path.join(root, '.vscode-test', 'python-hf');
/** The Python that runs the library (and installs it, for its own version and platform). */
export const python = process.env.MLX_TEST_PYTHON || 'python3';

/** The last line worth showing from a failed command: pip's last `ERROR:` line, else its last line. */
function lastErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.filter((l) => l.startsWith('ERROR:')).at(-1) ?? lines.at(-1) ?? 'no output';
}

/** The version the folder's huggingface_hub imports as, or why it does not import. */
function importedVersion() {
  const r = spawnSync(python, ['-c', 'import huggingface_hub; print(huggingface_hub.__version__)'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: hfHubDir, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 60_000,
  });
  if (r.error) return { error: `${python}: ${r.error.message}` };
  if (r.status !== 0) return { error: lastErrorLine(r.stderr) };
  return { version: r.stdout.trim() };
}

/**
 * @returns {{ ok: true, pythonPath: string, python: string, version: string } | { ok: false, reason: string }}
 */
export function ensureRealHfHub() {
  const probe = spawnSync(python, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error || probe.status !== 0) return { ok: false, reason: `no Python: ${probe.error?.message ?? lastErrorLine(probe.stderr)}` };
  if (existsSync(path.join(hfHubDir, 'huggingface_hub', '__init__.py'))) {
    const found = importedVersion();
    if (found.version === HF_HUB_VERSION) return { ok: true, pythonPath: hfHubDir, python, version: found.version };
  }
  // Another version, or built for another Python: pip --target will not replace a folder in place.
  rmSync(hfHubDir, { recursive: true, force: true });
  // --retries 0: with a local mirror configured next to an unreachable pypi.org, pip would otherwise
  // spend minutes retrying pypi.org before it takes the mirror's copy.
  const pip = spawnSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--retries', '0', '--target', hfHubDir, `huggingface_hub==${HF_HUB_VERSION}`],
    { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, timeout: 300_000 },
  );
  if (pip.error || pip.status !== 0) {
    rmSync(hfHubDir, { recursive: true, force: true }); // never leave half an install to be reused
    return { ok: false, reason: pip.error ? `${python} -m pip: ${pip.error.message}` : lastErrorLine(`${pip.stdout}\n${pip.stderr}`) };
  }
  const installed = importedVersion();
  if (installed.error) return { ok: false, reason: `installed, but it does not import: ${installed.error}` };
  if (installed.version !== HF_HUB_VERSION) return { ok: false, reason: `pip installed huggingface_hub ${installed.version}, not ${HF_HUB_VERSION}` };
  return { ok: true, pythonPath: hfHubDir, python, version: installed.version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const result = ensureRealHfHub();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else if (result.ok) {
    console.log(`[huggingface_hub] ${result.version} ready in ${result.pythonPath}`);
  } else {
    console.error(`[huggingface_hub] unavailable: ${result.reason}`);
    process.exitCode = 1;
  }
}
