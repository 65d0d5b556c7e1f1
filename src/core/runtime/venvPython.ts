import path from 'node:path';

/** The interpreter inside a venv: `bin/python`, or `Scripts/python.exe` on Windows. */
export function venvPython(dir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}
