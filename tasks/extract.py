"""Find the upcoming events a release announces: what, when, where (rule-based, Chinese text).

Issue 3. ``extract_events(text, published=...)`` returns ``tasks.models.Event`` records; it is pure,
deterministic and fast (no Prefect, no network, stdlib + ``lunardate``). Cancellations and
postponements without a new date are not events; ``extract_notices`` reports them.

How it works, per sentence (split on 。！？； and line breaks):

1. ``tasks.extract_dates.find_mentions`` finds the date expressions and resolves them against the
   publication time (year inference, ranges, clock times, lunar and relative dates).
2. Each mention owns its clause (split on ，) and the clauses after it up to the next mention;
   the first one also owns the clauses before it. That span is where its name, venue and online
   platform are looked for, and where blocking words are checked.
3. A mention becomes an event when it is day-precise, on or after the publication time, carries an
   event word (a verb such as 举行/举办/开幕 or a noun such as 音乐会/论坛/开幕式, or a field label
   活动时间：), and is not a deadline, registration window, exam, traffic control, policy start,
   statistic or the original date of a cancelled or postponed event.
4. Field blocks (活动时间：… / 活动地点：… / 活动名称：… lines) and 地点： sentences fill venues;
   a later 直播 sentence naming the event fills ``online``.
5. Mentions of one event (same day, compatible name, venue and times) are merged into one.

Date parser evaluation (benchmarks/extraction.py on tests/data/events_labelled.yaml, 144 passages,
101 gold events; this machine, 2 shared cores):

- jionlp 1.5.31, tried as the date finder behind this same pipeline (``jio.ner.extract_time`` with
  the publication time as ``time_base``, plus the cover rules we would need anyway: roll a past
  yearless date to next year, drop month- or year-only spans): event detection F1 0.854 overall
  (held-out 0.894), start exact 0.748, end 0.610, time of day 0.720, venue 0.860; 131 releases/s;
  0.42 s and ~50 MB to import, ~270 MB of packages (jiojio models, numpy), a banner on stdout.
  Seen wrong: yearless dates always in the current year (1月18日 in a December release is past),
  元旦 a past date, ``20日至22日10:00-18:00`` raises inside the parser, lunar notes such as
  ``（农历腊月二十一日至二十八日）`` come back as extra spans, 2024 alone is a year-long span.
- The rule-based finder (tasks/extract_dates.py, stdlib + lunardate): event detection F1 0.995
  overall; held-out 0.979 (venue 0.976); passages written after the code existed scored
  0.833 and 0.947 on first contact (their gaps then fixed: that first-contact figure is the honest
  estimate for unseen releases). ~400-900 releases/s on one core (seed release, 6,800 characters,
  1-2.6 ms depending on load); import ~80-130 ms including tasks.models.

Chosen: the rule-based finder. Its weak spots are covered by the table-driven tests in
tests/test_extract.py; known gaps: dates written only as 12.20 or with weekday-only recurrences
(每周六), durations (为期三天) do not set an end, and names are the quoted or subject/object phrase
(a name is never scored exactly).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, NamedTuple

from tasks.errors import ExtractError
from tasks.extract_dates import _HAS_DAY, Mention, _Ctx, find_mentions, normalise
from tasks.models import SHANGHAI, Event, TimeOfDay

__all__ = ["Notice", "extract_events", "extract_notices"]

MAX_TEXT_CHARS = 400_000  # a release is ~10 k characters; past this the input is not a release

_NEWLINE = re.compile("\n")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")
_CLAUSE_SEP = re.compile(r"[，,]")
_BRACKET = re.compile(r"[（(][^（）()]{0,40}[）)]")

EVENT_VERBS = (
    "举行|举办|召开|开幕|闭幕|上演|开赛|鸣枪|开跑|起跑|开市|开园|开展|亮灯|启动|进行|展出|唱响|奏响|打响|"
    "燃放|亮相|揭幕|开营|开演|演出|放映|拉开|启幕|开馆|开讲|开锣|登场|揭牌|点亮|开播"
)
_EVENT_VERB = re.compile(EVENT_VERBS)
EVENT_NOUNS = (
    "开幕式|闭幕式|仪式|典礼|颁奖礼|音乐会|演唱会|音乐节|晚会|演出|展演|表演|展览|展销会|博览会|交易会|展会|"
    "招聘会|洽谈会|交流会|推介会|发布会|研讨会|宣讲会|座谈会|分享会|见面会|对接会|报告会|游园会|茶话会|团拜会|"
    "运动会|论坛|峰会|大会|年会|会议|比赛|大赛|竞赛|联赛|邀请赛|锦标赛|友谊赛|挑战赛|对抗赛|总决赛|决赛|马拉松|"
    "健康跑|迷你跑|徒步|巡游|巡演|灯会|灯光秀|无人机表演|烟花|焰火|庙会|花市|市集|集市|嘉年华|沙龙|讲座|活动|"
    "开放日|放映|路演|[\u4e00-\u9fff]{2}节|[\u4e00-\u9fff]会|[^\\d个每本下上这一两几十百]周|[^\\d]展|秀|赛"
)
_NAME_END = re.compile(f"(?:{EVENT_NOUNS})$")
_NOT_EVENT_END = re.compile(
    r"(?:发展|进展|开展|拓展|扩展|参赛|决赛权|春节|季节|环节|细节|节日|周年|元宵节|端午节|中秋节|国庆节|劳动节|"
    r"妇女节|儿童节|植树节|重阳节|清明节|圣诞节|情人节|七夕节|母亲节|父亲节|教师节|"
    r"社会|机会|委员会|协会|学会|商会|工会|都会|理事会|董事会|常委会|基金会|联合会|总会|分会|研究会|促进会|"
    r"也会|将会|不会|才会|就会|还会|体会|领会|约会|只会|会不会|开会|人大会)$"
)
# whole-span blockers: administrative schedules, cancellations, statistics (labelling rule 2)
_STRONG_BLOCK = re.compile(
    r"交通管制|管制|封闭施工|限行|绕行|禁止通行|停运|停航|施行|生效|考试|笔试|面试|中考|高考|考生|"
    r"大检查|检查|整治|取消|停办|暂停|另行通知|不再举办|祭扫|截至目前|已接待|累计|同比"
)
# blockers of the mention's own clause only (a 报名 sentence next to an event must not hide it)
_WEAK_BLOCK = re.compile(r"报名|截止|截至|申报|受理|提交|售票|开售|门票|缴费|缴纳|办理|预约时间|报送|公示|征集|申请")
_DEADLINE_AFTER = re.compile(r"^\s*(?:前|之前|以前|为止|止)(?![往夕])")
_ORIGINAL_BEFORE = re.compile(r"(?:原定|原计划|原拟|原本|原先)(?:于|在)?\s*$")
_POSTPONED = re.compile(r"延期|推迟|改期|顺延|延后")
_CANCELLED = re.compile(r"取消|停办|不再举办")
_FUTURE = re.compile(r"将|拟|定于|即将|届时|计划|预计|欢迎")
_LABEL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*"
    r"(?P<label>[^\s:：，。]{0,6}?)(?:时间|日期)\s*[:：]"
)
_FIELD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*"
    r"(?P<key>[^\s:：，。]{0,6}?)(?P<kind>地点|地址|名称|主题)\s*[:：]\s*(?P<value>.+?)\s*$"
)
_VENUE_VERB = (
    "举行|举办|召开|开幕|闭幕|上演|展出|开展|进行|开赛|鸣枪|开跑|起跑|开市|开园|亮灯|启动|唱响|奏响|打响|"
    "燃放|亮相|揭幕|开营|开演|演出|放映|拉开|启幕|开馆|开讲|集结|展开|登场|开启|揭牌|点亮|开锣"
)
_VENUE_AT = re.compile(
    r"(?:在|于)(?P<v>(?:(?!在|于)[^，。；;,!！?？\n])+?)(?:隆重|正式|盛大|同步|共同|联合|集中|再次|如期|分别|统一)?"
    f"(?:{_VENUE_VERB})"
)
_VENUE_FIELD = re.compile(r"(?:活动|举办|演出|比赛|会议|举行|活动举办)?(?:地点|地址)\s*(?:[:：]|为|是|设在)\s*(?P<v>[^，。；;,\n]+)")
_VENUE_START = re.compile(
    r"(?:(?:起点|主会场|会场|起终点)(?:设在|位于|为|在)|设在|设于)(?P<v>[^，。；;,\n]+)|从(?P<f>[^，。；;,\n从]{2,20}?)出发"
)
_NOT_VENUE = re.compile(
    r"\d{1,2}月|\d{1,2}[日号](?![馆楼厅门线院场台房室口栋座层])|\d{1,2}[:：]\d{2}|^(?:这里|此|该地|当地|同一地点|现场|线上|网上|云端|室内|户外|期间|"
    r"当天|当晚|当日|届时|今年|明年|此次|本次|活动|全市|各地|多地|各镇街)$|^(?:上午|下午|晚上|晚|早上|中午)"
)
_ONLINE = re.compile(
    r"(?:通过|在|于|登录|借助|关注|锁定)(?P<v>(?:(?!通过|在|于)[^，。；;,\n])+?)(?:进行)?"
    r"(?:同步|全程|现场|网络|线上|实时|免费)*(?:直播|转播|观看直播|收看|观看)(?=[，。；;,\n!！]|$)"
)
_QUOTE = re.compile(r"[“\"「『](?P<q>[^”\"」』\n]{1,40})[”\"」』]|《(?P<b>[^》\n]{1,40})》")
_NOT_NAME_QUOTE_AFTER = re.compile(r"^(?:客户端|视频号|公众号|App|APP|平台|频道|微博|抖音|小程序|网站|号)")
_NOT_NAME_QUOTE_BEFORE = re.compile(r"(?:主题为|主题是|口号|台风|以|围绕|聚焦|打造|发布|印发|出台)\s*$")
_NAME_STOP_LEFT = re.compile(
    r"(?:举行|举办|召开|开展|推出|上演|迎来|启动|燃放|将|在|于|为|是|的|了|和|与|及|由|到|有|还|也|其中|此外|"
    r"[，。；,;、：:\s（）()])$"
)
_SUBJECT_MARK = re.compile(r"(?:也|还|亦|均|都|即|正式)?(?:将于|将在|定于|拟于|计划于|将|于|在)")
# where a subject starts: after a date, a clock time, a time word or a bracketed date note
_AFTER_DATE = re.compile(r"\d{1,2}[日号]$|\d{1,2}:\d{2}$|[上下]午$|晚上$|[（(][^（）()]*(?:周|星期|农历|\d月|\d日)[^（）()]*[）)]$")
_OBJECT = re.compile(
    r"(?:举行|举办|召开|开展|推出|上演|迎来|燃放|启动|开启)(?:了)?"
    r"(?P<o>[^，。；;,\n]{1,40})"
)
_COUNT_PREFIX = re.compile(r"^(?:[\d一二三四五六七八九十两]+(?:场|项|个|次|届|批)|系列|一系列|多场|多项)")
_NAME_NOISE_PREFIX = re.compile(r"^(?:其中|此外|同时|另外|据悉|据介绍|据了解|届时|本届|本次|此次|今年的?|今年|该|这次|这场)")
_GENERIC_NAMES = frozenset({"活动", "该活动", "本次活动", "此次活动", "仪式", "比赛", "演出", "开幕", "会议"})
_TOD_END_HOUR = {"morning": 12, "afternoon": 18, "evening": 24}


@dataclass(frozen=True, slots=True)
class Notice:
    """A dated event the text calls off: cancelled, or postponed without a new date."""

    name: str
    start: date
    status: str  # "cancelled" or "postponed"
    sentence: str


@dataclass(slots=True)
class _Cand:
    name: str
    name_quality: int  # 3 quoted, 2 subject/object with an event noun, 1 field/heading, 0 generic
    start: date | datetime
    end: date | datetime | None
    tod: TimeOfDay | None
    venue: str | None
    online: str | None
    sentence: str
    line: int
    pos: int
    list_group: tuple[int, int] | None = None


class _Sentence(NamedTuple):  # a NamedTuple: a release has hundreds, frozen dataclasses cost more
    line: int
    start: int  # offset in the text
    orig: str
    norm: str


Finder = Callable[[str, datetime, _Ctx], list[Mention]]


def _default_finder(norm: str, published: datetime, ctx: _Ctx) -> list[Mention]:
    return find_mentions(norm, published=published, ctx=ctx)


def extract_events(text: str, *, published: datetime) -> list[Event]:
    """The upcoming events ``text`` announces, in order of first mention.

    ``published`` is the release's publication time (timezone-aware); dates without a year and
    relative dates (明天, 下周三) are read against it, and anything before it is not an event.

    >>> from tasks.models import SHANGHAI
    >>> [e.start for e in extract_events("12月20日将举行开幕式。", published=datetime(2024, 12, 12, tzinfo=SHANGHAI))]
    [datetime.date(2024, 12, 20)]
    """
    events, _ = _extract(text, published=published)
    return events


def extract_notices(text: str, *, published: datetime) -> list[Notice]:
    """Cancellations and postponements (without a new date) of dated events in ``text``."""
    _, notices = _extract(text, published=published)
    return notices


def _check(text: object, published: object) -> datetime:
    if not isinstance(text, str):
        raise ExtractError(f"text must be a str, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise ExtractError(f"text is {len(text)} characters; at most {MAX_TEXT_CHARS} are accepted")
    if not isinstance(published, datetime):
        raise ExtractError(
            f"published must be a timezone-aware datetime, got {type(published).__name__}"
        )
    if published.tzinfo is None or published.utcoffset() is None:
        raise ExtractError(f"published must be timezone-aware (Asia/Shanghai), got naive {published.isoformat()}")
    return published.astimezone(SHANGHAI)


def _sentences(text: str, norm_text: str) -> list[_Sentence]:
    """Sentences (split on 。！？； and line breaks) with their line number and offset."""
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    out: list[_Sentence] = []
    for m in _SENTENCE.finditer(text):
        a, b = m.span()
        s = m.group(0)
        if s.strip():
            out.append(_Sentence(bisect_right(newlines, a), a, s, norm_text[a:b]))
    return out


def _clauses(norm: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start, depth = 0, 0
    for i, ch in enumerate(norm):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "，,":
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(norm)))
    return spans


def _clause_at(spans: list[tuple[int, int]], pos: int) -> int:
    for k, (a, b) in enumerate(spans):
        if a <= pos <= b:
            return k
    return len(spans) - 1


def _extract(text: object, *, published: object, finder: Finder = _default_finder) -> tuple[list[Event], list[Notice]]:
    pub = _check(text, published)
    assert isinstance(text, str)
    norm_text = normalise(text)
    # where a day may be named; a text without one has no event, and only sentences with one are
    # scanned (most of a release is speech and figures)
    anchors = [m.start() for m in _HAS_DAY.finditer(norm_text)]
    if not anchors:
        return [], []
    sentences = _sentences(text, norm_text)
    lines = text.split("\n")
    ctx = _Ctx(pub)
    cands: list[_Cand] = []
    notices: list[Notice] = []
    for sent in sentences:
        k = bisect_left(anchors, sent.start)
        if k == len(anchors) or anchors[k] >= sent.start + len(sent.orig):
            continue
        mentions = finder(sent.norm, pub, ctx)
        if mentions:
            _sentence_events(sent, mentions, pub, lines, cands, notices)
    _fill_from_fields(cands, sentences)
    _fill_online(cands, sentences)
    merged = _merge(cands)
    return [_to_event(c) for c in merged], notices


def _sentence_events(
    sent: _Sentence, mentions: list[Mention], pub: datetime, lines: list[str], cands: list[_Cand], notices: list[Notice]
) -> None:
    norm = sent.norm
    spans = _clauses(norm)
    mclauses = sorted({_clause_at(spans, m.start) for m in mentions})
    for idx, m in enumerate(mentions):
        c = _clause_at(spans, m.start)
        k = mclauses.index(c)
        first = 0 if k == 0 else c
        last = (mclauses[k + 1] - 1) if k + 1 < len(mclauses) else len(spans) - 1
        seg_a, seg_b = spans[first][0], spans[last][1]
        seg = norm[seg_a:seg_b]
        own = norm[spans[c][0]: spans[c][1]]
        before = norm[max(0, m.start - 6): m.start]
        is_original = bool(_ORIGINAL_BEFORE.search(before))
        if is_original:
            if _CANCELLED.search(seg) or _POSTPONED.search(seg) or "暂停" in seg:
                name, _ = _name(seg, norm, seg_a, m, sent)
                status = "cancelled" if _CANCELLED.search(seg) else "postponed"
                if not re.search(r"(?:延期|推迟|改期|顺延|延后)(?:至|到)", seg):
                    notices.append(Notice(name, m.start_day, status, sent.orig.strip()))
            continue
        if not _upcoming(m, pub, seg):
            continue
        label = _LABEL.match(norm)
        is_field = label is not None and label.start() <= m.start and not _WEAK_BLOCK.search(label.group("label"))
        if _STRONG_BLOCK.search(_strip_names(seg)):
            continue
        if _WEAK_BLOCK.search(_strip_names(own)) or _DEADLINE_AFTER.match(norm[m.end:]):
            continue
        name, quality = _name(seg, norm, seg_a, m, sent)
        if not is_field and quality < 2 and not _EVENT_VERB.search(seg):
            continue
        if is_field and quality < 1:
            name, quality = _field_name(lines, sent.line) or (name, quality)
        venue = _venue(seg, norm, seg_a, sent, m, mentions, spans[c][0])
        online = _online(seg)
        start, end = _times(m)
        tod = TimeOfDay(m.tod) if m.tod else _tod_from_clock(m)
        group = (sent.start, m.list_group) if m.list_group is not None else None
        cands.append(_Cand(name, quality, start, end, tod, venue, online, sent.orig.strip(), sent.line, sent.start + m.start, group))


def _strip_names(s: str) -> str:
    """Quoted names may contain any word (“取消”杯); blockers look at the text outside them."""
    return _QUOTE.sub("“”", s)


def _upcoming(m: Mention, pub: datetime, seg: str) -> bool:
    today = pub.date()
    last_day = m.end_day or m.start_day
    if last_day > today:
        return True
    if last_day < today:
        return False
    if m.end_day is not None and m.start_day < today:
        return True  # an ongoing run whose last day is today
    if not _FUTURE.search(seg):
        return False  # 今日上午…举行: a report of today
    if m.times:
        return datetime.combine(last_day, m.times[-1], tzinfo=SHANGHAI) >= pub
    if m.tod:
        return pub.hour < _TOD_END_HOUR[m.tod]
    return True


def _times(m: Mention) -> tuple[date | datetime, date | datetime | None]:
    if m.times:
        start: date | datetime = datetime.combine(m.start_day, m.times[0], tzinfo=SHANGHAI)
    else:
        start = m.start_day
    end: date | datetime | None = None
    if len(m.times) >= 2:
        end = datetime.combine(m.end_day or m.start_day, m.times[-1], tzinfo=SHANGHAI)
        if isinstance(start, datetime) and end < start and m.end_day is None:
            end += timedelta(days=1)  # 20:00至0:30
    elif m.end_day is not None and m.end_day != m.start_day:
        end = m.end_day
    if end is not None and _as_end(end) < _as_start(start):
        end = None
    return start, end


def _as_start(v: date | datetime) -> datetime:
    return v if isinstance(v, datetime) else datetime.combine(v, time(0), tzinfo=SHANGHAI)


def _as_end(v: date | datetime) -> datetime:
    return v if isinstance(v, datetime) else datetime.combine(v, time(23, 59, 59), tzinfo=SHANGHAI)


def _tod_from_clock(m: Mention) -> TimeOfDay | None:
    if not m.times:
        return None
    h = m.times[0].hour
    return TimeOfDay.MORNING if h < 12 else TimeOfDay.AFTERNOON if h < 18 else TimeOfDay.EVENING


# ---------------------------------------------------------------- names


def _is_event_name(s: str) -> bool:
    return bool(_NAME_END.search(s)) and not _NOT_EVENT_END.search(s)


def _orig(sent: _Sentence, a: int, b: int) -> str:
    return sent.orig[a:b]


def _clean_name(s: str) -> str:
    s = s.strip(" ，,、：:")
    s = _BRACKET.sub(lambda b: b.group(0) if re.search(r"[\u4e00-\u9fff]{2,}", b.group(0)) and not re.search(r"周|星期|农历", b.group(0)) else "", s)
    prev = None
    while prev != s:
        prev = s
        s = _NAME_NOISE_PREFIX.sub("", s).strip(" ，,、：:")
        s = _COUNT_PREFIX.sub("", s).strip(" ，,、：:")
    return s


def _name(seg: str, norm: str, seg_a: int, m: Mention, sent: _Sentence) -> tuple[str, int]:
    """The event's name in its span: quoted name, else subject or object with an event noun."""
    # 1. a quoted name, completed by the words after it up to an event noun
    for q in _QUOTE.finditer(seg):
        qa, qb = q.span()
        after = seg[qb:]
        if _NOT_NAME_QUOTE_AFTER.match(after) or _NOT_NAME_QUOTE_BEFORE.search(seg[:qa]):
            continue
        tail = re.match(r"[^，。；;,\n“”《》在于将]{0,20}", after)
        tail_s = tail.group(0) if tail else ""
        best_end = None
        for k in range(len(tail_s), -1, -1):
            if _is_event_name(seg[qa: qb + k].rstrip("”\"」』》")):
                best_end = qb + k
                break
        if best_end is None:
            continue
        left = qa
        while left > 0 and not _NAME_STOP_LEFT.search(seg[:left]) and not re.search(r"\d{1,2}[日号]$|\d{1,2}:\d{2}$|[上下]午$|晚$", seg[:left]):
            left -= 1
        name = _clean_name(_orig(sent, seg_a + left, seg_a + best_end))
        if name:
            return name, 3
    # 2. the subject before 将/定于/于/在, or the object after 举行/举办
    for cand in _subjects(seg) + _objects(seg):
        a, b = cand
        name = _clean_name(_orig(sent, seg_a + a, seg_a + b))
        if name and _is_event_name(name) and len(name) <= 40 and not _NOT_VENUE.search(name[:3]):
            return name, 2
    # 3. a quoted name without an event noun (“周末音乐会” is caught above; “龙舟水上音乐会” too)
    for q in _QUOTE.finditer(seg):
        if not _NOT_NAME_QUOTE_AFTER.match(seg[q.end():]) and not _NOT_NAME_QUOTE_BEFORE.search(seg[: q.start()]):
            return _orig(sent, seg_a + q.start(), seg_a + q.end()), 1
    verb = _EVENT_VERB.search(seg)
    return (verb.group(0) if verb and verb.group(0) in ("开幕", "闭幕") else "活动"), 0


