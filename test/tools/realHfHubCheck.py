"""Asks the REAL huggingface_hub (installed by test/tools/realHfHub.mjs, on PYTHONPATH) what it makes of a
Hugging Face cache, or has it download into one, and prints the answer as one JSON object.

The cache is the library's own choice (HF_HUB_CACHE), the Hub is HF_ENDPOINT; offline reads need
HF_HUB_OFFLINE=1. Every file it returns is read back here, so the caller can compare bytes (sha256 and git
sha1) with what the Hub served.

  realHfHubCheck.py scan                                      scan_cache_dir()
  realHfHubCheck.py read [--revision R] [--local-files-only] <repo> FILE...
                                                              try_to_load_from_cache + hf_hub_download per file,
                                                              then snapshot_download (offline, from the cache)
  realHfHubCheck.py download [--revision R] [--allow P]... [--may-fail] <repo>   snapshot_download from HF_ENDPOINT
  realHfHubCheck.py download-file <repo> FILE                 hf_hub_download from HF_ENDPOINT
  realHfHubCheck.py snapshot [--revision R] [--allow P]... <repo>   snapshot_download alone (offline with
                                                              HF_HUB_OFFLINE=1): its folder, or the error it raised
  realHfHubCheck.py cached-tree [--revision R] <repo>         get_cached_repo_tree: the cache's trees/<commit>.json
  realHfHubCheck.py api <repo>                                HfApi().model_info(files_metadata) + list_repo_tree
  realHfHubCheck.py share                                     moves every repo blob into the library's shared blob
                                                              store (<cache>/blobs/, as a Xet download would), with
                                                              the library's own publish_blob_to_shared_store
Options go before the repo. --allow P (repeatable) passes allow_patterns to snapshot_download;
--local-files-only passes local_files_only=True (HF_HUB_OFFLINE=1 alone does not stop snapshot_download of a
commit id from listing the repo online when the cache holds no trees/<commit>.json). --may-fail reports the
exception snapshot_download raised ({"error", "message"}) instead of exiting 1, for a download stopped on purpose.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True

import huggingface_hub  # noqa: E402
from huggingface_hub import (  # noqa: E402
    HfApi,
    get_cached_repo_tree,
    hf_hub_download,
    scan_cache_dir,
    snapshot_download,
    try_to_load_from_cache,
)
from huggingface_hub.hf_api import RepoFile  # noqa: E402


def digest(path: str | Path) -> dict:
    data = Path(path).read_bytes()
    git = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "git_sha1": git}


def walk(folder: str) -> dict:
    """Every file under a snapshot folder (links followed), by repo path."""
    root = Path(folder)
    return {p.relative_to(root).as_posix(): {**digest(p), "is_symlink": p.is_symlink()} for p in sorted(root.glob("**/*")) if not p.is_dir()}


def scan() -> dict:
    info = scan_cache_dir()
    repos = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        revisions = []
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            files = [
                {
                    "path": f.file_path.relative_to(rev.snapshot_path).as_posix(),
                    "size_on_disk": f.size_on_disk,
                    "blob_path": str(f.blob_path),
                    "is_symlink": f.file_path.is_symlink(),
                }
                for f in sorted(rev.files, key=lambda f: str(f.file_path))
            ]
            revisions.append(
                {
                    "commit_hash": rev.commit_hash,
                    "refs": sorted(rev.refs),
                    "size_on_disk": rev.size_on_disk,
                    "nb_files": rev.nb_files,
                    "snapshot_path": str(rev.snapshot_path),
                    "files": files,
                }
            )
        repos.append(
            {
                "repo_id": repo.repo_id,
                "repo_type": repo.repo_type,
                "repo_path": str(repo.repo_path),
                "size_on_disk": repo.size_on_disk,
                "nb_files": repo.nb_files,
                "refs": sorted(repo.refs),
                "revisions": revisions,
            }
        )
    from huggingface_hub.utils import _shared_blobs

    return {
        "size_on_disk": info.size_on_disk,
        "unreferenced_shared_blobs": len(_shared_blobs.unreferenced_shared_blobs(info.cache_dir)),
        "repos": repos,
        "warnings": [str(w) for w in info.warnings],
        "incomplete_files": sorted(str(f.file_path) for f in info.incomplete_files),
    }


def read(repo_id: str, revision: str | None, files: list[str], allow: list[str] | None, local_files_only: bool) -> dict:
    out: dict = {"files": {}}
    for name in files:
        cached = try_to_load_from_cache(repo_id, name, revision=revision)
        entry: dict = {"cached": cached if isinstance(cached, str) else None if cached is None else "<no-exist>"}
        try:
            downloaded = hf_hub_download(repo_id, name, revision=revision)
            entry.update(downloaded=downloaded, **digest(downloaded))
        except Exception as error:  # a file not in the cache: say which error the library raised
            entry["error"] = type(error).__name__
        out["files"][name] = entry
    snapshot = snapshot_download(repo_id, revision=revision, allow_patterns=allow, local_files_only=local_files_only)
    out["snapshot"] = snapshot
    out["snapshot_files"] = walk(snapshot)
    return out


def download(repo_id: str, revision: str | None, allow: list[str] | None, may_fail: bool = False) -> dict:
    try:
        snapshot = snapshot_download(repo_id, revision=revision, allow_patterns=allow)
    except Exception as error:
        if not may_fail:
            raise
        return {"error": type(error).__name__, "message": str(error)}
    return {"snapshot": snapshot, "snapshot_files": walk(snapshot)}


def cached_tree(repo_id: str, revision: str | None) -> dict:
    try:
        files = get_cached_repo_tree(repo_id, revision=revision)
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}
    return {"files": [{"path": f.path, "size": f.size, "blob_id": f.blob_id, "xet_hash": f.xet_hash} for f in files]}


def download_file(repo_id: str, name: str) -> dict:
    downloaded = hf_hub_download(repo_id, name)
    return {"downloaded": downloaded, **digest(downloaded)}


def api(repo_id: str) -> dict:
    hub = HfApi()
    info = hub.model_info(repo_id, files_metadata=True)
    siblings = [
        {"rfilename": s.rfilename, "size": s.size, "blob_id": s.blob_id, "lfs": None if s.lfs is None else {"sha256": s.lfs.sha256, "size": s.lfs.size}}
        for s in info.siblings or []
    ]
    tree = []
    for entry in hub.list_repo_tree(repo_id, recursive=True):
        if isinstance(entry, RepoFile):
            tree.append({"type": "file", "path": entry.path, "size": entry.size, "blob_id": entry.blob_id, "lfs": None if entry.lfs is None else {"sha256": entry.lfs.sha256, "size": entry.lfs.size}})
        else:
            tree.append({"type": "directory", "path": entry.path})
    return {"id": info.id, "sha": info.sha, "siblings": siblings, "tree": tree}


def share() -> dict:
    from huggingface_hub.utils import _shared_blobs

    cache = Path(os.environ["HF_HUB_CACHE"])
    shared = []
    for blob in sorted(cache.glob("*--*/blobs/*")):
        if blob.is_symlink() or not blob.is_file() or ".incomplete" in blob.name:
            continue
        data = blob.read_bytes()
        # The store is keyed by Xet hash; any 64-hex name stands in for one here.
        xet_hash = hashlib.sha256(b"xet" + data).hexdigest()
        if not _shared_blobs.publish_blob_to_shared_store(blob_path=str(blob), xet_hash=xet_hash, cache_dir=cache, expected_size=len(data)):
            raise RuntimeError(f"could not share {blob}")
        shared.append(blob.relative_to(cache).as_posix())
    return {"shared": shared}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("scan")
    for name in ("read", "download", "snapshot"):
        p = sub.add_parser(name)
        p.add_argument("repo")
        p.add_argument("--revision")
        p.add_argument("--allow", action="append")
        if name == "read":
            p.add_argument("--local-files-only", action="store_true")
            p.add_argument("files", nargs="*")
        if name == "download":
            p.add_argument("--may-fail", action="store_true")
    p = sub.add_parser("cached-tree")
    p.add_argument("repo")
    p.add_argument("--revision")
    p = sub.add_parser("download-file")
    p.add_argument("repo")
    p.add_argument("file")
    sub.add_parser("api").add_argument("repo")
    sub.add_parser("share")
    args = parser.parse_args()

    if args.command == "scan":
        result = scan()
    elif args.command == "read":
        result = read(args.repo, args.revision, args.files, args.allow, args.local_files_only)
    elif args.command == "download":
        result = download(args.repo, args.revision, args.allow, args.may_fail)
    elif args.command == "snapshot":
        # Offline (HF_HUB_OFFLINE=1) this reads the cache only; its error says why the cache would not do.
        result = download(args.repo, args.revision, args.allow, may_fail=True)
    elif args.command == "cached-tree":
        result = cached_tree(args.repo, args.revision)
    elif args.command == "download-file":
        result = download_file(args.repo, args.file)
    elif args.command == "share":
        result = share()
    else:
        result = api(args.repo)
    result["huggingface_hub"] = huggingface_hub.__version__
    result["cache"] = os.environ.get("HF_HUB_CACHE")
    json.dump(result, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
