"""Unit prices of common items across the plans of a run, with outliers marked.

Items are grouped by a key: a known item's name when the line's text (lower
case, without diacritics) matches one of `COMMON` ("Nước uống đại biểu" and
"nước suối" are both nước uống), else the line's first four words so folded;
the unit, folded the same way, is part of the key (a price per person is no
price per day). A group is shown when prices from at least `MIN_PLANS`
plans are in it.

Outlier rule, documented in the README: within a group of at least 3
prices, a price is an outlier when it is more than 3 times the group's
median or less than a third of it; in a group of at least 5 prices, also
when it lies more than 1.5 IQR below the first quartile or above the third
(quartiles by linear interpolation, as numpy's default).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from extractors.text_utils import ascii_fold

MIN_PLANS = 2
MAX_GROUPS = 12

# (label shown, pattern over the folded item text)
COMMON: list[tuple[str, str]] = [
    ("Nước uống", r"\bnuoc (uong|suoi|khoang)\b"),
    ("Giải khát, tea break", r"\bgiai khat\b|\btea ?-?break\b|\bnuoc che\b"),
    ("Tiền ăn", r"\b(tien an|an trua|an ca|suat an|com trua|an uong)\b"),
    ("Thuê hội trường", r"\bthue (hoi truong|phong hop|dia diem)\b"),
    ("Thuê xe", r"\b(thue xe|tien xe)\b"),
    ("Băng rôn, banner", r"\b(bang ron|bang-ron|banner|bang zon)\b"),
    ("Phông, ma két", r"\b(phong nen|phong hoi truong|phong sau khau|maket|ma ket|backdrop)\b"),
    ("Báo cáo viên", r"\bbao cao vien\b"),
    ("Tài liệu", r"\btai lieu\b"),
    ("Văn phòng phẩm", r"\bvan phong pham\b"),
    ("Hoa, trang trí", r"\b(trang tri|hoa tuoi|lang hoa|bo hoa|hoa tang)\b"),
    ("Âm thanh, ánh sáng", r"\b(am thanh|anh sang)\b"),
    ("Bồi dưỡng", r"\bboi duong\b"),
    ("Giấy khen, khung", r"\b(giay khen|khung giay khen)\b"),
]
_COMMON = [(label, re.compile(p)) for label, p in COMMON]


def _folded(text: str) -> str:
    t = ascii_fold(text or "")
    t = re.sub(r"\([^)]*\)", " ", t)
    t = re.sub(r"[^a-z ]+", " ", t)
    return " ".join(t.split())


def item_key(item: str) -> tuple[str, bool]:
    """(key, known): the common item's label, or the item's first four folded words."""
    folded = _folded(item)
    for label, pattern in _COMMON:
        if pattern.search(folded):
            return label, True
    return " ".join(folded.split()[:4]), False


def unit_key(unit: str) -> str:
    return _folded(unit).replace(" ", "")


def quantile(values: list[float], q: float) -> float:
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def outliers(values: list[float]) -> list[bool]:
    n = len(values)
    if n < 3:
        return [False] * n
    med = quantile(values, 0.5)
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    iqr = q3 - q1
    out = []
    for v in values:
        far = med > 0 and (v > 3 * med or v < med / 3)
        if n >= 5 and (v < q1 - 1.5 * iqr or v > q3 + 1.5 * iqr):
            far = True
        out.append(far)
    return out


@dataclass
class Price:
    value: int
    doc_id: str
    anchor: str
    label: str     # the plan, for the point's tooltip
    item: str      # as printed
    outlier: bool = False


@dataclass
class Group:
    label: str
    unit: str
    known: bool
    prices: list[Price] = field(default_factory=list)

    @property
    def plans(self) -> int:
        return len({p.doc_id for p in self.prices})


def price_groups(lines: list[dict], doc_labels: dict[str, str], min_plans: int = MIN_PLANS,
                 max_groups: int = MAX_GROUPS) -> list[Group]:
    """Groups of unit prices (known items first, then by number of plans), outliers marked."""
    groups: dict[tuple[str, str], Group] = {}
    units: dict[tuple[str, str], Counter] = defaultdict(Counter)
    names: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for ln in lines:
        if ln["is_total"] == "true" or ln.get("is_subtotal") == "true":
            continue
        price = int(ln["unit_price"]) if re.fullmatch(r"\d+", ln["unit_price"] or "") else 0
        if price <= 0:
            continue
        key, known = item_key(ln["item"])
        if not key:
            continue
        k = (key, unit_key(ln["unit"]))
        g = groups.setdefault(k, Group(key, "", known))
        g.prices.append(Price(price, ln["doc_id"], f"{ln['table_id']}-r{ln['row']}",
                              doc_labels.get(ln["doc_id"], ln["doc_id"]), ln["item"]))
        units[k][ln["unit"]] += 1
        names[k][ln["item"]] += 1
    shown = [(k, g) for k, g in groups.items() if g.plans >= min_plans]
    shown.sort(key=lambda kg: (not kg[1].known, -kg[1].plans, kg[0]))
    out = []
    for k, g in shown[:max_groups]:
        g.unit = units[k].most_common(1)[0][0]
        if not g.known:
            g.label = names[k].most_common(1)[0][0]
        for p, far in zip(g.prices, outliers([p.value for p in g.prices])):
            p.outlier = far
        out.append(g)
    return out
