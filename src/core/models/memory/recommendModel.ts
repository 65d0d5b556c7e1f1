import { assessMemoryFit } from './memoryFit';
import { type ModelConfigSummary } from './modelConfig';

export interface RecommendationCandidate {
  readonly repoId: string;
  /** Bytes of the weight files. */
  readonly weightsBytes: number;
  /** The parsed config.json; a candidate without one cannot be shown to fit comfortably. */
  readonly config?: ModelConfigSummary;
  /** The catalog's default model, preferred when sizes tie. */
  readonly isDefault: boolean;
}

export interface RecommendOptions {
  /** Passed to `assessMemoryFit`. @default DEFAULT_OVERHEAD_BYTES */
  readonly overheadBytes?: number;
  /**
   * Weight sizes within this share of each other count as a tie (Llama 3.1 8B at 4.53 GB and
   * R1-Distill-Llama 8B at 4.5 GB are the same size class); ties go to the default model, then to
   * the candidate listed first.
   * @default 0.05
   */
  readonly tieTolerance?: number;
}

/**
 * The seed model to suggest for this machine: the largest one (by weight size) whose verdict is
 * `fits`, i.e. that stays under the `tight` threshold at `contextTokens`. Bigger is better here
 * because every seed model is small; `tight` ones are left out because a recommendation should
 * not need the user to close apps. Undefined when none fits comfortably, or none could be judged.
 */
export function recommendModel<T extends RecommendationCandidate>(candidates: readonly T[], budgetBytes: number, contextTokens: number, options: RecommendOptions = {}): T | undefined {
  const tolerance = options.tieTolerance !== undefined && Number.isFinite(options.tieTolerance) && options.tieTolerance >= 0 ? options.tieTolerance : 0.05;
  let best: T | undefined;
  for (const candidate of candidates) {
    const fit = assessMemoryFit({ weightsBytes: candidate.weightsBytes, config: candidate.config, contextTokens, budgetBytes, overheadBytes: options.overheadBytes });
    if (fit.verdict !== 'fits') continue;
    if (best === undefined || beats(candidate, best, tolerance)) best = candidate;
  }
  return best;
}

function beats(challenger: RecommendationCandidate, holder: RecommendationCandidate, tolerance: number): boolean {
  const larger = Math.max(challenger.weightsBytes, holder.weightsBytes);
  const tie = Math.abs(challenger.weightsBytes - holder.weightsBytes) <= larger * tolerance;
  if (tie) return challenger.isDefault && !holder.isDefault;
  return challenger.weightsBytes > holder.weightsBytes;
}
