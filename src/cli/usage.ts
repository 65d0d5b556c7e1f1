/** The CLI's help text. */
export const USAGE = `mlx-models — manage local MLX models from the command line (same core as the VS Code extension)

Usage:
  node dist/cli.js <command> [options]

Commands:
  list                       The seed models and every other model in the cache, with their local state
  search <query>             Search the Hub (mlx-community by default; --author '' for everyone)
  info <repo>                Commit, files mlx_lm needs, size, and the local state of a repo
  download <repo>            Download what mlx_lm needs into the Hugging Face cache (resumable; Ctrl-C stops)
  delete <repo>              Remove a model (blobs, snapshots, partial downloads) from the cache
  scan                       Every repo in the cache: sizes, revisions, partial downloads, problems
  verify <repo>              Re-hash every file of a downloaded model (sha256 for LFS, git sha1 otherwise)
  chat "<prompt>"            Ask the local model (or Gemini) through the same router as the extension

Options:
  --cache-dir <dir>          Hugging Face hub cache (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)
  --endpoint <url>           Hub endpoint (default: HF_ENDPOINT or https://huggingface.co)
  --revision <rev>           Branch, tag, refs/pr/N or 40-hex commit (download, info: default main; verify:
                             default the downloaded snapshot, main first); checked by git's ref-name rules
  --connections <n>          Most connections per large file, 1 to 64; more than one opens only when the
                             server caps each connection's speed (default: 16)
  --parallel-files <n>       Files downloaded at once, 1 to 64 (default: 4)
  --sync                     download: flush each file to the disk before it is placed in the cache (safe
                             against a power cut right after; slower; like huggingface_hub, off by default)
  --author <name>            search: only this author's models (default: mlx-community)
  --limit <n>                search: most results, 1 to 1000 (the Hub's page size; default: 20)
  --backend mlx|gemini       chat: where the answer comes from (default: mlx, falling back to Gemini)
  --model <repo or name>     chat: the local model (default: the catalog's default) or the Gemini model
  --python <path>            chat: the Python with mlx_lm (default: MLX_PYTHON, then python3 on PATH)
  --system <text>            chat: a system prompt
  --max-tokens <n>           chat: most tokens in the answer
  --no-fallback              chat: fail instead of answering with Gemini when MLX can't serve
  --repair                   verify: remove damaged files, so that \`download\` fetches them again
  --json                     Machine-readable output: one JSON object per line
  --verbose                  Log details to stderr
  -h, --help                 Show this help
  -v, --version              Show the version

Environment: HF_TOKEN (or HUGGING_FACE_HUB_TOKEN, or $HF_HOME/token) for gated and private repos,
HF_HUB_OFFLINE=1 to forbid network access (download then accepts a model already complete in the cache,
info shows what the cache holds), HTTPS_PROXY / HTTP_PROXY / NO_PROXY; for chat GEMINI_API_KEY
(or GOOGLE_API_KEY), GOOGLE_GEMINI_BASE_URL, MLX_PYTHON. The runner inherits the environment (PYTHONPATH too).
An option given to a command that does not take it is refused (exit 2), never silently ignored; so is a
number that is not plain decimal digits in its range (no 0x10, 1e1 or spaces).
Exit codes: 0 success, 1 failure, 2 bad arguments, 130 cancelled (run the same command again to resume),
141 output closed early, e.g. piped into head (stopped like SIGPIPE would; run again to resume).
`;
