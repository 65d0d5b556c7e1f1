#!/usr/bin/env node
// Download benchmark (`npm run bench:download`): the product's CLI downloader against curl (one
// connection) and aria2c (-x16 -s16) on the same files, served by a private nginx behind the Hub
// stand-in (LFS resolves 302 to nginx). Two scenarios: uncapped loopback, and a 25 MB/s per-connection
// cap (`limit_rate`, how CDNs throttle one connection). Prints wall time, throughput and peak RSS
// (GNU time) per tool, and ratios against the goal's peer:
//   uncapped: CLI (hashing while it downloads) ≤ 1.10× curl;  capped: CLI ≤ 1.10× aria2c;  CLI RSS < 80 MB.
// A benchmark, not a test: it exits 1 only when something could not run or a CLI result is wrong
// (the cache is checked byte for byte after every CLI run), not when a goal is missed. Tools run in rounds,
// after an untimed warm-up, in an order where each follows every other equally often (download/runOrder.mjs).
//
// Needs `npm run build` (dist/cli.js) and the compiled stand-in (`npm run build:tests`; built here if
// out/ is missing). Env: BENCH_RUNS (default 1; medians are reported), BENCH_CAPPED_CURL=1 (also time
// curl under the cap: ~75 s per repo), BENCH_SCALE (e.g. 0.05: smaller files, to try the harness),
// BENCH_CLI (path of cli.js), BENCH_PEERS_ONLY=1 (run without the CLI, e.g. before it has `download`),
// BENCH_SCENARIOS=uncapped|capped (comma list; default both), BENCH_CLI_NODE_ARGS (node flags for the CLI,
// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the CLI's CPU goes), BENCH_SETTLE_MS (pause between
// runs, default 5000; see the comment where it is used).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchRepos, ensureSourceFiles, fileSize, repoBytes, warmPageCache } from './download/fixtures.mjs';
import { activeChildren, runTimed, stopActiveChildren, verifyCliCache, verifyPeerFiles } from './download/measure.mjs';
import { startNginx } from './download/nginx.mjs';
import { renderTable } from './download/report.mjs';
import { balancedRunOrder } from './download/runOrder.mjs';
import { ensureTools } from './download/tools.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 1) || 1);
const scale = Number(process.env.BENCH_SCALE ?? 1) || 1;
const cappedCurl = process.env.BENCH_CAPPED_CURL === '1';
const peersOnly = process.env.BENCH_PEERS_ONLY === '1';
const cliPath = path.resolve(root, process.env.BENCH_CLI ?? 'dist/cli.js');
const cliNodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const settleMs = Math.max(0, Number(process.env.BENCH_SETTLE_MS ?? 5000) || 0);
const scenarioFilter = (process.env.BENCH_SCENARIOS ?? 'uncapped,capped').split(',').map((s) => s.trim());
// Outside the repo's tracked files (.vscode-test/ is git-ignored) and on the same disk as the checkout.
const benchRoot = path.join(root, '.vscode-test', 'bench-data');
const dataDir = path.join(benchRoot, scale === 1 ? 'download' : `download-scale-${scale}`);
const CAP_BYTES_PER_S = 25 * 1024 * 1024; // nginx's "25m"

const log = (msg) => console.log(`[bench:download] ${msg}`);

/** The compiled stand-in; builds out/ when missing, or a private out-bench/ when out/ predates writeFixtureFile. */
async function loadStandin() {
  const load = async (dir) => {
    try {
      const mod = await import(pathToFileURL(path.join(root, dir, 'test/fixtures/hubStandin/index.js')).href);
      const api = mod.writeFixtureFile ? mod : mod.default;
      return api?.writeFixtureFile && api.startHubStandin ? api : undefined;
    } catch {
      return undefined;
    }
  };
  const fromOut = await load('out');
  if (fromOut) return fromOut;
  // Rebuilding out/ while someone else's tests read it would break them; a stale out/ gets a sibling instead.
  const outExists = existsSync(path.join(root, 'out'));
  const outdir = outExists ? 'out-bench' : 'out';
  log(`building the test fixtures into ${outdir}/ ...`);
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--tests', '--outdir', outdir], { cwd: root, stdio: 'inherit' });
  const built = r.status === 0 ? await load(outdir) : undefined;
  if (!built) throw new Error('could not build/load the Hub stand-in (run `npm run build:tests`)');
  return built;
}