def _subjects(seg: str) -> list[tuple[int, int]]:
    out = []
    for mk in _SUBJECT_MARK.finditer(seg):
        a = mk.start()
        # back to the clause start or to the end of a date/time
        k = a
        while k > 0 and seg[k - 1] not in "，,。；;：:、\n" and not _AFTER_DATE.search(seg[:k]):
            k -= 1
        if a - k >= 2:
            out.append((k, a))
    return out


def _objects(seg: str) -> list[tuple[int, int]]:
    out = []
    for mo in _OBJECT.finditer(seg):
        a, b = mo.span("o")
        obj = seg[a:b]
        cut = re.search(r"[，。；;,（(]|等|，", obj)
        if cut:
            b = a + cut.start()
        # trim to the last event noun
        for k in range(b, a, -1):
            if _is_event_name(seg[a:k]):
                out.append((a, k))
                break
    return out


def _field_name(lines: list[str], line_no: int) -> tuple[str, int] | None:
    """A field block's name: a 名称/主题 field near it, else the short heading line above it."""
    lo, hi = max(0, line_no - 5), min(len(lines), line_no + 5)
    for i in range(lo, hi):
        f = _FIELD.match(lines[i])
        if f and f.group("kind") in ("名称", "主题"):
            return f.group("value").strip("。"), 2
    for i in range(line_no - 1, lo - 1, -1):
        s = lines[i].strip()
        if not s or _FIELD.match(s) or _LABEL.match(s):
            continue
        if len(s) <= 40 and not re.search(r"[。；;！？]", s):
            return s, 1
        break
    return None


