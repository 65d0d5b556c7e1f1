import os from 'node:os';

export interface MachineMemoryOptions {
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  /** @default process.arch */
  readonly arch?: string;
  /** Installed RAM in bytes. @default os.totalmem() */
  readonly totalBytes?: number;
  /**
   * Share of RAM the model may use, in (0, 1]; the extension passes the `mlx.memory.budgetFraction`
   * setting here when the user set one. Out-of-range values are ignored.
   * @default on Apple Silicon 2/3 up to 36 GiB of RAM and 3/4 above (Metal's recommended working
   * set); elsewhere 3/4 of RAM
   */
  readonly workingSetFraction?: number;
}

export interface MachineMemory {
  readonly totalBytes: number;
  /** Bytes a model (weights + KV cache + runtime) may use. */
  readonly budgetBytes: number;
  /** The fraction of `totalBytes` that `budgetBytes` is. */
  readonly fraction: number;
  /**
   * `metal-estimate`: Apple Silicon, where the GPU's usable ceiling (Metal's
   * `recommendedMaxWorkingSetSize`, mlx's `max_recommended_working_set_size`) is the limit.
   * `ram-fraction`: any other machine, budgeted as a share of RAM.
   */
  readonly source: 'metal-estimate' | 'ram-fraction';
}

const GIB = 1024 ** 3;

/**
 * RAM up to which macOS reports about 2/3 of it as the Metal working set; above, about 3/4.
 * Reported values (all in binary units):
 *  - 8 GiB  → ~5.3 GiB   (SceneWorks/SceneWorks#1552, "On an 8 GB Mac the ceiling is ~5.3 GB")
 *  - 16 GiB → 10.67 GiB  (exo-explore/exo#1672, M4 Mac mini: "~10.67 GB on 16GB M4")
 *  - 32 GiB → 21845.34 MiB (ollama/ollama#434 and ggml-org/llama.cpp#2011, M1/M2 Max 32 GB)
 *  - 64 GiB → 49152 MiB  (ggml-org/llama.cpp#1870, M1 Max 64 GB)
 * i.e. exactly 2/3 at 8–32 GiB and 3/4 at 64 GiB. Newer chips and macOS versions report more on
 * big machines (48 GiB → 37.44 GiB ≈ 78%, yanun0323/Whallm#1; 128 GiB → 107.52 GiB = 84%,
 * antirez/ds4#893), so 3/4 errs on the safe side there. The 36 GiB boundary itself is the commonly
 * quoted rule and is not confirmed by a measurement we found.
 */
const METAL_SMALL_MACHINE_LIMIT = 36 * GIB;
const METAL_SMALL_FRACTION = 2 / 3;
const METAL_LARGE_FRACTION = 3 / 4;
/** Off Apple Silicon there is no GPU ceiling to mirror; leave a quarter of RAM to the OS and other apps. */
const OTHER_FRACTION = 3 / 4;

/**
 * The memory budget a local model may use on this machine. Pure apart from its defaults: pass
 * `platform`, `arch` and `totalBytes` to compute it for any machine (tests, "what if" hints).
 * Node cannot ask Metal for the real working set, so on Apple Silicon this is an estimate from RAM.
 */
export function machineMemory(options: MachineMemoryOptions = {}): MachineMemory {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const totalBytes = options.totalBytes !== undefined && Number.isFinite(options.totalBytes) && options.totalBytes > 0 ? options.totalBytes : os.totalmem();
  const override = options.workingSetFraction;
  const validOverride = override !== undefined && Number.isFinite(override) && override > 0 && override <= 1 ? override : undefined;

  // A Node under Rosetta reports x64 even on Apple Silicon; that case falls to the RAM share,
  // which is the same 3/4 as a big Mac and only slightly generous for small ones.
  const appleSilicon = platform === 'darwin' && arch === 'arm64';
  const source = appleSilicon ? 'metal-estimate' : 'ram-fraction';
  const defaultFraction = appleSilicon ? (totalBytes <= METAL_SMALL_MACHINE_LIMIT ? METAL_SMALL_FRACTION : METAL_LARGE_FRACTION) : OTHER_FRACTION;
  const fraction = validOverride ?? defaultFraction;
  return { totalBytes, budgetBytes: Math.floor(totalBytes * fraction), fraction, source };
}
