/** The repo has no file mlx_lm could load (GGUF-only, PyTorch-only, or an empty repo). */
export class NothingToDownloadError extends Error {
  override readonly name = 'NothingToDownloadError';
  constructor(readonly repoId: string) {
    super(`${repoId} has no files mlx_lm can load (no *.safetensors weights or configs). It may be a GGUF or PyTorch-only repo: pick an mlx-community conversion instead.`);
  }
}

/** The Hub's tree and its resolve answer disagree about a file: its content changed mid-download. */
export class HubInconsistencyError extends Error {
  override readonly name = 'HubInconsistencyError';
  constructor(
    readonly path: string,
    readonly treeEtag: string,
    readonly resolvedEtag: string,
  ) {
    super(`The Hub reported two different versions of ${path} (${treeEtag.slice(0, 12)}… in the file list, ${resolvedEtag.slice(0, 12)}… when downloading). The repo probably changed: download again.`);
  }
}