function cliHasDownload() {
  const r = spawnSync(process.execPath, [cliPath, '--help'], { encoding: 'utf8' });
  return r.status === 0 && /^\s+download\b/m.test(r.stdout);
}

function checkDiskSpace(repos) {
  const { bavail, bsize } = statfsSync(root);
  const free = bavail * bsize;
  const sources = repos.reduce((s, r) => s + repoBytes(r), 0);
  // Sources (if not generated yet) + one destination at a time (the biggest repo) + 1 GB slack.
  const need = sources + Math.max(...repos.map(repoBytes)) + 1e9;
  if (free < need) throw new Error(`not enough disk: ${(free / 1e9).toFixed(1)} GB free under ${root}, need about ${(need / 1e9).toFixed(1)} GB`);
}

// Everything started here is stopped here: on success, on error, and on Ctrl-C / SIGTERM.
const cleanup = { nginx: undefined, hub: undefined, workDir: undefined, done: false, stopping: undefined };
/** Idempotent; every caller awaits the same teardown, so nobody exits while files are still being removed. */
function stopAll() {
  cleanup.done = true;
  cleanup.stopping ??= (async () => {
    // The downloads first: they must not write into the folder removed below.
    await stopActiveChildren('SIGTERM');
    await Promise.allSettled([cleanup.nginx?.stop(), cleanup.hub?.close()]);
    if (cleanup.workDir) rmSync(cleanup.workDir, { recursive: true, force: true });
  })();
  return cleanup.stopping;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    stopAll().finally(() => process.exit(130));
  });
}
// Last resort if the process dies some other way: never leave nginx or a download running.
process.once('exit', () => {
  for (const child of activeChildren) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  cleanup.nginx?.killSync();
  if (cleanup.workDir) rmSync(cleanup.workDir, { recursive: true, force: true });
});

