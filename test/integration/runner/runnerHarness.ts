import { existsSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Logger } from '../../../src/core/logging/logger';
import { WATCHDOG_NAME } from '../../../src/core/runner/parentDeathWatchdog';
import { type RunnerState, type RunnerStateKind } from '../../../src/core/runner/runnerState';
import { type RunnerSupervisor } from '../../../src/core/runner/runnerSupervisor';

/** The mlx_lm stand-in package folder, found from wherever the compiled test lives (out/, out-runner/…). */
export function standinRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'mlxLmStandin');
    if (existsSync(path.join(candidate, 'mlx_lm', 'server.py'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`mlx_lm stand-in not found above ${__dirname}`);
  }
}

/** process.env with the stand-in importable as `mlx_lm`, plus per-test switches (MLX_STANDIN_*). */
export function standinEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // No __pycache__ inside the fixture folder (it is not git-ignored).
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: standinRoot(), PYTHONDONTWRITEBYTECODE: '1', ...extra };
  // A switch left in the developer's shell must not change what a test sees.
  for (const key of Object.keys(env)) if (key.startsWith('MLX_STANDIN_') && !(key in extra)) delete env[key];
  return env;
}

export interface CapturedLog extends Logger {
  readonly lines: string[];
  /** Resolves with the first line (already logged or yet to come) matching `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** A logger that keeps every line, so tests can await what the runner printed. */
export function captureLogger(echo = process.env.MLX_TEST_VERBOSE === '1'): CapturedLog {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const write = (level: string) => (message: string | Error) => {
    const line = `${level} ${message instanceof Error ? message.message : message}`;
    lines.push(line);
    if (echo) process.stderr.write(line + '\n');
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  return {
    lines,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    waitFor(pattern, timeoutMs = 10_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No log line matched ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** Resolves with the first state (current or next) of the given kind; rejects after `timeoutMs`. */
export function waitForState<K extends RunnerStateKind>(
  supervisor: RunnerSupervisor,
  kind: K,
  timeoutMs = 15_000,
  predicate: (state: Extract<RunnerState, { kind: K }>) => boolean = () => true,
): Promise<Extract<RunnerState, { kind: K }>> {
  const matches = (s: RunnerState): s is Extract<RunnerState, { kind: K }> => s.kind === kind && predicate(s as Extract<RunnerState, { kind: K }>);
  if (matches(supervisor.state)) return Promise.resolve(supervisor.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`Runner did not reach "${kind}" within ${timeoutMs} ms (now ${supervisor.state.kind})`));
    }, timeoutMs);
    const sub = supervisor.onDidChangeState((state) => {
      if (!matches(state)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(state);
    });
  });
}

/** Records every state the supervisor passes through. */
export function recordStates(supervisor: RunnerSupervisor): RunnerState[] {
  const states: RunnerState[] = [];
  supervisor.onDidChangeState((s) => states.push(s));
  return states;
}

/** A temp hub cache holding one "downloaded" model: refs/main → a snapshot with the files mlx_lm needs. */
export async function makeCachedModel(cacheRoot: string, repoId: string): Promise<{ repoId: string; snapshotPath: string }> {
  const commit = 'a'.repeat(40);
  const repoDir = path.join(cacheRoot, `models--${repoId.split('/').join('--')}`);
  const snapshotPath = path.join(repoDir, 'snapshots', commit);
  await fs.mkdir(snapshotPath, { recursive: true });
  await fs.mkdir(path.join(repoDir, 'refs'), { recursive: true });
  await fs.writeFile(path.join(repoDir, 'refs', 'main'), commit);
  for (const file of ['config.json', 'model.safetensors.index.json', 'tokenizer_config.json']) {
    await fs.writeFile(path.join(snapshotPath, file), '{}');
  }
  return { repoId, snapshotPath };
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Alive means running: a missing /proc entry or a zombie (dead, waiting to be reaped) is gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return procState(stat) !== 'Z';
  } catch {
    return false;
  }
}

/** Running (non-zombie) processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(name));
  }
  return members;
}

/**
 * The process group `pgid` is gone: kill(-pgid, 0) finds nothing, or only zombies are left — an orphan's
 * zombie waits for init to reap it (here that can take seconds; without a reaping init, forever), and
 * a zombie holds no memory.
 */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  return groupMembers(pgid).length === 0;
}

/** Running watchdogs (parentDeathWatchdog) guarding the process group `pgid`, found by their `$0` and argument. */
export function watchdogsOf(pgid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = cmdline(Number(name));
    } catch {
      continue;
    }
    // argv: /bin/sh -c <script> <WATCHDOG_NAME> <pgid> <ticks>
    if (argv[3] === WATCHDOG_NAME && argv[4] === String(pgid) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
}

export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

export function environ(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** Local addresses listening on `port`, from /proc/net/tcp and tcp6 (hex IPv4 as the kernel writes it). */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, p] = cols[1]!.split(':');
      if (p === hexPort) out.push(file.endsWith('6') ? `[${addr}]` : hexToIpv4(addr!));
    }
  }
  return out;
}

function hexToIpv4(hex: string): string {
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16));
  return bytes.reverse().join('.');
}

function procState(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

/**
 * Bounded wait for something no event reports (another process vanishing from /proc). Polls every 20 ms.
 */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The request log the stand-in writes with MLX_STANDIN_REQUEST_LOG. */
export async function readRequestLog(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reads an SSE body into its `data:` payloads and comment lines, in order. */
export async function readSse(res: Response): Promise<{ data: string[]; comments: string[] }> {
  const text = await res.text();
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith(':')) comments.push(line);
  }
  return { data, comments };
}
