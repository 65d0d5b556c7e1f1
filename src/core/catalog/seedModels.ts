/** Which section of the model list a model belongs to. */
export type ModelGroup = 'regular' | 'reasoning';

export interface SeedModel {
  /** Hugging Face repo id, `org/name`. */
  readonly repoId: string;
  readonly displayName: string;
  readonly group: ModelGroup;
  /** Approximate download size; the real size comes from the Hub's file tree at run time. */
  readonly nominalSizeBytes: number;
  /** The model picked when the user has chosen none. Exactly one seed model is the default. */
  readonly isDefault: boolean;
  /** Reasoning models stream a separate "thinking" part before the answer. */
  readonly reasoning: boolean;
}

const GB = 1_000_000_000;

/** The models offered out of the box: small, proven mlx-community conversions. */
export const SEED_MODELS: readonly SeedModel[] = Object.freeze([
  { repoId: 'mlx-community/Llama-3.2-1B-Instruct-4bit', displayName: 'Llama 3.2 1B Instruct 4-bit', group: 'regular', nominalSizeBytes: 0.71 * GB, isDefault: false, reasoning: false },
  { repoId: 'mlx-community/Llama-3.2-3B-Instruct-4bit', displayName: 'Llama 3.2 3B Instruct 4-bit', group: 'regular', nominalSizeBytes: 1.82 * GB, isDefault: true, reasoning: false },
  { repoId: 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit', displayName: 'Llama 3.1 8B Instruct 4-bit', group: 'regular', nominalSizeBytes: 4.53 * GB, isDefault: false, reasoning: false },
  { repoId: 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit', displayName: 'DeepSeek R1 Distill Qwen 1.5B 4-bit', group: 'reasoning', nominalSizeBytes: 1.0 * GB, isDefault: false, reasoning: true },
  { repoId: 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit', displayName: 'DeepSeek R1 Distill Qwen 1.5B 8-bit', group: 'reasoning', nominalSizeBytes: 1.9 * GB, isDefault: false, reasoning: true },
  { repoId: 'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit', displayName: 'DeepSeek R1 Distill Llama 8B 4-bit', group: 'reasoning', nominalSizeBytes: 4.5 * GB, isDefault: false, reasoning: true },
]);

export const MODEL_GROUPS: readonly { readonly id: ModelGroup; readonly label: string }[] = [
  { id: 'regular', label: 'Regular' },
  { id: 'reasoning', label: 'Reasoning' },
];

export function defaultSeedModel(): SeedModel {
  const model = SEED_MODELS.find((m) => m.isDefault);
  if (!model) throw new Error('The seed catalog has no default model');
  return model;
}

export function findSeedModel(repoId: string): SeedModel | undefined {
  const wanted = repoId.toLowerCase();
  return SEED_MODELS.find((m) => m.repoId.toLowerCase() === wanted);
}