# ---------------------------------------------------------------- venue, online


def _venue(seg: str, norm: str, seg_a: int, sent: _Sentence, m: Mention, mentions: list[Mention], own_a: int) -> str | None:
    found: tuple[int, int] | None = None
    own_rel = own_a - seg_a  # the mention's clause starts here in seg: look there first
    for rx in (_VENUE_FIELD, _VENUE_AT, _VENUE_START):
        hits = sorted(rx.finditer(seg), key=lambda mv: (mv.start() < own_rel, mv.start()))
        for mv in hits:
            grp = "v" if mv.group("v") is not None else "f"
            v = mv.group(grp).strip()
            if not v or len(v) > 30 or _NOT_VENUE.search(v) or _ONLINE_WORDS.search(v):
                continue
            a, b = mv.span(grp)
            a += len(mv.group(grp)) - len(mv.group(grp).lstrip())
            b = a + len(v)
            found = (a, b)
            break
        if found:
            break
    if not found:
        return None
    venue = _orig(sent, seg_a + found[0], seg_a + found[1]).strip().rstrip("。")
    # 分别在A和B: one venue per member of a date list
    if m.list_group is not None and "分别" in seg:
        members = [x for x in mentions if x.list_group == m.list_group]
        parts = [p for p in re.split(r"[和、及与]", venue) if p]
        if len(parts) == len(members):
            venue = parts[members.index(m)]
    return venue or None


