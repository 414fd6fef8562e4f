"""Safe reading of `.zip` archives of plans.

Members are never written out under their own names, so a `../../x` member
cannot escape; such names are still refused and reported, because an archive
that carries them is suspect. Against zip bombs: a cap on the member count
and on the declared total size (the whole archive is refused), a cap on each
member's compression ratio and size (that member is refused), and reads that
stop at the declared size plus one byte, so a header that lies about a
member's size cannot make us inflate more than the cap.

Members are addressed by their position in the central directory, never by
name: an archive may hold two members of one name, and `ZipFile.open(name)`
would read the last one for both. `ZipReader` keeps each archive open for a
whole pass, so planning 10,000 members parses the directory once, not 10,000
times.
"""
from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2 * 1024 ** 3      # declared uncompressed size of all members
MAX_MEMBER_BYTES = 200 * 1024 ** 2   # the same limit as a file on disk (pipeline.run.MAX_BYTES)
MAX_RATIO = 100                      # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 ** 2              # small members may compress well (repeated dots in a table)


@dataclass(frozen=True)
class Limits:
    members: int = MAX_MEMBERS
    total_bytes: int = MAX_TOTAL_BYTES
    member_bytes: int = MAX_MEMBER_BYTES
    ratio: float = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR


@dataclass(frozen=True)
class Member:
    name: str       # as stored, with "/" separators
    size: int       # declared uncompressed size
    index: int = -1  # position in the central directory (-1: look the name up, the last of that name)
    occurrence: int = 1  # 2 for the second member of the same name, …


@dataclass(frozen=True)
class Rejected:
    name: str
    error_type: str  # unsafe_path, zip_bomb, too_large, encrypted, unsupported_format
    message: str


class ArchiveError(Exception):
    """The whole archive is refused (corrupt, too many members, too large)."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def unsafe_name(name: str) -> str:
    """Why a member name could escape an extraction folder, or "" when it cannot."""
    if "\x00" in name:
        return "NUL in name"
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "absolute path"
    if ".." in PurePosixPath(norm).parts:
        return "'..' in path"
    return ""


def list_members(path: Path, wanted, limits: Limits = Limits()) -> tuple[list[Member], list[Rejected]]:
    """The members worth reading (`wanted(name)` says which suffixes) and those refused, with why."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise ArchiveError("corrupt", f"{path.name}: not a readable zip archive ({type(e).__name__}: {e})") from e
    if len(infos) > limits.members:
        raise ArchiveError("zip_bomb", f"{path.name}: {len(infos)} members, over the limit of {limits.members}")
    total = sum(i.file_size for i in infos)
    if total > limits.total_bytes:
        raise ArchiveError("zip_bomb", f"{path.name}: {total // 1024 ** 2} MB uncompressed, over the limit of "
                                       f"{limits.total_bytes // 1024 ** 2} MB")
    ok: list[Member] = []
    bad: list[Rejected] = []
    seen: dict[str, int] = {}
    for index, info in enumerate(infos):
        name = info.filename
        if info.is_dir():
            continue
        why = unsafe_name(name)
        if why:
            bad.append(Rejected(name, "unsafe_path", f"{name}: refused ({why})"))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            bad.append(Rejected(name, "unsafe_path", f"{name}: refused (symbolic link)"))
            continue
        base = PurePosixPath(name).name
        if any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(name).parts) or base.startswith("~$"):
            continue
        if not wanted(base):
            if base.lower().endswith(".zip"):
                bad.append(Rejected(name, "unsupported_format", f"{name}: archives inside archives are not opened"))
            continue
        seen[name] = occurrence = seen.get(name, 0) + 1
        if occurrence > 1:  # read as itself all the same; the caller names it apart and reports it
            name = f"{name}~{occurrence}"
        if info.flag_bits & 0x1:
            bad.append(Rejected(name, "encrypted", f"{name}: the member is password-protected"))
        elif info.file_size > limits.member_bytes:
            bad.append(Rejected(name, "too_large", f"{name}: {info.file_size // 1024 ** 2} MB is over the "
                                                   f"{limits.member_bytes // 1024 ** 2} MB limit"))
        elif info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            bad.append(Rejected(name, "zip_bomb", f"{name}: compression ratio "
                                                  f"{info.file_size / max(info.compress_size, 1):.0f}:1 is over {limits.ratio:.0f}:1"))
        else:
            ok.append(Member(info.filename, info.file_size, index, occurrence))
    return ok, bad


# What a damaged member raises while it is inflated: bad deflate data (zlib.error), a CRC mismatch
# (BadZipFile), a cut-off file (EOFError), an unknown method (NotImplementedError), a bad header.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError, NotImplementedError,
               KeyError, IndexError, OverflowError, MemoryError)


def _read_open(zf: zipfile.ZipFile, path: Path, member: Member, limits: Limits) -> bytes:
    cap = min(member.size, limits.member_bytes)
    try:
        info = zf.infolist()[member.index] if member.index >= 0 else zf.getinfo(member.name)
        if info.filename != member.name:
            raise KeyError(f"member {member.index} is {info.filename!r}, not {member.name!r}: the archive changed")
        with zf.open(info) as f:
            data = f.read(cap + 1)
    except READ_ERRORS as e:
        raise ArchiveError("corrupt", f"{member.name}: could not be read from {path.name} ({type(e).__name__}: {e})") from e
    if len(data) > cap:
        raise ArchiveError("zip_bomb", f"{member.name}: inflates past its declared {member.size} bytes")
    return data


def read_member(path: Path, member: Member, limits: Limits = Limits()) -> bytes:
    """The member's bytes, never more than its declared size (a lying header is an error, not a bomb)."""
    try:
        zf = zipfile.ZipFile(path)
    except READ_ERRORS as e:
        raise ArchiveError("corrupt", f"{member.name}: could not be read from {path.name} ({type(e).__name__}: {e})") from e
    with zf:
        return _read_open(zf, path, member, limits)


class ZipReader:
    """Members of many archives, each archive opened once for as long as the reader lives."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._open: dict[str, zipfile.ZipFile | ArchiveError] = {}

    def read(self, path: str, member: Member) -> bytes:
        zf = self._open.get(path)
        if zf is None:
            try:
                zf = zipfile.ZipFile(path)
            except READ_ERRORS as e:
                zf = ArchiveError("corrupt", f"{Path(path).name}: not a readable zip archive ({type(e).__name__}: {e})")
            self._open[path] = zf
        if isinstance(zf, ArchiveError):
            raise ArchiveError(zf.error_type, f"{member.name}: {zf}")
        return _read_open(zf, Path(path), member, self.limits)

    def close(self) -> None:
        for zf in self._open.values():
            if not isinstance(zf, ArchiveError):
                zf.close()
        self._open.clear()

    def __enter__(self) -> "ZipReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
