import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temp folder for fake interpreters. */
export async function fakeBinDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'mlx-fakepy-'));
}

/** Writes an executable shell script `name` into `dir` that runs `body`; returns its path. */
export async function fakeExecutable(dir: string, name: string, body = 'exit 0', mode = 0o755): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode });
  await fs.chmod(file, mode);
  return file;
}
