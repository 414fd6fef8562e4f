"""Turn command-line inputs (files, folders, glob patterns, .zip archives) into work items.

Each item knows its contract `source_path`: relative to the folder given (or
to the fixed part of a glob pattern), the bare name for a file given on its
own, and `archive.zip/member/path` for an archive member. Problems found
before any document is opened (an unsafe member, a corrupt archive, a folder
that cannot be read, two inputs with the same source_path) become `Rejected`
items that end as failed rows, so they are reported like any bad document.

Folders are walked with `os.scandir`, not `glob`: a symbolic link back up the
tree (`ln -s . a`) would make `glob('**')` visit `a/a/a/…` until the kernel
gives up. Each real folder is visited once, through its own path when it is
inside the tree (links are followed only after the tree itself, so they never
claim a file first), and each real file is one item. A file name that is not
valid UTF-8 keeps a readable, lossless form in `source_path` (`display_name`).
"""
from __future__ import annotations

import fnmatch
import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

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
    index: int = -1    # the member's position in the archive's directory (two members may share a name)
    note: str = ""     # a warning for errors.csv that does not stop extraction (a duplicate member name)

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
    hides: str | None = None  # a folder that could not be read: the source_path prefix of what it holds


# --------------------------------------------------------------------------- names

_SURROGATE = re.compile("[\udc80-\udcff]")


def display_name(name: str) -> str:
    """A file name as text: itself when it is valid UTF-8; otherwise each undecodable byte as `\\xNN`
    and each backslash doubled, so the original bytes can be recovered (docs/conventions.md)."""
    if not _SURROGATE.search(name):
        return name
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", name.replace("\\", "\\\\"))


def wanted(name: str) -> bool:
    """The files a folder or an archive contributes: document types we read, or no suffix at all."""
    if name.startswith((".", "~$")):
        return False
    suffix = os.path.splitext(name)[1].lower()
    return suffix in READABLE or not suffix


def _picked(name: str) -> bool:
    return wanted(name) or (name.lower().endswith(".zip") and not name.startswith("."))


def has_magic(arg: str) -> bool:
    return glob.has_magic(arg)


# --------------------------------------------------------------------------- content

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"),
          (OLE2, ".doc"))
