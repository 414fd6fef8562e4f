"""Safe reading of `.zip` archives of plans.

Members are never written out under their own names, so a `../../x` member
cannot escape; such names are still refused and reported, because an archive
that carries them is suspect. Against zip bombs: a cap on the member count
and on the declared total size (the whole archive is refused), a cap on each
member's compression ratio and size (that member is refused), and reads that
stop at the declared size plus one byte, so a header that lies about a
member's size cannot make us inflate more than the cap.
"""
from __future__ import annotations

import stat
import zipfile
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


@dataclass(frozen=True)
class Rejected:
    name: str
    error_type: str  # unsafe_path, zip_bomb, too_large, encrypted, unsupported_format, duplicate
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
    seen: set[str] = set()
    for info in infos:
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
        if name in seen:
            bad.append(Rejected(name, "duplicate", f"{name}: a second member with this name"))
            continue
        seen.add(name)
        if info.flag_bits & 0x1:
            bad.append(Rejected(name, "encrypted", f"{name}: the member is password-protected"))
        elif info.file_size > limits.member_bytes:
            bad.append(Rejected(name, "too_large", f"{name}: {info.file_size // 1024 ** 2} MB is over the "
                                                   f"{limits.member_bytes // 1024 ** 2} MB limit"))
        elif info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            bad.append(Rejected(name, "zip_bomb", f"{name}: compression ratio "
                                                  f"{info.file_size / max(info.compress_size, 1):.0f}:1 is over {limits.ratio:.0f}:1"))
        else:
            ok.append(Member(name, info.file_size))
    return ok, bad


def read_member(path: Path, member: Member, limits: Limits = Limits()) -> bytes:
    """The member's bytes, never more than its declared size (a lying header is an error, not a bomb)."""
    cap = min(member.size, limits.member_bytes)
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member.name) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as e:
        raise ArchiveError("corrupt", f"{member.name}: could not be read from {path.name} ({type(e).__name__}: {e})") from e
    if len(data) > cap:
        raise ArchiveError("zip_bomb", f"{member.name}: inflates past its declared {member.size} bytes")
    return data
