"""Find a document's input file again from an output folder, for crops and source lines.

A run records the inputs as given on the command line (manifest.json's
`inputs`) and each document's `source_path` relative to them (pipeline.inputs):
a folder's files under the folder, a lone file by its name, a glob's matches
under its fixed part, an archive member as `archive.zip/member`. The same
roots are searched here (relative inputs from the current folder, or from an
explicit `inputs_root` when the files have moved). A file whose bytes no
longer hash to the document's `doc_id` has changed since the run: its crops
would show another text, so it counts as gone.
"""
from __future__ import annotations

import glob
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive import ArchiveError, Member, read_member


@dataclass
class Found:
    data: bytes | None
    where: str     # the path read (or tried), for the page
    problem: str   # "" when data is the document's own bytes


def input_roots(out_dir: Path, inputs_root: Path | list[Path] | None = None) -> list[Path]:
    """Folders under which source_paths are looked up, most specific first."""
    if inputs_root is not None:
        given = inputs_root if isinstance(inputs_root, (list, tuple)) else [inputs_root]
        return [Path(p) for p in given]
    try:
        inputs = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8")).get("inputs") or []
    except (OSError, ValueError):
        inputs = []
    roots: list[Path] = []
    for arg in inputs:
        p = Path(arg)
        root = _glob_root(arg) if glob.has_magic(arg) else p if p.is_dir() else p.parent
        if root not in roots:
            roots.append(root)
    return roots


def _glob_root(pattern: str) -> Path:
    """The fixed folder in front of a pattern's first wildcard: its matches' source_paths start there."""
    fixed = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _member_split(root: Path, source_path: str) -> tuple[Path, str] | None:
    """(archive, member) when source_path runs through a .zip file under root."""
    parts = source_path.split("/")
    for i in range(1, len(parts)):
        head = root.joinpath(*parts[:i])
        if parts[i - 1].lower().endswith(".zip") and head.is_file():
            return head, "/".join(parts[i:])
    return None


def _read_member(archive: Path, name: str) -> bytes:
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(name)
    return read_member(archive, Member(name, info.file_size))


def find_source(roots: list[Path], source_path: str, doc_id: str) -> Found:
    if not source_path:
        return Found(None, "", "no source path recorded")
    tried = ""
    for root in roots:
        path = root.joinpath(*source_path.split("/"))
        try:
            if path.is_file():
                data, where = path.read_bytes(), str(path)
            else:
                split = _member_split(root, source_path)
                if split is None:
                    tried = tried or str(path)
                    continue
                data, where = _read_member(*split), f"{split[0]} → {split[1]}"
        except (OSError, KeyError, zipfile.BadZipFile, ArchiveError) as e:
            return Found(None, str(path), f"cannot be read: {e}")
        if doc_id and "d" + hashlib.sha256(data).hexdigest()[:16] != doc_id:
            return Found(None, where, "has changed since the run (its content no longer matches the document)")
        return Found(data, where, "")
    return Found(None, tried or source_path, "is no longer there")
