"""Schedule table rows for the event extractor (part of tasks/extract.py).

A line of cells joined by spaces, as the page parser renders <td>s (日期 活动 地点), mapped by a
header line when there is one, gives its date, name and venue; a clock time stated once under a
table (每场演出时间均为19:30-21:30) applies to every row.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from tasks._extract.base import (
    EVENT_VERBS,
    _Cand,
    _EXAM_BLOCK,
    _NOT_VENUE,
    _ONLINE_WORDS,
    _PLACE_END,
    _STRONG_BLOCK,
    _Sentence,
    _WEAK_BLOCK,
    _clean_name,
    _core,
    _day,
    _hhmm,
    _is_event_name,
    _orig,
    _strip_names,
    _strip_quotes_end,
    _times,
    _tod_from_clock,
    _tod_of_hour,
    _upcoming,
)
from tasks.extract_dates import HAS_DAY, Mention
from tasks.models import SHANGHAI, TimeOfDay

# header words of a schedule table: date | name | venue columns
_HEAD_DATE = frozenset({"时间", "日期", "活动时间", "举办时间", "比赛时间", "演出时间", "开展时间", "展出时间", "时间安排", "日期时间"})
_HEAD_NAME = frozenset({"活动", "活动名称", "名称", "内容", "活动内容", "项目", "活动项目", "赛事", "赛事名称", "节目",
                        "主题", "活动主题", "场次", "展览", "展览名称", "演出", "演出名称", "比赛项目"})
_HEAD_VENUE = frozenset({"地点", "活动地点", "举办地点", "地址", "场地", "场馆", "比赛地点", "演出地点", "展出地点", "举办地"})
_HEAD_OTHER = frozenset({"序号", "备注", "主办单位", "承办单位", "主办", "承办", "时段", "星期", "对象", "参与对象",
                         "联系电话", "咨询电话", "费用", "形式", "镇街", "镇街（园区）", "类别", "规模"})
_HEAD_ALL = _HEAD_DATE | _HEAD_NAME | _HEAD_VENUE | _HEAD_OTHER
_ROW_PUNCT = re.compile(r"[，,。；;！？!?]")
_CELL = re.compile(r"(?:“[^”]*”|《[^》]*》|[（(][^）)]*[）)]|\S)+")
_TIME_CELL = re.compile(r"^(?:[（(]?(?:周|星期)[一二三四五六日天][）)]?|[上下]午|晚上|全天|\d{1,2}:\d{2}(?:\s*[-至到]\s*\d{1,2}:\d{2})?)$")


class _Row(NamedTuple):
    cells: tuple[tuple[int, int], ...]  # spans of the cells in the line
    name_col: int | None  # from the header, when there is one
    venue_col: int | None


def _cells(line: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in _CELL.finditer(line))


def _table_rows(norm_lines: list[str]) -> dict[int, _Row]:
    """Lines that are rows of a schedule table (cells joined by spaces), keyed by line number.

    A header line (时间 活动名称 地点) maps the columns of the rows under it; without one, a line
    is a row when it has at least two cells, no sentence punctuation, and starts with a date.
    """
    rows: dict[int, _Row] = {}
    header: tuple[int | None, int | None, int] | None = None  # name col, venue col, columns
    for i, line in enumerate(norm_lines):
        st = line.strip()
        if " " not in st:  # most lines: prose, not cells (checked first, a release has hundreds)
            header = None
            continue
        if header is not None:
            cells = _cells(line)
            if len(cells) == header[2]:
                rows[i] = _Row(cells, header[0], header[1])
                continue
            header = None  # a header maps only the rows right under it
        if len(st) > 120 or _ROW_PUNCT.search(st):
            continue
        cells = _cells(line)
        if len(cells) < 2:
            continue
        words = [line[x:y] for x, y in cells]
        if all(w in _HEAD_ALL for w in words) and any(w in _HEAD_DATE for w in words):
            name_col = next((k for k, w in enumerate(words) if w in _HEAD_NAME), None)
            venue_col = next((k for k, w in enumerate(words) if w in _HEAD_VENUE), None)
            header = (name_col, venue_col, len(words))
        elif HAS_DAY.match(st):
            rows[i] = _Row(cells, None, None)
    return rows


def _row_events(sent: _Sentence, mentions: list[Mention], row: _Row, pub: datetime, cands: list[_Cand]) -> None:
    """The events of one table row: its date cell(s), its name cell and its venue cell.

    Dates of one list (5月17日、18日) share the row's name and venue; separate dates in one row
    (a row that packs two entries) each own the cells up to the next date.
    """
    norm = sent.norm
    cells = list(row.cells)  # a row is a whole line, so its sentence starts where the line does
    day_ms = [m for m in mentions if not m.continues]
    if not day_ms or any(a < day_ms[0].start < b and a != day_ms[0].start for a, b in cells):
        return  # the date must start a cell: a sentence with spaces in it is not a row
    groups: list[list[Mention]] = []
    for m in day_ms:
        if groups and m.list_group is not None and groups[-1][-1].list_group == m.list_group:
            groups[-1].append(m)
        else:
            groups.append([m])
    for k, group in enumerate(groups):
        stop = groups[k + 1][0].start if k + 1 < len(groups) else len(norm)
        covered = max(m.end for m in group)
        rest = [(a, b) for a, b in cells if a >= covered and b <= stop and not _TIME_CELL.match(norm[a:b])]
        found = _row_name_venue(sent, cells, rest, row)
        if found is None:
            continue
        name, venue = found
        if _SEQ_CELL.fullmatch(_core(name)):
            # 日期 场次 地点 / 10月17日 第一场 石碣镇文化广场: the show of the event announced above
            above = next((c for c in reversed(cands) if not c.from_row and c.line < sent.line and c.name_quality >= 2), None)
            if above is not None:
                name = above.name + name
        for m in group:
            if not _upcoming(m, pub, "将"):
                continue
            start, end = _times(m)
            tod = TimeOfDay(m.tod) if m.tod else _tod_from_clock(m)
            lg = (sent.start, m.list_group) if m.list_group is not None else None
            cands.append(_Cand(name, 2, start, end, tod, venue, None, sent.orig.strip(), sent.line, sent.start + m.start, lg, True))


_CELL_VERB_END = re.compile(f"(?:{EVENT_VERBS})$")
_CELL_SENTENCE = re.compile(r"[在于].{1,20}(?:观看|参加|参与|体验|游览|打卡|参观)|(?:市民|游客|观众|群众|选手)(?:在|于|们)")


# cells after the name that are notes, not places: 免费, 凭票入场, 50元/人, 需预约
_NOT_VENUE_CELL = re.compile(r"免费|收费|\d+\s*元|票|预约|报名|待定|备注|需|可|详见|另行|^[-—/无]$")


# a row's name cell that only counts the shows of one event: 第一场, 首场, 第3站
_SEQ_CELL = re.compile(r"(?:第[一二三四五六七八九十\d]{1,3}|首)(?:场|站|期|轮|批)")


# the line under a table giving every row's clock time: 每场演出时间均为19:30-21:30
_SHARED_CLOCK = re.compile(
    r"(?:每场|各场|均|每天|每晚|每站)[^。；;\n\d]{0,12}?(?P<a>\d{1,2}:\d{2})(?:\s*(?:-|至|到)\s*(?P<b>\d{1,2}:\d{2}))?"
)


def _fill_row_times(cands: list[_Cand], norm_lines: list[str]) -> None:
    """A clock time stated once right under a table (每场演出时间均为19:30-21:30) applies to each row."""
    rows = [c for c in cands if c.from_row]
    if not rows:
        return
    blocks: list[list[_Cand]] = []
    for c in rows:
        if blocks and 0 <= c.line - blocks[-1][-1].line <= 1:
            blocks[-1].append(c)
        else:
            blocks.append([c])
    for block in blocks:
        below = block[-1].line + 1
        if below >= len(norm_lines) or HAS_DAY.search(norm_lines[below]):
            continue
        sc = _SHARED_CLOCK.search(norm_lines[below])
        if sc is None:
            continue
        a = _hhmm(sc.group("a"))
        b = _hhmm(sc.group("b")) if sc.group("b") else None
        if a is None:
            continue
        for c in block:
            if isinstance(c.start, datetime):
                continue
            first, last = c.start, _day(c.end) if c.end is not None else c.start
            c.start = datetime.combine(first, a, tzinfo=SHANGHAI)
            if b is not None and b > a:
                c.end = datetime.combine(last, b, tzinfo=SHANGHAI)
            c.tod = c.tod or _tod_of_hour(a.hour)


def _row_name_venue(
    sent: _Sentence, cells: list[tuple[int, int]], rest: list[tuple[int, int]], row: _Row
) -> tuple[str, str | None] | None:
    """The name and venue cells among ``rest`` (the cells after a date), by header or by content."""
    if not rest:
        return None
    norm = sent.norm
    name_span: tuple[int, int] | None = None
    venue_span: tuple[int, int] | None = None
    if row.name_col is not None and row.name_col < len(cells) and cells[row.name_col] in rest:
        name_span = cells[row.name_col]
    if row.venue_col is not None and row.venue_col < len(cells) and cells[row.venue_col] in rest:
        venue_span = cells[row.venue_col]
    if name_span is None:
        # a cell ending in an event noun, or in a verb after one (“水乡风情”摄影展开幕); a cell
        # that is a sentence (市民在华阳湖观看龙舟赛, a photo caption) is not a name
        name_span = next(
            (
                sp for sp in rest
                if _is_event_name(_strip_quotes_end(_CELL_VERB_END.sub("", norm[sp[0]:sp[1]])))
                and not _CELL_SENTENCE.search(_strip_names(norm[sp[0]:sp[1]]))
            ),
            None,
        )
        if name_span is None and row.name_col is not None:
            name_span = rest[0]
    if name_span is None:
        return None  # no event named in the row: a timetable of something else
    if venue_span is None and row.venue_col is None:
        after = [sp for sp in rest if sp[0] > name_span[0] and not _NOT_VENUE_CELL.search(norm[sp[0]:sp[1]])]
        venue_span = next((sp for sp in after if _PLACE_END.search(norm[sp[0]:sp[1]])), after[0] if after else None)
    name = _clean_name(_orig(sent, *name_span))
    bare = _strip_names(name)
    if not name or _STRONG_BLOCK.search(bare) or _WEAK_BLOCK.search(bare) or (_EXAM_BLOCK.search(bare) and not _is_event_name(name)):
        return None
    venue = _orig(sent, *venue_span).strip() if venue_span is not None else None
    if venue is not None and (_NOT_VENUE.search(venue) or _ONLINE_WORDS.search(venue)):
        venue = None
    return name, venue
