import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type HubStandin } from '../../fixtures/hubStandin';

/** The built CLI (`npm run build` makes it; the test runner builds before the integration tier). */
export const CLI = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'cli.js');

export function assertCliBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Every JSON line seen so far on stdout. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal name when killed). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when a JSON line satisfies `test`. */
  waitForLine(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export interface CliSpawnOptions {
  /** The child's working directory (default: the test runner's). */
  readonly cwd?: string;
  /** Options for node itself, before dist/cli.js (e.g. `--require` of a probe). */
  readonly nodeArgs?: readonly string[];
}

/** Starts `node dist/cli.js ...args` as a real child process with its own environment. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, options: CliSpawnOptions = {}): CliRun {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        for (const w of waiters.filter((w) => w.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      } catch {
        // human-readable output
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    lines,
    exited,
    waitForLine(test) {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        void exited.then(({ code, stderr: err }) => reject(new Error(`the CLI exited (${code}) before the expected line: ${err.trim()}`)));
      });
    },
  };
}

/** What each test of a CLI suite gets afresh: an empty cache folder, and the Hub stand-in it starts itself. */
export interface CliFixture {
  hub: HubStandin;
  cacheDir: string;
  /** The CLI on this test's cache folder and stand-in. */
  cli(args: string[], env?: NodeJS.ProcessEnv): CliRun;
}

/**
 * Declares the hooks of a CLI suite (the CLI is built; a fresh cache folder per test; the test's stand-in
 * closed and the folder removed after it) and returns the state they keep.
 */
export function useCliFixture(folderPrefix: string): CliFixture {
  const state: { hub?: HubStandin; cacheDir: string; cli: CliFixture['cli'] } = {
    cacheDir: '',
    cli: (args, env = {}) => startCli([...args, '--cache-dir', state.cacheDir, '--endpoint', state.hub!.endpoint], env),
  };
  before(assertCliBuilt);
  beforeEach(async () => {
    state.cacheDir = await mkdtemp(path.join(tmpdir(), folderPrefix));
  });
  afterEach(async () => {
    await state.hub?.close();
    delete state.hub;
    await rm(state.cacheDir, { recursive: true, force: true });
  });
  return state as CliFixture; // `hub` is set by each test before use
}