async function main() {
  const tools = ensureTools(log);
  const standin = await loadStandin();
  const withCli = cliHasDownload();
  if (!withCli && !peersOnly) {
    console.error(`${path.relative(root, cliPath)} has no "download" command: run \`npm run build\` (or BENCH_PEERS_ONLY=1 to time only the peers).`);
    return 1;
  }
  const repos = benchRepos(scale);
  checkDiskSpace(repos);
  mkdirSync(dataDir, { recursive: true });
  log(`source files in ${path.relative(root, dataDir)}/ (generated once)`);
  await ensureSourceFiles(repos, dataDir, standin.writeFixtureFile, log);

  cleanup.workDir = mkdtempSync(path.join(benchRoot, 'run-'));
  const nginx = (cleanup.nginx = await startNginx({ nginx: tools.nginx, dataDir, workDir: cleanup.workDir, readyProbe: `/blobs/${repos[0].dir}/config.json` }));
  // Which nginx location LFS resolves point at: switched between scenarios.
  let location = '/blobs/';
  const dirOf = new Map(repos.map((r) => [r.id, r.dir]));
  const urlOf = (repo, filePath) => `${nginx.origin}${location}${repo.dir}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
  const hub = (cleanup.hub = await standin.startHubStandin({
    repos: repos.map(({ id, files }) => ({ id, files })),
    lfsRedirect: ({ repoId, path: filePath }) => urlOf({ dir: dirOf.get(repoId) }, filePath),
  }));
  log(`nginx ${nginx.origin} (pid ${nginx.pid}), Hub stand-in ${hub.endpoint}`);

  // The stand-in hashes a generated file on first resolve; do it now so no measured run pays for it.
  let started = performance.now();
  for (const repo of repos) for (const file of repo.files) hub.fileInfo(repo.id, file.path);
  log(`stand-in hashed the fixtures in ${((performance.now() - started) / 1000).toFixed(1)} s; warming the page cache ...`);
  await warmPageCache(repos, dataDir);

  const allScenarios = [
    // `cli --connections 1` is informative: on an uncapped link, extra connections only add CPU (parts
    // that land ahead of the hash frontier are read back), so it shows what the default setting costs.
    { name: 'uncapped', location: '/blobs/', peer: 'curl', tools: ['cli', 'cli-1', 'curl', 'aria2c'] },
    { name: 'capped', location: '/capped/', peer: 'aria2c', tools: ['cli', 'cli-16', 'aria2c', ...(cappedCurl ? ['curl'] : [])] },
  ];
  const scenarios = allScenarios.filter((s) => scenarioFilter.includes(s.name));
  const toolLabel = { cli: 'cli', 'cli-1': 'cli --connections 1', 'cli-16': 'cli --connections 16', curl: 'curl', aria2c: 'aria2c -x16 -s16' };
  const rows = [];
  // Outside the measured processes' environment: no proxy may divert loopback traffic, no token leaks in.
  const env = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_HUB_OFFLINE']) delete env[k];
  let hashRate;
  let seq = 0;

  for (const scenario of scenarios) {
    location = scenario.location;
    for (const repo of repos) {
      const scenarioTools = scenario.tools.filter((t) => withCli || !t.startsWith('cli'));
      const byTool = new Map(
        scenarioTools.map((t) => {
          const row = { scenario: scenario.name, repo: repo.id, key: t, tool: toolLabel[t], isCli: t.startsWith('cli'), isPeer: t === scenario.peer, bytes: repoBytes(repo), walls: [], rssKiB: [], cpu: [], failures: [] };
          rows.push(row);
          return [t, row];
        }),
      );
      // Rounds of every tool once, in an order where each tool follows each other tool equally often,
      // after one untimed warm-up run (see runOrder.mjs for why).
      const order = balancedRunOrder(scenarioTools, runs);
      const schedule = [
        ...(order.warmUp ? [{ tool: order.warmUp, run: 0 }] : []),
        ...order.rounds.flatMap((round, i) => round.map((tool) => ({ tool, run: i + 1 }))),
      ];
      for (const { tool, run } of schedule) {
        // Ctrl-C arrived: stopAll() is tearing down; start nothing new.
        if (cleanup.done) return 130;
        const timed = run > 0;
        const row = byTool.get(tool);
        const dest = path.join(cleanup.workDir, `dl-${++seq}`);
        mkdirSync(dest, { recursive: true });
        const logFile = path.join(cleanup.workDir, `dl-${seq}.log`);
        const timeFile = path.join(cleanup.workDir, `dl-${seq}.time`);
        let argv;
        if (tool.startsWith('cli')) {
          argv = [process.execPath, ...cliNodeArgs, cliPath, 'download', repo.id, '--cache-dir', dest, '--endpoint', hub.endpoint, '--json', ...(tool === 'cli-16' ? ['--connections', '16'] : tool === 'cli-1' ? ['--connections', '1'] : [])];
        } else if (tool === 'curl') {
          // One process, files one after another over one reused connection, straight to disk.
          argv = [tools.curl, '-sS', '--fail', '--create-dirs', ...repo.files.flatMap((f) => ['-o', path.join(dest, f.path), urlOf(repo, f.path)])];
        } else {
          const input = path.join(cleanup.workDir, `dl-${seq}.aria2-input`);
          writeFileSync(input, repo.files.map((f) => `${urlOf(repo, f.path)}\n  out=${f.path}\n`).join(''));
          argv = [tools.aria2c, '-x16', '-s16', '-k1M', '--file-allocation=none', '-d', dest, '-i', input, '--console-log-level=warn', '--summary-interval=0', '--download-result=hide', '--allow-overwrite=true', '--auto-file-renaming=false'];
        }
        // HF_HOME inside the destination: should the CLI ignore --cache-dir anywhere, it still can't touch a real cache.
        const result = await runTimed({ time: tools.time, argv, logFile, timeFile, env: { ...env, HF_HOME: path.join(dest, '.hf-home') } });
        if (cleanup.done) return 130;
        let failure;
        if (!result.ok) failure = `exit ${result.code ?? result.signal}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        // The warm-up's files are not checked: only the state it leaves the machine in matters.
        else if (timed && row.isCli) {
          const check = await verifyCliCache(dest, repo, hub);
          failure = check.error && `wrong cache: ${check.error}`;
          if (!failure && check.hashSeconds > 0) hashRate = check.hashedBytes / check.hashSeconds;
        } else if (timed) failure = verifyPeerFiles(dest, repo, fileSize).error;
        if (failure) row.failures.push(timed ? failure : `warm-up: ${failure}`);
        else if (timed) {
          row.walls.push(result.wall);
          row.rssKiB.push(result.rssKiB);
          row.cpu.push(result.cpu);
        }
        log(
          `${scenario.name.padEnd(8)} ${repo.id.padEnd(20)} ${row.tool.padEnd(20)} ${timed ? `run ${run}/${runs}` : 'warm-up, untimed'}: ` +
            (failure ? `FAILED ${failure}` : `${result.wall.toFixed(2)} s, ${(repoBytes(repo) / result.wall / 1e6).toFixed(0)} MB/s, ${((result.rssKiB * 1024) / 1e6).toFixed(1)} MB RSS, ${result.cpu.toFixed(2)} s CPU`),
        );
        // Each destination is deleted before the next run: disk stays bounded and no run pays for another's dirty pages.
        await rm(dest, { recursive: true, force: true });
        spawnSync('sync');
        // Let the machine settle before the next tool. Without a pause, how fast a run wrote into page
        // cache depended on how long the previous run's check took, not on the tool (on this VM, writes
        // into freshly freed memory cost up to several times more CPU for a while; why, the host knows:
        // the guest's free-page reporting hands back only ~20 MiB in the 12 s after 2 GB are freed).
        if (settleMs > 0) await sleep(settleMs);
      }
    }
  }

  const { text, allMet } = renderTable(rows, (name) => scenarios.find((s) => s.name === name).peer);
  const failed = rows.some((r) => r.failures.length > 0);
  console.log('');
  console.log(`Download benchmark — ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, loopback nginx (sendfile), median of ${runs} run(s)${scale !== 1 ? `, BENCH_SCALE=${scale}` : ''}`);
  console.log(`Repos: ${repos.map((r) => `${r.id} ${(repoBytes(r) / 1e9).toFixed(2)} GB in ${r.files.length} files`).join('; ')}. MB = 10^6 bytes.`);
  console.log(text);
  console.log('');
  console.log('Goals: uncapped CLI (hashing) ≤ 1.10× curl; capped (25 MB/s per connection) CLI ≤ 1.10× aria2c -x16 -s16; CLI peak RSS < 80 MB.');
  if (!cappedCurl && scenarios.some((s) => s.name === 'capped')) {
    const est = repos.map((r) => `${r.id} ≈ ${Math.round(repoBytes(r) / CAP_BYTES_PER_S)} s`).join(', ');
    console.log(`curl under the cap was not timed (one connection ⇒ 25 MB/s: ${est}); BENCH_CAPPED_CURL=1 times it.`);
    console.log("Caveat: nginx's limit_rate is per request and lets each request's first 25 MB through at full speed; the CLI's 16 MiB Range parts fit in that allowance, aria2c's segments do not (see bench/download/nginx.mjs).");
  }
  if (hashRate) console.log(`Single-threaded SHA-256 in Node on this machine (verifying from page cache): ${(hashRate / 1e6).toFixed(0)} MB/s.`);
  if (!withCli) console.log('CLI rows skipped (BENCH_PEERS_ONLY=1).');
  else console.log(allMet ? 'CLI with default settings: all goals met.' : 'CLI with default settings: some goals NOT met (see the "cli" rows; the other cli rows are variants for comparison).');
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`bench:download failed: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await stopAll();
}
process.exit(code);
