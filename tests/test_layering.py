"""Imports point one way: no module of the project imports, even lazily, a module that imports it back.

The OCR package is layered (README, "OCR"): each module uses only those below it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "extractors", "models", "kehoach")
OCR_ORDER = ["engine", "prep", "layout", "tables", "page", "__init__"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Project modules `path` imports anywhere in its body (function-level imports included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = subs if all(s in known for s in subs) else [node.module] + subs  # submodules, or names of it
        out |= {n for n in names if n in known}
    return out


def graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py")]
    known = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, known) - {module_name(p)} for p in files}


def test_no_import_cycles() -> None:
    g = graph()
    # a package's __init__ importing its own submodules is the package's API, not a cycle
    g = {m: {d for d in deps if not (d.startswith(m + ".") and (ROOT / m.replace(".", "/") / "__init__.py").exists())}
         for m, deps in g.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(g.get(m, ())):
            if state.get(d) == 1:
                cycles.append(path[path.index(d):] + [d] if d in path else [m, d])
            elif d not in state:
                visit(d, path + [d])
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_ocr_modules_use_only_those_below() -> None:
    g = graph()
    for k, name in enumerate(OCR_ORDER):
        mod = "pipeline.loaders.ocr" + ("" if name == "__init__" else f".{name}")
        below = {"pipeline.loaders.ocr." + n for n in OCR_ORDER[:k] if n != "__init__"}
        used = {d for d in g[mod] if d.startswith("pipeline.loaders.ocr")} - {mod}
        assert used <= below, (mod, used - below)
