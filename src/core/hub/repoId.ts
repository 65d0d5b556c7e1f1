/**
 * Hugging Face repo ids, checked before they touch a URL or a path. The Hub's own rule
 * (huggingface_hub `validate_repo_id`): `name` or `org/name`, letters, digits, `-`, `_`, `.`,
 * no `--` or `..`, no leading/trailing `-` or `.`, at most 96 characters per part.
 * We require `org/name`: every model we manage lives under an owner.
 */
export class InvalidRepoIdError extends Error {
  constructor(
    readonly repoId: string,
    reason: string,
  ) {
    super(`"${repoId}" is not a Hugging Face model id (${reason}). Use the form owner/name, e.g. mlx-community/Llama-3.2-3B-Instruct-4bit.`);
    this.name = 'InvalidRepoIdError';
  }
}

export interface RepoId {
  readonly owner: string;
  readonly name: string;
  /** `owner/name` as given (the Hub treats ids case-insensitively, the cache folder keeps the case). */
  readonly id: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function parseRepoId(input: string): RepoId {
  const id = input.trim();
  const parts = id.split('/');
  if (parts.length !== 2) throw new InvalidRepoIdError(input, 'expected exactly one "/"');
  for (const part of parts) {
    if (part.length === 0) throw new InvalidRepoIdError(input, 'empty owner or name');
    if (part.length > 96) throw new InvalidRepoIdError(input, 'a part is longer than 96 characters');
    if (!PART.test(part)) throw new InvalidRepoIdError(input, 'only letters, digits, "-", "_" and "." are allowed');
    if (part.includes('--') || part.includes('..')) throw new InvalidRepoIdError(input, '"--" and ".." are not allowed');
    if (/[-.]$/.test(part)) throw new InvalidRepoIdError(input, 'a part may not end with "-" or "."');
  }
  return { owner: parts[0]!, name: parts[1]!, id };
}

export function isValidRepoId(input: string): boolean {
  try {
    parseRepoId(input);
    return true;
  } catch {
    return false;
  }
}
