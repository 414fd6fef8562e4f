"""Property: no arrangement of plan-like lines makes an extractor crash (an internal_error row)."""
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.loaders.text import parse_text
from pipeline.run import extract_document

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
LINES = [l for f in sorted(RAW.iterdir()) for l in f.read_text(encoding="utf-8").splitlines()]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=60)), max_size=60), st.sampled_from(["txt", "md"]))
def test_shuffled_and_garbled_plans_never_crash_a_stage(lines, fmt):
    ex = extract_document(parse_text("\n".join(lines), f"f.{fmt}", fmt))
    assert [e for e in ex.errors if e.error_type == "internal_error"] == []
    assert ex.document.status in ("ok", "partial", "failed")
