import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The mlx_lm stand-in (another helper's fixture, never modified here: we copy it). */
export function standinRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'mlxLmStandin');
    if (existsSync(path.join(candidate, 'mlx_lm', '__main__.py'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('test/fixtures/mlxLmStandin is missing');
  }
}

/** The version the stand-in reports when MLX_STANDIN_VERSION is unset. */
export function standinVersion(): string {
  const init = readFileSync(path.join(standinRoot(), 'mlx_lm', '__init__.py'), 'utf8');
  const match = /"MLX_STANDIN_VERSION",\s*"([^"]+)"/.exec(init);
  if (!match) throw new Error('cannot read the stand-in version from mlx_lm/__init__.py');
  return match[1]!;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mlx-rt-${prefix}-`));
}

/**
 * pip without this machine's pip.conf / PIP_* settings (local indexes, find-links), so "offline" means
 * offline and nothing but the package we point at can be installed.
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PIP_') && !key.startsWith('MLX_STANDIN_') && key !== 'PYTHONPATH' && key !== 'VIRTUAL_ENV') env[key] = value;
  }
  return { ...env, PIP_CONFIG_FILE: os.devNull, ...extra };
}

/**
 * A PEP 517 build backend kept in the package itself (`backend-path`), so pip can build it with
 * `--no-index --no-build-isolation` and no setuptools/wheel: it zips mlx_lm/*.py into a wheel.
 * When `pause_build` exists, it writes its pid there and sleeps: a pip grandchild to cancel.
 */
const BACKEND = `
import base64, hashlib, os, pathlib, time, zipfile

ROOT = pathlib.Path(__file__).resolve().parent
VERSION = (ROOT / "VERSION").read_text().strip()
DIST = f"mlx_lm-{VERSION}.dist-info"


def _digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    pause = ROOT / "pause_build"
    if pause.exists():
        pathlib.Path(pause.read_text().strip()).write_text(str(os.getpid()))
        time.sleep(600)
    files = {f"mlx_lm/{p.name}": p.read_bytes() for p in sorted((ROOT / "mlx_lm").glob("*.py"))}
    files[f"{DIST}/METADATA"] = f"Metadata-Version: 2.1\\nName: mlx-lm\\nVersion: {VERSION}\\n".encode()
    files[f"{DIST}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: standin-backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()] + [f"{DIST}/RECORD,,"]
    files[f"{DIST}/RECORD"] = ("\\n".join(record) + "\\n").encode()
    name = f"mlx_lm-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return name
`;

/** A copy of the stand-in as an installable package (`pip install --no-index --no-build-isolation <dir>`). */
export function writeStandinPackage(parent: string, options: { pausePidFile?: string } = {}): string {
  const dir = path.join(parent, 'mlx-lm-standin');
  cpSync(path.join(standinRoot(), 'mlx_lm'), path.join(dir, 'mlx_lm'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  writeFileSync(path.join(dir, 'VERSION'), standinVersion());
  writeFileSync(path.join(dir, 'standin_backend.py'), BACKEND);
  writeFileSync(path.join(dir, 'pyproject.toml'), '[build-system]\nrequires = []\nbuild-backend = "standin_backend"\nbackend-path = ["."]\n');
  if (options.pausePidFile) writeFileSync(path.join(dir, 'pause_build'), options.pausePidFile);
  return dir;
}

/** Alive and not a zombie (a container's init may not reap the orphans we kill). */
export function isAlive(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

export function processGroupOf(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

/** Live (non-zombie) members of a process group. */
export function liveMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, group, stat]) => pid && Number(group) === pgid && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

export async function waitFor<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
