"""Bulk inputs: .zip archives read safely (traversal, bombs, encryption, lies), globs, folders."""
from __future__ import annotations

import csv
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.archive import ArchiveError, Limits, Member, list_members, read_member, unsafe_name
from pipeline.cli import main
from pipeline.inputs import discover, wanted

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
CHECK_CONTRACT = ROOT.parent / "shared" / "tools" / "check_contract.py"


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def set_encrypted(zip_path: Path, member: str) -> None:
    """Set the 'encrypted' bit of one member in the central directory (the stdlib cannot write encryption)."""
    data = bytearray(zip_path.read_bytes())
    name = member.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + n] == name:
            flags = struct.unpack_from("<H", data, at + 8)[0]
            struct.pack_into("<H", data, at + 8, flags | 0x1)
        at += 4
    zip_path.write_bytes(bytes(data))


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    z = tmp_path / "plans.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(RAW / "kientuong-ubnd-2024.md", "2024/kientuong.md")
        zf.write(RAW / "kiengiang-stttt-2024.txt", "2024/sub/kiengiang.txt")
        zf.writestr("../../escape.txt", "KẾ HOẠCH\nI. MỤC ĐÍCH\n")
        zf.writestr("/etc/abs.txt", "x")
        zf.writestr("bomb.txt", b" " * (4 * 1024 * 1024))        # 4 MB of spaces: ~1000:1
        zf.writestr("locked.txt", "KẾ HOẠCH")
        zf.writestr("inner.zip", b"PK\x05\x06" + b"\0" * 18)
        zf.writestr("readme.xyz", "not a document type")
        zf.writestr("__MACOSX/2024/._kientuong.md", "resource fork")
        zf.writestr("empty.txt", b"")
    set_encrypted(z, "locked.txt")
    return z


def test_zip_members_are_extracted_and_bad_ones_reported(archive: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert main(["extract", str(archive), "--out", str(out), "-q", "--workers", "1"]) == 0
    docs = {d["source_path"]: d for d in read(out / "documents.csv")}
    assert docs["plans.zip/2024/kientuong.md"]["status"] == "ok"
    assert docs["plans.zip/2024/sub/kiengiang.txt"]["status"] == "ok"
    assert docs["plans.zip/empty.txt"]["status"] == "failed"
    errors = {e["source_path"]: (e["stage"], e["error_type"]) for e in read(out / "errors.csv")}
    assert errors["plans.zip/../../escape.txt"] == ("archive", "unsafe_path")
    assert errors["plans.zip//etc/abs.txt"] == ("archive", "unsafe_path")
    assert errors["plans.zip/bomb.txt"] == ("archive", "zip_bomb")
    assert errors["plans.zip/locked.txt"] == ("archive", "encrypted")
    assert errors["plans.zip/inner.zip"] == ("archive", "unsupported_format")
    assert errors["plans.zip/empty.txt"] == ("load", "empty")
    assert not any("readme" in s or "MACOSX" in s for s in docs)
    for source in errors:
        assert docs[source]["status"] == "failed"
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()
    sections = read(out / "sections.csv")
    assert {s["doc_id"] for s in sections} == {docs["plans.zip/2024/kientuong.md"]["doc_id"],
                                             docs["plans.zip/2024/sub/kiengiang.txt"]["doc_id"]}
    if CHECK_CONTRACT.exists():
        res = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(out)], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout


def test_zip_member_rows_equal_the_same_file_on_disk(archive: Path, tmp_path: Path):
    """The doc_id is the content's hash: the member and the loose file give the same rows."""
    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(RAW / "kientuong-ubnd-2024.md", loose / "kientuong.md")
    main(["extract", str(archive), "--out", str(tmp_path / "a"), "-q"])
    main(["extract", str(loose), "--out", str(tmp_path / "b"), "-q"])
    a = [r for r in read(tmp_path / "a" / "budget_lines.csv")]
    b = read(tmp_path / "b" / "budget_lines.csv")
    assert [r for r in a if r["doc_id"] == b[0]["doc_id"]] == b


def test_whole_archive_refused(tmp_path: Path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ArchiveError) as e:
        list_members(bad, wanted)
    assert e.value.error_type == "corrupt"
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(12):
            zf.writestr(f"p{i}.txt", "x")
    with pytest.raises(ArchiveError) as e:
        list_members(many, wanted, Limits(members=10))
    assert e.value.error_type == "zip_bomb"
    with pytest.raises(ArchiveError) as e:
        list_members(many, wanted, Limits(total_bytes=5))
    assert e.value.error_type == "zip_bomb"
    out = tmp_path / "out"
    assert main(["extract", str(bad), str(many), "--out", str(out), "-q"]) == 0
    docs = {d["source_path"]: d["status"] for d in read(out / "documents.csv")}
    assert docs["bad.zip"] == "failed" and len(docs) == 13


def test_a_lying_size_header_does_not_inflate(tmp_path: Path):
    z = tmp_path / "liar.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("plan.txt", "KẾ HOẠCH " * 1000)
    (member,), _ = list_members(z, wanted)
    with pytest.raises(ArchiveError):
        read_member(z, Member(member.name, 100))  # the header said 100 bytes
    assert len(read_member(z, member)) == member.size


@pytest.mark.parametrize("name,bad", [("a/b.txt", False), ("../a.txt", True), ("a/../../b.txt", True),
                                      ("/abs.txt", True), ("C:\\x.txt", True), ("a\\..\\..\\b.txt", True),
                                      ("ok..name.txt", False)])
def test_unsafe_names(name: str, bad: bool):
    assert bool(unsafe_name(name)) == bad


def test_globs_folders_and_archives_in_folders(tmp_path: Path):
    inp = tmp_path / "in"
    (inp / "a").mkdir(parents=True)
    (inp / "b").mkdir()
    shutil.copy(RAW / "kientuong-ubnd-2024.md", inp / "a" / "one.md")
    shutil.copy(RAW / "kiengiang-stttt-2024.txt", inp / "b" / "two.txt")
    with zipfile.ZipFile(inp / "b" / "more.zip", "w") as zf:
        zf.write(RAW / "kiengiang-stttt-2024.txt", "x/three.txt")
    items, rejected, unmatched = discover([str(inp / "**" / "*.txt")])
    assert [i.source_path for i in items] == ["b/two.txt"] and not rejected and not unmatched
    items, _, _ = discover([str(inp)])
    assert sorted(i.source_path for i in items) == ["a/one.md", "b/more.zip/x/three.txt", "b/two.txt"]
    items, _, _ = discover([str(inp / "*")])  # folders matched by a glob keep the glob's base as root
    assert sorted(i.source_path for i in items) == ["a/one.md", "b/more.zip/x/three.txt", "b/two.txt"]
    items, rejected, _ = discover([str(inp / "a"), str(inp / "a" / "one.md"), str(tmp_path / "in" / "a")])
    assert [i.source_path for i in items] == ["one.md"] and not rejected  # the same file twice: once
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(RAW / "kiengiang-stttt-2024.txt", other / "one.md")
    items, rejected, _ = discover([str(inp / "a"), str(other)])
    assert [r.error_type for r in rejected] == ["duplicate_path"]  # two files, one source_path: reported
    assert main(["extract", str(tmp_path / "nothing-*.txt"), "--out", str(tmp_path / "o")]) == 2
