"""Walks a Hugging Face cache the way huggingface_hub's scan_cache_dir and try_to_load_from_cache do
(stdlib only: the real package is not installable here), and prints what it finds as JSON.
A second-language check that the layout our TypeScript writer produces reads correctly in Python."""
import hashlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini"}


def scan_repo(repo_path: Path) -> dict:
    if not repo_path.is_dir():
        raise ValueError(f"Repo path is not a directory: {repo_path}")
    repo_type, repo_id = repo_path.name.split("--", maxsplit=1)
    snapshots, refs_dir = repo_path / "snapshots", repo_path / "refs"
    if not snapshots.is_dir():
        raise ValueError(f"Snapshots dir doesn't exist in cached repo: {snapshots}")
    refs_by_hash = defaultdict(set)
    if refs_dir.exists():
        for ref_path in refs_dir.glob("**/*"):
            if ref_path.is_dir() or ref_path.name in IGNORED:
                continue
            refs_by_hash[ref_path.read_text()].add(str(ref_path.relative_to(refs_dir)).replace(os.sep, "/"))
    blob_sizes = {}
    revisions = {}
    for revision_path in snapshots.iterdir():
        if revision_path.is_file():
            raise ValueError(f"Snapshots folder corrupted. Found a file: {revision_path}")
        files = {}
        for file_path in revision_path.glob("**/*"):
            if file_path.is_dir():
                continue
            blob_path = Path(os.path.realpath(file_path))
            if not blob_path.exists():
                raise ValueError(f"Blob missing (broken symlink): {blob_path}")
            blob_sizes[blob_path] = blob_path.stat().st_size
            content = file_path.read_bytes()
            files[str(file_path.relative_to(revision_path)).replace(os.sep, "/")] = {
                "size": blob_sizes[blob_path],
                "sha256": hashlib.sha256(content).hexdigest(),
                # Small files verbatim, for tests that compare text; weights only by hash.
                "bytes": content.decode("latin-1") if len(content) <= 65536 else None,
            }
        revisions[revision_path.name] = {"files": files, "refs": sorted(refs_by_hash.pop(revision_path.name, set()))}
    if refs_by_hash:
        raise ValueError(f"Reference(s) refer to missing commit hashes: {dict(refs_by_hash)} ({repo_path}).")
    # try_to_load_from_cache(repo_id, "config.json"): refs/main -> snapshots/<commit>/config.json
    main = (refs_dir / "main").read_text() if (refs_dir / "main").is_file() else None
    config = snapshots / main / "config.json" if main else None
    return {
        "repo_id": repo_id.replace("--", "/"),
        "repo_type": repo_type[:-1],
        "nb_files": len(blob_sizes),
        "size_on_disk": sum(blob_sizes.values()),
        "revisions": revisions,
        "main_config": config.read_text() if config and config.is_file() else None,
    }


def main(cache_dir: str) -> None:
    repos, warnings = [], []
    for repo_path in sorted(Path(cache_dir).iterdir()):
        if repo_path.name in IGNORED or repo_path.name in {".locks", "CACHEDIR.TAG", "blobs"}:
            continue
        try:
            repos.append(scan_repo(repo_path))
        except ValueError as error:
            warnings.append(str(error))
    json.dump({"repos": repos, "warnings": warnings}, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
