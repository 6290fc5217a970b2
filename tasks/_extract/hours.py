"""Opening hours stated apart from their event (part of tasks/extract.py).

美食节开放时间为每天11:00至22:00, 开放时间为11月19日至20日每天9:00-17:00，11月21日9:00-15:00,
展会期间每天…开放，3月29日14:00闭馆: the one matching multi-day event takes its first opening
and last closing time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from tasks._extract.base import (
    Finder,
    _Cand,
    _NAME_END,
    _Sentence,
    _clean_name,
    _day,
    _hhmm,
    _tod_of_hour,
)
from tasks.extract_dates import DateContext
from tasks.models import SHANGHAI

# opening hours given apart from the event: 开放时间为11月19日至20日每天9:00-17:00，11月21日9:00-15:00;
# 美食节开放时间为每天11:00至22:00
_HOURS_LABEL = re.compile(
    r"(?P<subj>[^，,。；;：:\s]{0,12}?)(?:开放|开馆|营业|参观|观展|比赛|活动|演出|展出)时间\s*(?:为|是|:)\s*"
    r"|(?P<during>[^，,。；;：:\s]{1,12}?)期间(?=\s*(?:每天|每日)\s*\d{1,2}:\d{2}[^，,。；;]*开放)"
)
_DAILY_HOURS = re.compile(r"(?:每天|每日)?\s*(?P<a>\d{1,2}:\d{2})\s*(?:-|至|到)\s*(?P<b>\d{1,2}:\d{2})")


# …，3月29日14:00闭馆: the last day closes early
_CLOSING = re.compile(r"\d{1,2}:\d{2}\s*(?:提前)?(?:闭馆|闭展|撤展|结束|闭幕)")


# subjects of an hours sentence that name no event of their own: the release's one multi-day event
_GENERIC_HOURS_SUBJECTS = frozenset({"", "展会", "展览", "活动", "比赛", "赛事", "演出", "本届展会", "展会现场", "博览会"})


def _fill_hours(cands: list[_Cand], sentences: list[_Sentence], pub: datetime, finder: Finder) -> None:
    """Opening hours stated after a multi-day event give its first day's opening and last day's closing.

    Only for an event with a start day but no clock time, and only when exactly one such event
    matches: by the hours' days (dated hours) or by its name's head noun (美食节开放时间为每天…).
    """
    multi = [c for c in cands if c.end is not None and not isinstance(c.start, datetime)]
    if not multi:
        return
    for s in sentences:
        if "时间" not in s.norm and "期间" not in s.norm:
            continue
        h = _HOURS_LABEL.search(s.norm)
        if h is None:
            continue
        later = [c for c in multi if c.line <= s.line and not isinstance(c.start, datetime)]
        if not later:
            continue
        daily = _DAILY_HOURS.match(s.norm, h.end())
        if daily is not None:
            subj = _clean_name(h.group("subj") if h.group("subj") is not None else h.group("during"))
            noun = _NAME_END.search(subj)
            hit = [c for c in later if noun is not None and noun.group(0) in c.name]
            if not hit and subj in _GENERIC_HOURS_SUBJECTS and len(later) == 1:
                hit = later
            a, b = _hhmm(daily.group("a")), _hhmm(daily.group("b"))
            if len(hit) == 1 and a is not None and b is not None and b > a:
                closing = _CLOSING.search(s.norm, daily.end())
                last = _day(hit[0].end)  # type: ignore[arg-type]
                early = next((m for m in finder(s.norm, pub, DateContext(pub)) if closing and m.start_day == last and m.times and m.start > daily.end()), None)
                _set_hours(hit[0], hit[0].start, a, last, early.times[0] if early is not None else b)  # type: ignore[arg-type]
            continue
        for m in finder(s.norm, pub, DateContext(pub)):
            if not m.times or m.start < h.end():
                continue
            hit = [c for c in later if _day(c.start) <= m.start_day <= _day(c.end)]  # type: ignore[arg-type]
            if len(hit) != 1:
                continue
            c = hit[0]
            last = m.end_day or m.start_day
            b = m.times[-1] if len(m.times) >= 2 and not m.midnight else None
            if m.start_day == c.start:
                _set_hours(c, m.start_day, m.times[0], last if b is not None and last == _day(c.end) else None, b)  # type: ignore[arg-type]
            elif last == _day(c.end) and b is not None:  # type: ignore[arg-type]
                _set_hours(c, None, None, last, b)


def _set_hours(c: _Cand, first: date | None, a: time | None, last: date | None, b: time | None) -> None:
    if first is not None and a is not None and not isinstance(c.start, datetime):
        c.start = datetime.combine(first, a, tzinfo=SHANGHAI)
        c.tod = c.tod or _tod_of_hour(a.hour)
    if last is not None and b is not None and not isinstance(c.end, datetime):
        c.end = datetime.combine(last, b, tzinfo=SHANGHAI)