_ONLINE_WORDS = re.compile(r"客户端|视频号|公众号|直播|平台|频道|App|APP|小程序|抖音|微博|网站|线上|云端")


def _online(seg: str) -> str | None:
    mo = _ONLINE.search(seg)
    if not mo:
        return None
    v = mo.group("v").strip()
    v = re.sub(r"^(?:(?:东莞)?(?:广大市民|市民朋友|市民|观众|网友)(?:可|也可|还可)?|(?:可|也可|还可))(?:通过)?", "", v)
    return v or None


def _fill_online(cands: list[_Cand], sentences: list[_Sentence]) -> None:
    """A 直播 sentence with no date names its event by a noun (音乐会将通过…直播)."""
    if not cands:
        return
    for s in sentences:
        if "直播" not in s.norm and "转播" not in s.norm:
            continue
        platform = _online(s.norm)
        if not platform:
            continue
        subject = re.split(r"将|可|也|还|通过", s.norm, maxsplit=1)[0]
        noun = re.search(f"(?:{EVENT_NOUNS})$", subject.strip(" ，,。"))
        targets = [c for c in cands if c.online is None and noun and noun.group(0) in c.name]
        if not targets:
            # 赛事将在…直播: the event of the nearest paragraph above (or this one)
            before = [c for c in cands if 0 <= s.line - c.line <= 3 and c.pos <= s.start]
            targets = [before[-1]] if before and before[-1].online is None else []
        for c in targets:
            a = s.norm.find(platform)
            c.online = s.orig[a: a + len(platform)] if a >= 0 else platform


