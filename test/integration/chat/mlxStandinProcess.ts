import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The mlx_lm stand-in package folder (another helper's fixture), or undefined while it does not exist. */
export function findMlxStandin(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'mlxLmStandin');
    if (existsSync(path.join(candidate, 'mlx_lm', 'server.py'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface MlxStandinProcess {
  readonly baseUrl: string;
  /** The stand-in's JSON-lines request log (requests, disconnects, completed answers). */
  readLog(): Array<{ type: string; tokens?: number; body?: Record<string, unknown> | null }>;
  stop(): Promise<void>;
}

/**
 * Starts `python3 -m mlx_lm server --port 0` from the stand-in folder with the given MLX_STANDIN_*
 * switches, reads the port it bound from its "Starting httpd" log line, then checks GET /health.
 */
export async function startMlxStandin(root: string, switches: Record<string, string> = {}): Promise<MlxStandinProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlx-chat-'));
  const logPath = path.join(dir, 'requests.jsonl');
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: root, MLX_STANDIN_REQUEST_LOG: logPath, HF_HUB_CACHE: dir, ...switches };
  for (const key of Object.keys(env)) if (key.startsWith('MLX_STANDIN_') && !(key in switches) && key !== 'MLX_STANDIN_REQUEST_LOG') delete env[key];
  const child = spawn('python3', ['-m', 'mlx_lm', 'server', '--model', 'mlx-community/Standin-1B-4bit', '--host', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await boundPort(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    const health = await fetch(`${baseUrl}/health`);
    if (!health.ok) throw new Error(`stand-in /health answered ${health.status}`);
    return {
      baseUrl,
      readLog: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []),
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function boundPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer) => {
      seen += data.toString('utf8');
      const match = /Starting httpd at \S+ on port (\d+)/.exec(seen);
      if (match) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`stand-in exited (${code}) before listening: ${seen.slice(-500)}`)));
    child.once('error', reject);
  });
}

/** Waits until `check` holds; the stand-in writes its log from another process, so there is no event to await. */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
