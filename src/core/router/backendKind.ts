/** Where chat requests go: the local MLX runner or Google's Gemini API. */
export type BackendKind = 'mlx' | 'gemini';

export const BACKEND_KINDS: readonly BackendKind[] = ['mlx', 'gemini'];

export function isBackendKind(value: unknown): value is BackendKind {
  return value === 'mlx' || value === 'gemini';
}

export function otherBackend(kind: BackendKind): BackendKind {
  return kind === 'mlx' ? 'gemini' : 'mlx';
}
