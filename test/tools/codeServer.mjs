// Starts a real VS Code (code-server 4.139.1 = VS Code 1.139.1's server build) on 127.0.0.1 for the
// extension-host, end-to-end, demo and benchmark runs, and drives its workbench with Debian's Chromium.
// The recipe and its pitfalls: ../shared/reference/real-vscode.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { codeServerBin, ensureCodeServer, node24Bin } from './ensure-code-server.mjs';

export const CHROMIUM_PATH = process.env.MLX_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the child to take). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Folders of one run: user data, extensions, a workspace, and XDG/TMP dirs so nothing lands in $HOME or /tmp. */
export function prepareRunDirs(runDir, { userSettings = {} } = {}) {
  const dirs = {
    runDir,
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir: path.join(runDir, 'extensions'),
    workspaceDir: path.join(runDir, 'workspace'),
    xdgConfig: path.join(runDir, 'xdg-config'),
    xdgData: path.join(runDir, 'xdg-data'),
    tmpDir: path.join(runDir, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(dirs.userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'chat.disableAIFeatures': true,
        'workbench.tips.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        ...userSettings,
      },
      null,
      2,
    ),
  );
  if (!existsSync(path.join(dirs.workspaceDir, 'README.md'))) {
    writeFileSync(path.join(dirs.workspaceDir, 'README.md'), '# Test workspace\n');
  }
  return dirs;
}

function codeServerEnv(dirs, extraEnv) {
  return {
    ...process.env,
    PATH: `${node24Bin}${path.delimiter}${process.env.PATH}`,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    TMPDIR: dirs.tmpDir,
    ...extraEnv,
  };
}

function baseArgs(dirs, configFile) {
  return [codeServerBin, '--config', configFile, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
}

function writeConfig(dirs, port) {
  const configFile = path.join(dirs.runDir, 'config.yaml');
  writeFileSync(
    configFile,
    [`bind-addr: 127.0.0.1:${port}`, 'auth: none', 'cert: false', 'disable-telemetry: true', 'disable-update-check: true', 'disable-workspace-trust: true', ''].join('\n'),
  );
  return configFile;
}

/** Installs a packaged .vsix with code-server's own CLI (the same path a user takes). */
export function installVsix(dirs, vsixPath) {
  ensureCodeServer();
  const configFile = writeConfig(dirs, 0);
  const result = spawnSync(path.join(node24Bin, 'node'), [...baseArgs(dirs, configFile), '--install-extension', path.resolve(vsixPath), '--force'], {
    env: codeServerEnv(dirs, {}),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`installing ${vsixPath} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * Starts code-server in its own process group; resolves once /healthz answers.
 * @param {{ dirs: ReturnType<typeof prepareRunDirs>, env?: Record<string,string>, smokeTestDriver?: boolean, logFile?: string }} options
 */
export async function startCodeServer({ dirs, env = {}, smokeTestDriver = false, logFile }) {
  ensureCodeServer();
  const port = await freePort();
  const configFile = writeConfig(dirs, port);
  const args = [...baseArgs(dirs, configFile), '--ignore-last-opened', '--disable-getting-started-override'];
  // Without this option VS Code ignores the test payload in the URL.
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(dirs.workspaceDir);
  const child = spawn(path.join(node24Bin, 'node'), args, { env: codeServerEnv(dirs, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile ?? path.join(dirs.runDir, 'code-server.log'));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.once('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start; see ${log.path}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not become healthy within 60 s; see ${log.path}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    dirs,
    /** The workbench URL with the workspace folder open (and an optional test payload). */
    workbenchUrl(payload) {
      const params = new URLSearchParams({ folder: dirs.workspaceDir });
      if (payload) params.set('payload', JSON.stringify(payload));
      return `${url}/?${params}`;
    },
    /**
     * Stops the whole process group (code-server, its extension hosts, anything they spawned), then
     * whatever still runs from this run's folder: the mlx_lm runner lives in a process group of its own
     * (the extension stops it with the whole group), so killing code-server alone would orphan it.
     */
    async stop() {
      await stopGroup();
      killLeftovers(dirs.runDir);
    },
  };

  async function stopGroup() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await gone;
      clearTimeout(timer);
      log.end();
  }
}

/** Kills processes whose command line names `folder` (runners whose --model path lies in the run's cache). */
export function killLeftovers(folder) {
  const found = spawnSync('pgrep', ['-f', folder], { encoding: 'utf8' });
  for (const pid of (found.stdout ?? '').split('\n').map(Number).filter((p) => p && p !== process.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Debian's Chromium through playwright-core, with the flags this offline machine needs. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
