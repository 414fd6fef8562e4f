"""Metamorphic tests: a change that does not change what a plan says must not change what is extracted.

Each test takes generated plans (fixed seed), applies one such change — the table reflowed into text
lines, the words line moved into or out of its table, a page break inside the table, another file
format, OCR-like noise — and compares what the plan says about money: every budget line's figures,
every table's totals and words, and every finding (check, expected, found).
"""
from __future__ import annotations

import copy
import random
import re

import pytest

from tests.fixtures.compose import compose
from tests.fixtures.corpus import SUFFIX, extract_bytes, render
from tests.fixtures.render_text import render_txt
from tests.fixtures.spec import BudgetTable, Plan

SEED = 77
PLANS = range(12)


def says(ex) -> tuple:
    """What a plan says about money, as extracted: figures and findings, not wording or layout."""
    lines = [(l.table_id, l.row, l.is_total, l.quantity, l.unit_price, l.amount) for l in ex.budget_lines]
    tables = [(t.table_id, t.stated_total, t.computed_total, t.words_amount) for t in ex.budget_tables]
    flags = sorted((f.check, f.table_id, f.row, f.expected, f.found) for f in ex.flags)
    return lines, tables, flags, ex.document.stated_total_vnd


def plan_of(index: int, **style) -> Plan:
    plan, _ = compose(SEED, index)
    plan = copy.deepcopy(plan)
    plan.style.fmt = "txt"
    for k, v in style.items():
        setattr(plan.style, k, v)
    return plan


def extracted(plan: Plan, fmt: str = "txt") -> tuple:
    return says(extract_bytes(render(plan, fmt), f"{plan.name}{SUFFIX[fmt]}"))


def tables_of(plan: Plan) -> list[BudgetTable]:
    out = []
    def walk(sections):
        for s in sections:
            out.extend(b for b in s.body if isinstance(b, BudgetTable))
            walk(s.children)
    walk(plan.sections)
    return out


def has_money(plan: Plan) -> bool:
    return bool(tables_of(plan))


@pytest.mark.parametrize("index", PLANS)
@pytest.mark.parametrize("style", ["spaces", "cells", "layout"])
def test_a_table_reflowed_into_text_lines_says_the_same(index, style):
    base = plan_of(index, txt_tables="tabs", text_mode="clean")
    if not has_money(base):
        pytest.skip("no budget table")
    assert extracted(plan_of(index, txt_tables=style, text_mode="clean")) == extracted(base)
    assert extracted(plan_of(index, txt_tables=style, text_mode="pdf")) == extracted(base)


@pytest.mark.parametrize("index", PLANS)
@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_another_format_says_the_same(index, fmt):
    plan = plan_of(index, txt_tables="tabs")
    if not has_money(plan):
        pytest.skip("no budget table")
    other = copy.deepcopy(plan)
    other.style.fmt = "md" if fmt == "md" else "txt"
    assert extracted(other, fmt) == extracted(plan)


@pytest.mark.parametrize("index", PLANS)
@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
def test_moving_the_words_line_into_or_out_of_the_table_says_the_same(index, fmt):
    plan = plan_of(index, txt_tables="spaces")
    if not any(t.words for t in tables_of(plan)):
        pytest.skip("no words line")
    moved = copy.deepcopy(plan)
    for t in tables_of(moved):
        t.words_place = "after" if t.words_place == "row" else "row"
    assert extracted(moved, fmt) == extracted(plan, fmt)


@pytest.mark.parametrize("index", PLANS)
@pytest.mark.parametrize("fmt,style", [("txt", "tabs"), ("txt", "spaces"), ("txt", "cells"), ("txt", "layout"),
                                       ("docx", "tabs"), ("pdf", "tabs")])
def test_a_page_break_inside_a_table_says_the_same(index, fmt, style):
    plan = plan_of(index, txt_tables=style, text_mode="pdf", docx_split=True)
    for t in tables_of(plan):
        t.split_after = None
    long = [t for t in tables_of(plan) if len(t.leaves()) >= 3 and not any(hasattr(e, "lines") for e in t.lines)]
    if not long:
        pytest.skip("no table long enough to break")
    broken = copy.deepcopy(plan)
    for t in tables_of(broken):
        if len(t.leaves()) >= 3 and not any(hasattr(e, "lines") for e in t.lines):
            t.split_after = 2
    assert extracted(broken, fmt) == extracted(plan, fmt)


@pytest.mark.parametrize("fmt", ["pdf"])
@pytest.mark.parametrize("rules", ["unruled", "hrules"])
@pytest.mark.parametrize("index", PLANS)
def test_a_table_drawn_without_its_rules_says_the_same(index, rules, fmt):
    plan = plan_of(index, pdf_tables="ruled")
    if not has_money(plan):
        pytest.skip("no budget table")
    assert extracted(plan_of(index, pdf_tables=rules), fmt) == extracted(plan, fmt)


# --- OCR-like noise -------------------------------------------------------------------------------

SWAPS = {"ố": "ó", "ồ": "ò", "ế": "é", "ề": "è", "Ế": "É", "ộ": "ọ", "ớ": "ó", "ư": "u", "ữ": "ữ", "ả": "á", "ạ": "a"}
LOOKALIKE = {"0": "O", "1": "l"}
FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+")


def noisy(text: str, rng: random.Random) -> str:
    """OCR-like noise that changes no figure and no finding: marks swapped in words (ố→ó, Ế→É), O for 0
    and l for 1 inside table figures, two words of an item glued, a colon or final stop dropped."""
    out = []
    for line in text.split("\n"):
        if "\t" in line:  # a table row: noise in the item, look-alikes in the figures
            cells = line.split("\t")
            cells = [FIGURE.sub(lambda m: "".join(LOOKALIKE.get(ch, ch) if rng.random() < 0.3 else ch
                                                   for ch in m.group()), c) if FIGURE.fullmatch(c.strip(" đ")) else c
                     for c in cells]
            if len(cells) > 1 and " " in cells[1] and rng.random() < 0.5:
                cells[1] = cells[1].replace(" ", "", 1)
            line = "\t".join(cells)
        elif rng.random() < 0.5:
            line = line.replace("Bằng chữ:", "Bằng chữ").rstrip(".") if "Bằng chữ" in line else line
        line = "".join(SWAPS.get(ch, ch) if rng.random() < 0.25 else ch for ch in line)
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("index", PLANS)
def test_ocr_like_noise_says_the_same(index):
    plan = plan_of(index, txt_tables="tabs", text_mode="clean")
    if not has_money(plan):
        pytest.skip("no budget table")
    text = render_txt(plan)
    clean = says(extract_bytes(text.encode(), "plan.txt"))
    for k in range(3):
        assert says(extract_bytes(noisy(text, random.Random(k)).encode(), "plan.txt")) == clean, f"noise seed {k}"
