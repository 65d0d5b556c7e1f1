import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

// Compiled to out/test/integration/cli; the tools stay in the source tree.
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const INSTALLER = path.join(ROOT, 'test', 'tools', 'realHfHub.mjs');
const CHECK = path.join(ROOT, 'test', 'tools', 'realHfHubCheck.py');

/** The real Python huggingface_hub, installed by test/tools/realHfHub.mjs, or why it is not there. */
export type RealHfHub = { ok: true; pythonPath: string; python: string; version: string } | { ok: false; reason: string };

/**
 * Installs the real huggingface_hub into .vscode-test/python-hf, or reuses it (about 2 s the first
 * time). Synchronous, so a suite can decide at load time whether its tests run or one pending test
 * says why they cannot.
 */
export function ensureRealHfHub(): RealHfHub {
  try {
    return JSON.parse(execFileSync(process.execPath, [INSTALLER, '--json'], { encoding: 'utf8', timeout: 360_000 })) as RealHfHub;
  } catch (error) {
    return { ok: false, reason: `${INSTALLER} failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** What `scan_cache_dir()` returned (see realHfHubCheck.py `scan`). */
export interface PyScan {
  size_on_disk: number;
  /** Payloads of the library's shared blob store that no repo links to any more. */
  unreferenced_shared_blobs: number;
  warnings: string[];
  incomplete_files: string[];
  repos: {
    repo_id: string;
    repo_type: string;
    repo_path: string;
    size_on_disk: number;
    nb_files: number;
    refs: string[];
    revisions: {
      commit_hash: string;
      refs: string[];
      size_on_disk: number;
      nb_files: number;
      snapshot_path: string;
      files: { path: string; size_on_disk: number; blob_path: string; is_symlink: boolean }[];
    }[];
  }[];
}

/** Size and hashes of bytes the library handed back. */
export interface PyDigest {
  size: number;
  sha256: string;
  git_sha1: string;
}

/** `read`: per file what try_to_load_from_cache / hf_hub_download returned, then snapshot_download's folder. */
export interface PyRead {
  files: Record<string, { cached: string | null; downloaded?: string; error?: string } & Partial<PyDigest>>;
  snapshot: string;
  snapshot_files: Record<string, PyDigest & { is_symlink: boolean }>;
}

/**
 * `download`: snapshot_download from HF_ENDPOINT; `snapshot`: snapshot_download alone (offline with
 * HF_HUB_OFFLINE=1). With `--may-fail` (always for `snapshot`), the exception it raised instead.
 */
export type PyDownload = { snapshot: string; snapshot_files: Record<string, PyDigest & { is_symlink: boolean }>; error?: undefined } | PyError;

/** An exception the library raised: its class name and message. */
export interface PyError {
  error: string;
  message: string;
  snapshot?: undefined;
}

/** `cached-tree`: get_cached_repo_tree, i.e. what the library reads from trees/<commit>.json. */
export type PyCachedTree = { files: { path: string; size: number; blob_id: string; xet_hash: string | null }[]; error?: undefined } | PyError;

/** `api`: HfApi().model_info(files_metadata=True) and list_repo_tree(recursive=True). */
export interface PyApi {
  id: string;
  sha: string;
  siblings: { rfilename: string; size: number | null; blob_id: string | null; lfs: { sha256: string; size: number } | null }[];
  tree: ({ type: 'file'; path: string; size: number; blob_id: string; lfs: { sha256: string; size: number } | null } | { type: 'directory'; path: string })[];
}

/**
 * Runs test/tools/realHfHubCheck.py with the real library in a clean environment: no proxy, no token, no
 * user cache — only `HOME`/`HF_HOME` under `home` and what `env` adds (HF_HUB_CACHE, HF_ENDPOINT,
 * HF_HUB_OFFLINE...). Asynchronous, so a stand-in in this process can answer it. Rejects with Python's
 * last lines when it fails.
 */
export function runRealHfHub<T>(hf: { pythonPath: string; python: string }, home: string, args: string[], env: Record<string, string>): Promise<T> {
  const child = spawn(hf.python, [CHECK, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HF_HOME: path.join(home, 'hf-home'),
      PYTHONPATH: hf.pythonPath,
      PYTHONDONTWRITEBYTECODE: '1',
      HF_HUB_DISABLE_TELEMETRY: '1',
      HF_HUB_DISABLE_PROGRESS_BARS: '1',
      HF_HUB_DISABLE_XET: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) return resolve(JSON.parse(stdout) as T);
      reject(new Error(`realHfHubCheck.py ${args.join(' ')} exited ${code}:\n${stderr.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}
