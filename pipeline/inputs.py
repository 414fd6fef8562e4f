"""Turn command-line inputs (files, folders, glob patterns, .zip archives) into work items.

Each item knows its contract `source_path`: relative to the folder given (or
to the fixed part of a glob pattern), the bare name for a file given on its
own, and `archive.zip/member/path` for an archive member. Problems found
before any document is opened (an unsafe member, a corrupt archive, two
inputs with the same source_path) become `Rejected` items that end as
failed rows, so they are reported like any bad document.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive import ArchiveError, Limits, list_members
from pipeline.loaders import IMAGE_SUFFIXES, SUPPORTED

READABLE = SUPPORTED | IMAGE_SUFFIXES


@dataclass(frozen=True)
class Item:
    """One document to extract: a file, or a member of an archive."""

    source_path: str
    path: str          # absolute path of the file (of the archive, for a member)
    member: str = ""   # member name inside the archive, "" for a plain file
    size: int = 0

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.member or self.path)[1].lower()


@dataclass(frozen=True)
class Rejected:
    """An input refused before extraction: it becomes a failed documents row and an errors row."""

    source_path: str
    source_format: str
    stage: str
    error_type: str
    message: str


def wanted(name: str) -> bool:
    """The files a folder or an archive contributes: document types we read, or no suffix at all."""
    if name.startswith((".", "~$")):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in READABLE or not suffix


def has_magic(arg: str) -> bool:
    return glob.has_magic(arg)


def _glob_base(pattern: str) -> Path:
    """The fixed folder in front of the first wildcard: the root for the pattern's source_paths."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


class _Collector:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.items: list[Item] = []
        self.rejected: list[Rejected] = []
        self._by_source: dict[str, tuple[str, str]] = {}
        self._keys: set[tuple[str, str]] = set()

    def _claim(self, source: str, key: tuple[str, str], fmt: str) -> bool:
        """First input wins: the same file twice (under any name) is dropped, another file with a taken
        source_path is refused."""
        prev = self._by_source.get(source)
        if prev is None:
            if key in self._keys:
                return False
            self._by_source[source] = key
            self._keys.add(key)
            return True
        if prev != key:
            self.rejected.append(Rejected(source, fmt, "discover", "duplicate_path",
                                          f"{key[0]}{'/' + key[1] if key[1] else ''}: another input already has the "
                                          f"source_path {source!r}; give the folders separately with distinct names"))
        return False

    def file(self, path: Path, source: str) -> None:
        if path.suffix.lower() == ".zip":
            self.archive(path, source)
            return
        real = str(path.resolve())
        if self._claim(source, (real, ""), path.suffix.lower().lstrip(".")):
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            self.items.append(Item(source, real, "", size))

    def archive(self, path: Path, source: str) -> None:
        real = str(path.resolve())
        try:
            members, refused = list_members(path, wanted, self.limits)
        except ArchiveError as e:
            if self._claim(source, (real, ""), "zip"):
                self.rejected.append(Rejected(source, "zip", "archive", e.error_type, str(e)))
            return
        for m in members:
            src = f"{source}/{m.name}"
            if self._claim(src, (real, m.name), os.path.splitext(m.name)[1].lower().lstrip(".")):
                self.items.append(Item(src, real, m.name, m.size))
        for r in refused:
            src = f"{source}/{r.name}"
            if self._claim(src, (real, r.name), os.path.splitext(r.name)[1].lower().lstrip(".")):
                self.rejected.append(Rejected(src, os.path.splitext(r.name)[1].lower().lstrip("."), "archive",
                                              r.error_type, f"{path.name}: {r.message}"))

    def folder(self, folder: Path, root: Path) -> None:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and wanted(p.name) or (p.is_file() and p.suffix.lower() == ".zip" and not p.name.startswith(".")):
                self.file(p, p.relative_to(root).as_posix())


def discover(inputs: list[str], limits: Limits = Limits()) -> tuple[list[Item], list[Rejected], list[str]]:
    """(items, rejected, unmatched inputs). A folder is searched recursively; archives found in it are opened."""
    c = _Collector(limits)
    unmatched: list[str] = []
    for arg in inputs:
        p = Path(arg)
        if p.is_dir():
            c.folder(p, p)
        elif p.is_file():
            c.file(p, p.name)
        elif has_magic(arg):
            base = _glob_base(arg)
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                unmatched.append(arg)
            for m in map(Path, matches):
                if m.is_dir():
                    c.folder(m, base)
                elif m.is_file() and (wanted(m.name) or m.suffix.lower() == ".zip"):
                    c.file(m, Path(os.path.relpath(m, base)).as_posix())
        else:
            unmatched.append(arg)
    return c.items, c.rejected, unmatched
