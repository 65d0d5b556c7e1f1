// Makes sure the external programs the benchmark compares against (and measures with) exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Program → Debian package that provides it. GNU time is needed for peak RSS (%M); bash's `time` has none. */
const REQUIRED = [
  { program: 'nginx', pkg: 'nginx', paths: ['/usr/sbin/nginx'] },
  { program: 'aria2c', pkg: 'aria2', paths: ['/usr/bin/aria2c'] },
  { program: 'curl', pkg: 'curl', paths: ['/usr/bin/curl'] },
  { program: 'time', pkg: 'time', paths: ['/usr/bin/time'] },
];

function locate({ program, paths }) {
  // `time` must be GNU time at its fixed path, never the shell keyword; others may live anywhere on PATH.
  for (const p of paths) if (existsSync(p)) return p;
  if (program === 'time') return undefined;
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Returns absolute paths of nginx, aria2c, curl and GNU time. Installs missing ones with apt-get when
 * running as root (one `apt-get update` first); otherwise prints the install command and exits 1.
 */
export function ensureTools(log) {
  let missing = REQUIRED.filter((t) => !locate(t));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => t.pkg))];
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot || !existsSync('/usr/bin/apt-get')) {
      console.error(`bench:download needs ${missing.map((t) => t.program).join(', ')}. Install them with:\n  sudo apt-get install -y ${pkgs.join(' ')}`);
      process.exit(1);
    }
    log(`installing ${pkgs.join(' ')} with apt-get ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'inherit', env }) : update;
    if (install.status !== 0) {
      console.error(`apt-get failed; install manually: apt-get install -y ${pkgs.join(' ')}`);
      process.exit(1);
    }
    missing = REQUIRED.filter((t) => !locate(t));
    if (missing.length > 0) {
      console.error(`still missing after apt-get: ${missing.map((t) => t.program).join(', ')}`);
      process.exit(1);
    }
  }
  return Object.fromEntries(REQUIRED.map((t) => [t.program, locate(t)]));
}
