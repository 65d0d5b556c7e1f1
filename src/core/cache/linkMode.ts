import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** How snapshot files reach their blob: a relative symlink, or a real file where symlinks are not possible. */
export type LinkMode = 'symlink' | 'copy';

/** huggingface_hub `constants._is_true`: `1`, `ON`, `YES`, `TRUE` in any case. */
export function isEnvTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.toUpperCase());
}

const probed = new Map<string, LinkMode>();

export interface DetectLinkModeOptions {
  /** The cache root (created if missing, as Python does before probing). */
  readonly root: string;
  /** Read for `HF_HUB_DISABLE_SYMLINKS`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * huggingface_hub `are_symlinks_supported`: `HF_HUB_DISABLE_SYMLINKS=1` means copy; otherwise try a
 * relative symlink in a temporary folder of the cache once per cache folder (Windows without
 * Developer Mode refuses it), and remember the answer.
 */
export async function detectLinkMode(options: DetectLinkModeOptions): Promise<LinkMode> {
  if (isEnvTrue((options.env ?? process.env).HF_HUB_DISABLE_SYMLINKS)) return 'copy';
  const root = path.resolve(options.root);
  const known = probed.get(root);
  if (known) return known;
  await fs.mkdir(root, { recursive: true });
  const dir = await fs.mkdtemp(path.join(root, `tmp_${randomBytes(4).toString('hex')}`));
  let mode: LinkMode = 'symlink';
  try {
    await fs.writeFile(path.join(dir, 'dummy_file_src'), '');
    await fs.symlink('dummy_file_src', path.join(dir, 'dummy_file_dst'));
  } catch {
    mode = 'copy';
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  probed.set(root, mode);
  return mode;
}
