// The two benchmark repos and their source files on disk (generated once, reused across runs).
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';

const MiB = 1024 * 1024;

/** Sizes can be shrunk with BENCH_SCALE (e.g. 0.01) to try the harness quickly; the goals are about the full sizes. */
export function benchRepos(scale = 1) {
  const size = (bytes) => Math.max(1, Math.round(bytes * scale));
  const configJson = (extra) => JSON.stringify({ model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, ...extra }, null, 2);
  const tokenizerConfig = JSON.stringify({ model_max_length: 131072, tokenizer_class: 'PreTrainedTokenizerFast' }, null, 2);
  const shards = [1, 2, 3, 4].map((n) => ({ path: `model-0000${n}-of-00004.safetensors`, size: size(450 * MiB), seed: 4500 + n }));
  return [
    {
      id: 'bench/single-2g',
      dir: 'single-2g',
      files: [
        { path: 'config.json', content: configJson({ bench: 'single' }) },
        { path: 'tokenizer_config.json', content: tokenizerConfig },
        { path: 'model.safetensors', size: size(2048 * MiB), seed: 2048 },
      ],
    },
    {
      id: 'bench/sharded-4x450m',
      dir: 'sharded-4x450m',
      files: [
        { path: 'config.json', content: configJson({ bench: 'sharded' }) },
        { path: 'tokenizer_config.json', content: tokenizerConfig },
        {
          path: 'model.safetensors.index.json',
          content: JSON.stringify({ metadata: { total_size: shards.reduce((s, f) => s + f.size, 0) }, weight_map: Object.fromEntries(shards.map((f, i) => [`model.layers.${i}.weight`, f.path])) }, null, 2),
        },
        ...shards,
      ],
    },
  ];
}

export const fileSize = (file) => (file.content !== undefined ? Buffer.byteLength(file.content) : file.size);
export const repoBytes = (repo) => repo.files.reduce((s, f) => s + fileSize(f), 0);

/**
 * Writes every file of every repo under `dataDir/<repo.dir>/` with the stand-in's own writer, so nginx
 * serves the exact bytes the stand-in advertises. A manifest remembers what each file was generated
 * from; a file is regenerated only when it is missing, has another size, or came from other parameters.
 */
export async function ensureSourceFiles(repos, dataDir, writeFixtureFile, log) {
  const manifestPath = path.join(dataDir, 'manifest.json');
  let manifest = {};
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    /* first run */
  }
  for (const repo of repos) {
    mkdirSync(path.join(dataDir, repo.dir), { recursive: true });
    for (const file of repo.files) {
      const rel = `${repo.dir}/${file.path}`;
      const target = path.join(dataDir, rel);
      const identity = file.content !== undefined ? `content:${file.content}` : `gen:${file.size}:${file.seed}`;
      const size = fileSize(file);
      if (existsSync(target) && statSync(target).size === size && manifest[rel]?.identity === identity) continue;
      const started = Date.now();
      if (file.content !== undefined) writeFileSync(target, file.content);
      else await writeFixtureFile(file, target);
      manifest[rel] = { identity, size };
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
      if (size > MiB) log(`generated ${rel} (${(size / 1e6).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}

/**
 * Reads every source file once so all tools find them in the page cache: otherwise whichever tool
 * runs first would pay for the disk reads and look slower than it is.
 */
export async function warmPageCache(repos, dataDir) {
  const sink = () => new Writable({ write: (_chunk, _enc, cb) => cb() });
  for (const repo of repos) for (const file of repo.files) await pipeline(createReadStream(path.join(dataDir, repo.dir, file.path), { highWaterMark: 4 * MiB }), sink());
}
