"""Generated plans of a fixed seed through the real pipeline, in txt, md, docx and pdf.

The seed is fixed so that CI is repeatable: these are regression tests. The evidence for plans never
seen is `benchmarks/bench_generalisation.py --seed N` on a fresh seed (see README, "Accuracy"). The
property test draws clean plans (no injected error) of any seed: none may raise a finding.
"""
from __future__ import annotations

import copy
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.compose import compose
from tests.fixtures.corpus import SUFFIX, extract_bytes, render, run_one, summary
from tests.fixtures.expected import expected_records

SEED = 2024
N = 20
FORMATS = ["txt", "md", "docx", "pdf"]


@pytest.fixture(scope="module")
def results():
    return [run_one((SEED, i, fmt, None)) for fmt in FORMATS for i in range(N)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_budget_lines_and_findings_of_generated_plans(results, fmt):
    s = summary([r for r in results if r.fmt == fmt])
    lines, flags = s.per_format[fmt]["budget_lines"], s.per_format[fmt]["flags"]
    assert lines[2] >= 0.99, f"{fmt}: budget lines F1 {lines[2]:.3f}"
    assert flags[2] >= 0.98, f"{fmt}: flags F1 {flags[2]:.3f}"
    assert s.false_on_clean[fmt] == 0, f"{fmt}: {s.false_on_clean[fmt]} findings on {s.clean_plans[fmt]} clean plans"


def test_the_generated_set_has_clean_plans_and_every_money_error(results):
    """A test set whose plans all carry errors, or none, could not tell a false finding from a missed one."""
    checks = {f["check"] for r in results for f in r.expected["flags"]}
    assert {"line_arithmetic", "table_sum", "amount_in_words", "grand_total", "malformed_number"} <= checks
    assert sum(1 for r in results if not r.expected["flags"]) >= N  # clean plans in every format


@settings(max_examples=12, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), index=st.integers(0, 9999), fmt=st.sampled_from(FORMATS))
def test_a_clean_plan_raises_no_finding(seed, index, fmt):
    plan, _ = compose(seed, index, error_rate=0.0)
    plan = copy.deepcopy(plan)
    plan.style.fmt = "md" if fmt == "md" else "txt"
    assert expected_records(plan)["flags"] == []
    ex = extract_bytes(render(plan, fmt), f"{plan.name}{SUFFIX[fmt]}")
    assert [(f.check, f.table_id, f.row, f.expected, f.found) for f in ex.flags] == [], ex.document.source_path