def _fill_from_fields(cands: list[_Cand], sentences: list[_Sentence]) -> None:
    """地点：… in the same line, or in a field block within a few lines, fills a missing venue."""
    if not cands:
        return
    by_line: dict[int, str] = {}
    for s in sentences:
        if "地点" not in s.orig and "地址" not in s.orig:
            continue
        f = _FIELD.match(s.orig)
        if f and f.group("kind") in ("地点", "地址"):
            by_line[s.line] = f.group("value").strip().rstrip("。")
            continue
        mv = _VENUE_FIELD.search(s.norm)
        if mv:
            v = mv.group("v").strip()
            a = s.norm.find(v)
            by_line.setdefault(s.line, s.orig[a: a + len(v)].rstrip("。"))
    for c in cands:
        if c.venue:
            continue
        if c.line in by_line:
            c.venue = by_line[c.line]
            continue
        near = [ln for ln in by_line if 0 < ln - c.line <= 4]
        if near:
            c.venue = by_line[min(near)]


# ---------------------------------------------------------------- merge


def _core(name: str) -> str:
    s = re.sub(r"[“”\"《》「」『』\s]", "", name)
    return _NAME_NOISE_PREFIX.sub("", s)


def _day(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v


def _compatible(a: _Cand, b: _Cand) -> bool:
    if _day(a.start) != _day(b.start):
        return False
    if a.list_group is not None and a.list_group == b.list_group:
        return False
    ca, cb = _core(a.name), _core(b.name)
    same_name = ca == cb or (ca and cb and (ca in cb or cb in ca)) or a.name_quality == 0 or b.name_quality == 0
    if not same_name:
        return False
    if a.venue and b.venue and a.venue not in b.venue and b.venue not in a.venue:
        return False
    if isinstance(a.start, datetime) and isinstance(b.start, datetime) and a.start != b.start:
        return False
    if a.end is not None and b.end is not None and _day(a.end) != _day(b.end):
        return False
    return True


def _merge(cands: list[_Cand]) -> list[_Cand]:
    out: list[_Cand] = []
    for c in cands:
        target = next((o for o in out if _compatible(o, c)), None)
        if target is None:
            out.append(c)
            continue
        if c.name_quality > target.name_quality:
            target.name, target.name_quality = c.name, c.name_quality
        if not isinstance(target.start, datetime) and isinstance(c.start, datetime):
            target.start = c.start
        target.end = target.end if target.end is not None else c.end
        target.tod = target.tod or c.tod
        target.venue = target.venue or c.venue
        target.online = target.online or c.online
    return out


def _to_event(c: _Cand) -> Event:
    end = c.end
    if end is not None and _as_end(end) < _as_start(c.start):
        end = None
    return Event(
        name=c.name,
        start=c.start,
        end=end,
        time_of_day=c.tod,
        venue=c.venue,
        sentence=c.sentence,
        online=c.online,
    )


def _replace_finder(finder: Finder) -> Callable[..., tuple[list[Event], list[Notice]]]:
    """For benchmarks: the same pipeline with another date finder (e.g. one backed by jionlp)."""

    def run(text: str, *, published: datetime) -> tuple[list[Event], list[Notice]]:
        return _extract(text, published=published, finder=finder)

    return run

