// Runs one download under GNU time and checks what it produced.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Children currently being measured, so Ctrl-C / failures can stop them. */
export const activeChildren = new Set();

/**
 * Stops every measured process group. GNU time ignores SIGINT while it waits and does not pass a
 * SIGTERM on, so killing only `time` would orphan the download (which then keeps writing into a
 * folder being deleted): each run gets its own process group, and the whole group is signalled.
 * Resolves when they have exited.
 */
export function stopActiveChildren(signal = 'SIGTERM') {
  const exits = [...activeChildren].map(
    (child) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', resolve);
        try {
          process.kill(-child.pid, signal);
        } catch {
          resolve(); // already gone
        }
      }),
  );
  return Promise.all(exits);
}

/**
 * Runs `argv` under `/usr/bin/time -f '%e %M %U %S'` (wall seconds, peak RSS in KiB, user and system
 * CPU seconds of the measured process — GNU time reads them from wait4's rusage, so the RSS is the real
 * peak, not a sample). The
 * child's stdout goes to `logFile` (progress lines must not pile up in this process's memory).
 */
export function runTimed({ time, argv, logFile, timeFile, env }) {
  return new Promise((resolve, reject) => {
    const out = openSync(logFile, 'w');
    // detached: a process group of its own (see stopActiveChildren); the bench still waits for it.
    const child = spawn(time, ['-o', timeFile, '-f', '%e %M %U %S', ...argv], { stdio: ['ignore', out, 'pipe'], env, detached: true });
    activeChildren.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => {
      // Keep only the tail: enough to explain a failure, bounded for chatty tools.
      stderr = (stderr + d).slice(-4000);
    });
    child.once('error', (error) => {
      activeChildren.delete(child);
      closeSync(out);
      reject(error);
    });
    child.once('close', (code, signal) => {
      activeChildren.delete(child);
      closeSync(out);
      let wall = NaN;
      let rssKiB = NaN;
      let cpu = NaN;
      try {
        // On failure GNU time writes "Command exited with non-zero status N" before the format line.
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const [e, m, u, sys] = last.trim().split(/\s+/).map(Number);
        wall = e;
        rssKiB = m;
        cpu = u + sys;
      } catch {
        /* killed before time wrote anything */
      }
      resolve({ ok: code === 0, code, signal, wall, rssKiB, cpu, stderr });
    });
  });
}

export async function hashFile(file, algorithm) {
  const size = statSync(file).size;
  const hash = algorithm === 'sha256' ? createHash('sha256') : createHash('sha1').update(`blob ${size}\0`);
  await pipeline(createReadStream(file, { highWaterMark: 4 * 1024 * 1024 }), hash);
  return hash.digest('hex');
}

/** Where the CLI put the repo: `<cache>/models--org--name` (or under `<cache>/hub/`, HF_HOME-style). */
function findRepoDir(cacheDir, repoId) {
  const name = `models--${repoId.replace('/', '--')}`;
  for (const candidate of [path.join(cacheDir, name), path.join(cacheDir, 'hub', name)]) if (existsSync(candidate)) return candidate;
  const found = readdirSync(cacheDir, { recursive: true }).find((p) => path.basename(String(p)) === name);
  return found ? path.join(cacheDir, String(found)) : undefined;
}

/**
 * Checks the CLI's result independently of the product's own code: `refs/main` names the stand-in's
 * commit, every file of the repo is in the snapshot, and its bytes hash to what the stand-in advertises
 * (SHA-256 for LFS, git blob SHA-1 otherwise). A fast but wrong download must not count as a result.
 * Returns `{ error? , hashSeconds, hashedBytes }`.
 */
export async function verifyCliCache(cacheDir, repo, hub) {
  const repoDir = findRepoDir(cacheDir, repo.id);
  if (!repoDir) return { error: `no models--${repo.id.replace('/', '--')} folder under ${cacheDir}` };
  const commit = hub.commitOf(repo.id);
  const refPath = path.join(repoDir, 'refs', 'main');
  const ref = existsSync(refPath) ? readFileSync(refPath, 'utf8').trim() : '(missing)';
  if (ref !== commit) return { error: `refs/main is ${ref}, expected ${commit}` };
  let hashSeconds = 0;
  let hashedBytes = 0;
  for (const file of repo.files) {
    const link = path.join(repoDir, 'snapshots', commit, file.path);
    if (!existsSync(link)) return { error: `snapshot lacks ${file.path}` };
    const blob = realpathSync(link);
    const info = hub.fileInfo(repo.id, file.path);
    if (statSync(blob).size !== info.size) return { error: `${file.path}: ${statSync(blob).size} bytes, expected ${info.size}` };
    const started = performance.now();
    const actual = await hashFile(blob, info.lfs ? 'sha256' : 'git-sha1');
    hashSeconds += (performance.now() - started) / 1000;
    hashedBytes += info.size;
    const expected = info.lfs ? info.sha256 : info.gitSha1;
    if (actual !== expected) return { error: `${file.path}: content hash ${actual}, expected ${expected}` };
  }
  return { hashSeconds, hashedBytes };
}

/** Peers get a cheaper check (they promise no hashing): every file is there with the right size. */
export function verifyPeerFiles(destDir, repo, sizeOf) {
  for (const file of repo.files) {
    const p = path.join(destDir, file.path);
    if (!existsSync(p)) return { error: `missing ${file.path}` };
    if (statSync(p).size !== sizeOf(file)) return { error: `${file.path}: ${statSync(p).size} bytes, expected ${sizeOf(file)}` };
  }
  return {};
}