_KIND = {".txt": "text", ".text": "text", ".md": "text", ".markdown": "text", ".pdf": "pdf", ".docx": "docx",
         ".doc": "doc", ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
_MARKDOWN = re.compile(rb"^(?:#{1,6} |\|.*\|\s*$|\s*\|?\s*:?-{3,})", re.M)


def content_suffix(head: bytes, zip_names: Callable[[], list[str]] | None = None) -> str:
    """The suffix the bytes say ('.pdf', '.docx', '.doc', '.png', '.jpg', '.tif', '.md', '.txt'), or ""
    when they match none. `zip_names` lists a zip's members (asked only for a zip)."""
    if b"%PDF-" in head[:1024]:
        return ".pdf"
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return suffix
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zip_names() if zip_names else []
        except Exception:
            names = []
        return ".docx" if "word/document.xml" in names else ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (head.strip() and b"\x00" not in head[:4096]):
        sample = head[:8192]
        controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or controls <= 0.01 * len(sample):
            return ".md" if len(_MARKDOWN.findall(sample)) >= 2 else ".txt"
    return ""


def suffix_by_content(suffix: str, head: bytes, zip_names: Callable[[], list[str]] | None = None) -> str:
    """The suffix to read a file under: its own when its bytes agree or say nothing clear, the content's
    when the name has no suffix we read or names another binary format. A binary suffix whose bytes are
    text is kept: a `.docx` that holds text is a damaged file and is reported as one."""
    found = content_suffix(head, zip_names)
    if not found or _KIND.get(found) == _KIND.get(suffix):
        return suffix
    if suffix not in _KIND or _KIND[suffix] == "text":
        return found
    return suffix if _KIND[found] == "text" else found


# --------------------------------------------------------------------------- walking folders

@dataclass
class _Entry:
    path: str                 # as reached (through links), for opening
    parts: tuple[str, ...]    # relative to the walk's root
    is_dir: bool = False
    error: str = ""           # why it could not be read


def _walk(root: str, descend: Callable[[tuple[str, ...]], bool]) -> Iterator[_Entry]:
    """Files under `root` (and unreadable folders, broken links), each real file and folder once.

    The tree's own folders come first; links to folders and files are followed afterwards, and only
    to what was not seen, so a loop ends at once and a file keeps the path that does not go through
    a link.
    """
    seen_dirs: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
        seen_dirs.add((st.st_dev, st.st_ino))
    except OSError:
        pass
    links: list[_Entry] = []
    stack: list[_Entry] = [_Entry(root, (), True)]
    while stack or links:
        if not stack:
            link = links.pop(0)
            try:
                st = os.stat(link.path)
            except OSError as e:
                if _picked(link.parts[-1]):
                    yield _Entry(link.path, link.parts, error=f"broken symbolic link ({e.strerror or e})")
                continue
            if os.path.isdir(link.path):
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs or not descend(link.parts):
                    continue
                seen_dirs.add(key)
                stack.append(_Entry(link.path, link.parts, True))
            elif _picked(link.parts[-1]):
                yield _Entry(link.path, link.parts)
            continue
        d = stack.pop()
        try:
            with os.scandir(d.path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            yield _Entry(d.path, d.parts, True, f"the folder could not be read ({e.strerror or e})")
            continue
        subdirs = []
        for e in entries:
            parts = d.parts + (e.name,)
            try:
                if e.is_symlink():
                    links.append(_Entry(e.path, parts))
                elif e.is_dir(follow_symlinks=False):
                    if not e.name.startswith(".") and descend(parts):
                        subdirs.append(_Entry(e.path, parts, True))
                elif e.is_file(follow_symlinks=False) and _picked(e.name):
                    yield _Entry(e.path, parts)
            except OSError as err:
                yield _Entry(e.path, parts, error=f"could not be examined ({err.strerror or err})")
        try:
            for sub in subdirs:
                st = os.stat(sub.path)
                seen_dirs.add((st.st_dev, st.st_ino))
        except OSError:
            pass
        stack.extend(reversed(subdirs))  # depth first, in name order
        links.sort(key=lambda l: l.parts)


class _Pattern:
    """A glob pattern matched one path component at a time (`**`: any number of folders)."""

    def __init__(self, parts: tuple[str, ...]):
        self.parts = parts

    def _closure(self, states: set[int]) -> set[int]:
        out, todo = set(states), list(states)
        while todo:
            i = todo.pop()
            if i < len(self.parts) and self.parts[i] == "**" and i + 1 not in out:
                out.add(i + 1)
                todo.append(i + 1)
        return out

    def states(self, parts: tuple[str, ...]) -> set[int]:
        s = self._closure({0})
        for c in parts:
            nxt = set()
            for i in s:
                if i >= len(self.parts):
                    continue
                p = self.parts[i]
                if c.startswith(".") and not p.startswith("."):
                    continue  # like glob: wildcards do not match hidden names
                if p == "**":
                    nxt.add(i)
                elif fnmatch.fnmatchcase(c, p):
                    nxt.add(i + 1)
            s = self._closure(nxt)
            if not s:
                break
        return s

    def full(self, parts: tuple[str, ...]) -> bool:
        return len(self.parts) in self.states(parts)

    def inside_match(self, parts: tuple[str, ...]) -> bool:
        """A folder among `parts`' ancestors (or `parts` itself) matches the whole pattern."""
        return any(self.full(parts[:k]) for k in range(1, len(parts) + 1))


def _glob_base(pattern: str) -> tuple[Path, tuple[str, ...]]:
    """The fixed folder in front of the first wildcard (the root for the pattern's source_paths), and the rest."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return (Path(*fixed) if fixed else Path(".")), tuple(parts[len(fixed):])


# --------------------------------------------------------------------------- collecting

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
                                          f"{display_name(key[0])}{'/' + key[1] if key[1] else ''}: another input "
                                          f"already has the source_path {source!r}; give the folders separately "
                                          f"with distinct names"))
        return False

    def file(self, path: Path, source: str) -> None:
        if path.suffix.lower() == ".zip":
            self.archive(path, source)
            return
        real = os.path.realpath(path)
        if self._claim(source, (real, ""), path.suffix.lower().lstrip(".")):
            try:
                size = os.stat(real).st_size
            except OSError:
                size = 0
            self.items.append(Item(source, real, "", size))

    def archive(self, path: Path, source: str) -> None:
        real = os.path.realpath(path)
        try:
            members, refused = list_members(path, wanted, self.limits)
        except ArchiveError as e:
            if self._claim(source, (real, ""), "zip"):
                self.rejected.append(Rejected(source, "zip", "archive", e.error_type, str(e)))
            return
        name = display_name(path.name)
        for m in members:
            suffix = f"~{m.occurrence}" if m.occurrence > 1 else ""
            src = f"{source}/{m.name}{suffix}"
            note = (f"{name}: member {m.index + 1} is the {_ordinal(m.occurrence)} named {m.name!r}; it is read as "
                    f"itself, as {m.name}{suffix}") if suffix else ""
            if self._claim(src, (real, f"#{m.index}"), os.path.splitext(m.name)[1].lower().lstrip(".")):
                self.items.append(Item(src, real, m.name, m.size, m.index, note))
        for r in refused:
            src = f"{source}/{r.name}"
            if self._claim(src, (real, r.name), os.path.splitext(r.name)[1].lower().lstrip(".")):
                self.rejected.append(Rejected(src, os.path.splitext(r.name)[1].lower().lstrip("."), "archive",
                                              r.error_type, f"{name}: {r.message}"))

    def walk(self, root: Path, prefix: tuple[str, ...] = (), pattern: _Pattern | None = None) -> None:
        """Files under `root`, named relative to it after `prefix`; with a pattern, those it matches."""
        def descend(parts: tuple[str, ...]) -> bool:
            return pattern is None or bool(pattern.states(parts)) or pattern.inside_match(parts)

        label = root.name or str(root)
        for e in _walk(str(root), descend):
            parts = prefix + e.parts
            source = display_name("/".join(parts))
            if pattern is not None and not (pattern.full(e.parts) or pattern.inside_match(e.parts[:-1])):
                if not (e.is_dir and e.error and descend(e.parts)):
                    continue
            if e.error and e.is_dir:
                where = source + "/" if source else display_name(label) + "/"
                self.rejected.append(Rejected(where, "", "discover", "unreadable",
                                              f"{where}: {e.error}; documents under it from earlier runs are kept "
                                              f"as they were", hides=source + "/" if source else ""))
            elif e.error:
                if self._claim(source, (e.path, ""), os.path.splitext(e.parts[-1])[1].lower().lstrip(".")):
                    self.rejected.append(Rejected(source, os.path.splitext(e.parts[-1])[1].lower().lstrip("."),
                                                  "discover", "unreadable", f"{source}: {e.error}"))
            else:
                self.file(Path(e.path), source)


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")


def discover(inputs: list[str], limits: Limits = Limits()) -> tuple[list[Item], list[Rejected], list[str]]:
    """(items, rejected, unmatched inputs). A folder is searched recursively; archives found in it are opened."""
    c = _Collector(limits)
    unmatched: list[str] = []
    for arg in inputs:
        p = Path(arg)
        if p.is_dir():
            c.walk(p)
        elif p.is_file():
            c.file(p, display_name(p.name))
        elif has_magic(arg):
            base, rest = _glob_base(arg)
            before = len(c.items) + len(c.rejected)
            if base.is_dir():
                c.walk(base, pattern=_Pattern(rest))
            if len(c.items) + len(c.rejected) == before:
                unmatched.append(arg)
        else:
            unmatched.append(arg)
    return c.items, c.rejected, unmatched
