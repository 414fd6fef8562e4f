"""Dated mentions of named events, for the date_conflict check.

An event is keyed by its kind (lễ mít tinh, hội nghị, …) and the words that
name it, up to the first punctuation; two mentions with the same key and
different single dates are one event given two dates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.sections import Section
from extractors.text_utils import find_dates, fold
from models.document import Block

EVENT = re.compile(
    r"\b(lễ mít tinh|lễ míttinh|mít tinh|lễ ra quân|lễ phát động|lễ khai mạc|lễ bế mạc|lễ kỷ niệm|lễ tổng kết|"
    r"lễ trao giải|lễ công bố|hội nghị|hội thảo|hội thi|triển lãm|họp mặt|tọa đàm|diễn đàn|giải chạy|"
    r"liên hoan|hội diễn|ngày hội|chương trình nghệ thuật|diễn tập|hội thao|hội chợ|cuộc thi|đại hội|tuần lễ|"
    r"lễ dâng hương|lễ đón nhận|lễ tuyên dương|lễ chào cờ)\b([^.,;:()\n]{0,90})",
    re.I,
)
STOP = re.compile(r"\s(?:vào|dự kiến|tại|ngày\s+\d|từ\s+ngày|trong\s+thời\s+gian|do|nhằm|để|với|được|sẽ|đã|diễn ra|tổ chức vào)\b.*$", re.I)
# A date next to these words is a deadline or a preparatory step, not the event's own date.
NOT_EVENT_DATE = re.compile(r"\b(trước ngày|hạn|đăng ký|gửi|báo cáo|nộp|vòng|sơ khảo|chung khảo|chung kết|chuẩn bị|tổng duyệt|"
                            r"hoàn thành|hoàn tất|kết thúc|bắt đầu|thông báo)\b", re.I)


@dataclass
class EventMention:
    key: str  # "lễ mít tinh hưởng ứng ngày chuyển đổi số quốc gia"
    when: date
    section_id: str
    text: str


def event_key(kind: str, name: str) -> str:
    name = STOP.sub("", " " + name).strip()
    name = re.sub(r"\s*\d{1,2}/\d{1,2}(?:/\d{4})?\s*$", "", name)
    name = re.sub(r"[\"“”'‘’]", "", name)
    return fold(f"{kind} {name}").lower()


def mentions_in(text: str, section_id: str) -> list[EventMention]:
    """A sentence that names one event and gives exactly one full date dates that event."""
    out = []
    for sentence in re.split(r"(?<=[.;])\s+", text):
        dates = find_dates(sentence)
        events = list(EVENT.finditer(sentence))
        if len(dates) != 1 or len(events) != 1 or re.search(r"\bđến\b|\s[-–]\s*\d", sentence):
            continue
        # "… phục vụ Hội nghị X vào ngày 18/12": the date is the event's own even amid other work;
        # otherwise a deadline or preparatory word means the date is not the event's.
        between = sentence[events[0].start():dates[0][0]]
        attached = events[0].start() < dates[0][0] and re.search(r"(vào|diễn ra|tổ chức)\s+(vào\s+)?ngày\s*$", between)
        if NOT_EVENT_DATE.search(sentence) and not (attached and not re.search(r"trước\s+ngày\s*$", between)):
            continue
        ev = events[0]
        out.append(EventMention(event_key(ev.group(1), ev.group(2)), dates[0][2], section_id, sentence))
    return out


def extract_events(blocks: list[Block], block_section: dict[int, str], sections: list[Section]) -> list[EventMention]:
    out: list[EventMention] = []
    # A section titled by an event is dated by its own time field.
    for sec in sections:
        ev = EVENT.search(sec.title)
        dates = find_dates(sec.time_text)
        if ev and len(dates) == 1 and not re.search(r"\bđến\b", sec.time_text):
            out.append(EventMention(event_key(ev.group(1), ev.group(2)), dates[0][2], sec.section_id,
                                    f"{sec.title}: {sec.time_text}"))
    for block in blocks:
        if block.is_table:
            continue
        text = fold(block.text)
        if re.match(r"^[a-zđ]\)\s*Thời gian", text):
            continue  # already read through the section's time field
        out.extend(mentions_in(text, block_section.get(id(block), "")))
    return out


def same_event(a: str, b: str, keys: set[str]) -> bool:
    """Equal keys, or one names the event more fully ("lễ phát động" / "lễ phát động tết trồng cây").

    A key that is only the event's kind matches a longer one only when the plan
    names a single event of that kind, so two different hội nghị stay apart.
    """
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if not (long_ + " ").startswith(short + " "):
        return False
    kind_only = EVENT.fullmatch(short) is not None and EVENT.fullmatch(short).group(2).strip() == ""
    if not kind_only:
        return True
    longer = {k for k in keys if k != short and (k + " ").startswith(short + " ")}
    return len({k for k in longer if not any(k != o and (k + " ").startswith(o + " ") for o in longer)}) == 1
