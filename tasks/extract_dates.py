"""Find and resolve the date and time expressions of one Chinese sentence (rule-based).

Used by tasks/extract.py; pure and stdlib-only apart from ``lunardate`` (lunar dates such as 大年初一,
正月十五, 除夕). Why not jionlp: see the evaluation note at the top of tasks/extract.py.

The sentence is first normalised one character for one character (full-width digits and colon,
dash variants), so every position found here is also a position in the original text.

The scanner yields tokens (a day, a clock time, a time-of-day word); a small grammar then joins
adjacent tokens into mentions::

    mention := day [note] [tod] [time [sep time]] [sep day [note] [tod] [time [sep time]]]
    list    := mention ("、" | "和" | "，") day-only ...      12月22日、29日两个周日下午

Clock times: 19:30, 9时30分, 晚7点半, 下午两点半, 凌晨零点三十分; a Chinese-numeral hour needs a
time word before it unless it is a 24-hour one (二十时, 十四点). 24:00 and 晚上十二点 are midnight,
the end of their day (``Mention.midnight``: the caller moves them to 00:00 of the next day). M.D
dates (展期：3.26-3.29) count only where they cannot be decimals (see ``_dot_ok``). Weekdays listed
after 每周 (每周三、周六) recur and are no day. An end day given on its own
(持续到次日凌晨0:30) takes the clock time written right after it as the end time.

本周末/下周末 is that week's Saturday to Sunday (one day when a date in brackets follows). A
second session of one day (9:00-12:00、14:30-17:30) extends the first range; a clock time written
as shared (…、10月18日迎战B，开赛时间均为19:35; a one-clause list followed by 每天…) goes to every
date before it that has none. 首演当晚 (the day of a first show named elsewhere) is no day.

Bracketed notes right after a date only repeat it and are skipped: 12月20日（周五）,
2月8日-2月15日（农历腊月二十一日至二十八日）. A Gregorian date in brackets after a relative or
lunar one replaces it: 本周六（4月12日）, 正月初八（2月5日）.

Example::

    >>> from datetime import datetime
    >>> from tasks.models import SHANGHAI
    >>> m = find_mentions("12月20日至22日晚7点在…举行", published=datetime(2024, 12, 12, tzinfo=SHANGHAI))
    >>> (m[0].start_day, m[0].end_day, m[0].tod, m[0].times)
    (datetime.date(2024, 12, 20), datetime.date(2024, 12, 22), 'evening', [datetime.time(19, 0)])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from lunardate import LunarDate

__all__ = ["HAS_DAY", "LEAD_TIME", "DateContext", "Mention", "find_mentions", "normalise"]

# One character for one character, so positions stay valid in the original text.
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "：": ":",
        "—": "-",
        "–": "-",
        "－": "-",
        "―": "-",
        "~": "-",
        "～": "-",
        "〜": "-",
        "\u3000": " ",
    }
)

_TO_NORMALISE = re.compile("[" + "".join(re.escape(chr(c)) for c in _NORMALISE) + "]")

CN_NUM = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9, "十": 10, "廿": 20}
LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

# time-of-day words; single-character ones (晚, 夜, 早) count only next to a date or a clock time
TOD_WORDS = {
    "上午": "morning", "早上": "morning", "早晨": "morning", "清晨": "morning", "凌晨": "morning",
    "早": "morning", "中午": "afternoon", "下午": "afternoon", "午后": "afternoon",
    "傍晚": "evening", "晚上": "evening", "晚间": "evening", "夜间": "evening", "夜晚": "evening",
    "晚": "evening", "夜": "evening", "每晚": "evening", "之夜": "evening",
}
# fixed-date holidays: (month, day, lunar?)
HOLIDAYS = {
    "元旦": (1, 1, False), "劳动节": (5, 1, False), "国庆节": (10, 1, False), "儿童节": (6, 1, False),
    "妇女节": (3, 8, False), "植树节": (3, 12, False), "平安夜": (12, 24, False),
    "圣诞节": (12, 25, False), "春节": (1, 1, True), "元宵节": (1, 15, True), "端午节": (5, 5, True),
    "七夕节": (7, 7, True), "七夕": (7, 7, True), "中秋节": (8, 15, True), "重阳节": (9, 9, True),
}
# a holiday name is a date only with a year before it or a time word after it ("喜迎元旦" is not)
_HOLIDAY_AFTER = re.compile(r"(当天|当日|当晚|晚上|之夜|夜|上午|下午|早上|晚)")
_HOLIDAY_BEFORE = re.compile(r"(今年|明年|\d{4}年)$")
# 春节期间, 国庆假期, 2026年春节期间食品安全工作: the holiday season, not a day (labelling rule 2)
_HOLIDAY_SEASON_AFTER = re.compile(r"期间|假期|长假|小长假|黄金周|前后|档期|节日期间|假日|气氛|氛围")

_LD = r"(?:初[一二三四五六七八九十]|二十[一二三四五六七八九]?|十[一二三四五六七八九]|廿[一二三四五六七八九]|三十|十)"
_CD = r"(?:[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_TOKEN = re.compile(
    # the lookahead rejects most positions at once (Python's re does not optimise alternations)
    r"(?=[\d〇零一二两三四五六七八九十廿今明昨去次翌本下上这每农正冬腊大除年元春端中国劳儿妇植平圣后当即同周星礼初早晚夜午凌清傍])(?:"
    + "|".join(
        [
            r"(?P<num>(?<![\d.])(?P<ny>\d{4})[-/.](?P<nm>\d{1,2})[-/.](?P<nd>\d{1,2})(?![\d.]))",
            r"(?P<greg>(?:(?<!\d)(?P<y>\d{4})年|(?P<ry>今年|明年|去年|次年|翌年))?(?<!\d)(?P<m>\d{1,2})月"
            r"(?P<d>\d{1,2})(?:[日号]|(?=\s*[至到-])))",
            r"(?P<rmd>(?P<rm>本月|下月|下个月)(?P<rmdd>\d{1,2})[日号])",
            r"(?P<dot>(?<![\d.])(?P<dm>1[0-2]|0?[1-9])\.(?P<dd2>3[01]|[12]\d|0?[1-9])(?![\d.%]))",
            r"(?P<cn>(?:(?P<cy>[〇零一二三四五六七八九]{4})年)?(?P<nongli>农历)?"
            r"(?P<cm>十一|十二|正|冬|腊|[一二三四五六七八九十])月(?P<cd>" + _LD + r")(?P<csuf>[日号])?)",
            r"(?P<dan>大年(?P<dn>初[一二三四五六七八九十]|三十)|(?P<chuxi>除夕)|年三十)",
            r"(?P<hol>元旦|春节|元宵节|端午节|中秋节|国庆节|七夕节?|重阳节|劳动节|儿童节|妇女节|植树节|平安夜|圣诞节)",
            r"(?P<rel>今天|今日|今晚|今早|明天|明日|明晚|明早|昨天|昨日|昨晚|后天|次日|翌日|当天|当日|当晚|同日|同一天|同天|即日起?)",
            r"(?P<wkend>(?P<wep>下下|本|这|下)(?:个)?周末)",
            r"(?P<wk>(?P<wkp>下下|本|这|下|上|每)?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天]))",
            r"(?P<dayonly>(?<![\d.])(?P<dd>\d{1,2})[日号])",
            r"(?P<cnday>(?P<cdd>" + _CD + r")[日号])",
            r"(?P<chu>初[一二三四五六七八九十])",
            r"(?P<time>(?<![\d.])(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?!\d)|[时点](?:(?P<mi2>\d{1,2}|" + _CD
            + r")分|(?P<half>半)|整)?))",
            r"(?P<ctime>(?<![〇零一二两三四五六七八九十第])(?P<hc>二十[一二三]?|十[一二三四五六七八九]?|[零〇一二两三四五六七八九])[时点](?:(?P<mic>" + _CD
            + r")分|(?P<halfc>半)|整)?)",
            r"(?P<tod>上午|早上|早晨|清晨|凌晨|中午|下午|午后|傍晚|晚上|晚间|夜间|夜晚|每晚|之夜|"
            r"晚(?![会宴餐报饭霞辈期年])|夜(?![景市空色幕间])|早(?![日期已在就餐点]))",
        ]
    )
    + ")"
)
# a sentence without any of these has no day in it and is not scanned at all (public: tasks/extract.py
# uses it to skip sentences and to spot table rows that start with a date)
HAS_DAY = re.compile(
    r"(?=[\d〇零一二三四五六七八九十今明昨后次翌当即同周星礼初除年元春端中国七重劳儿妇植平圣])(?:"
    r"\d{1,2}\s*[月日号]|\d{4}[-/.]\d|\d{1,2}\.\d{1,2}|[〇零一二三四五六七八九十]月|今[天日晚早]|明[天日晚早]|昨[天日晚]|后天|次日|翌日|当[天日晚]|"
    r"即日|同日|同一天|(?:周|星期|礼拜)[一二三四五六日天]|周末|初[一二三四五六七八九十]|除夕|年三十|元旦|春节|元宵节|端午|中秋|国庆节|"
    r"七夕|重阳|劳动节|儿童节|妇女节|植树节|平安夜|圣诞)"
)
_BRACKET = re.compile(r"[（(]([^（）()]{0,40})[）)]")
_RANGE_GAP = re.compile(r"^(?:起)?(?:至|到|-|起至|起到)$")
_LIST_GAP = re.compile(r"^(?:、|和|及|与|以及|,|，)$")
# filler allowed between a date and its time: 每天, 两个周日 ...
_ATTACH_GAP = re.compile(r"^(?:|每天|每日|起|的|(?:[两三四]个)?(?:周|星期)[一二三四五六日天])$")
_GREG_IN = re.compile(r"[\d０-９]{1,2}月[\d０-９]{1,2}[日号]")
_NOT_DAY_AFTER = re.compile(r"[馆楼厅门线院场台房室口栋座层位道桥车码展]")
_DAY_BOUNDARY = set("，,、于在至到和及与 ：:；（(")
# 记者27日从市人社局获悉: the day of the reporting, not of an event
_REPORT_AFTER = re.compile(r"^\s*(?:[上下]午|晚)?\s*(?:[，,]\s*记者\s*)?(?:从[^，。,]{1,20})?(?:获悉|了解到|获知|得知|采访)")
# 至6月15日结束: an end, given alone
_BARE_TO_BEFORE = re.compile(r"(?:^|[，,\s])(?:将|并|一直|)(?:至|到)$")
_END_AFTER = re.compile(r"\s*(?:[（(][^）)]{0,12}[）)])?\s*(?:结束|闭幕|落幕|收官|收市|闭市|散场)")
# …10月1日晚8时亮灯，至10月7日每晚20:00-22:00上演: daily hours after a bare 至 continue the run
_DAILY_AFTER = re.compile(r"\s*每(?:天|晚|日)\s*\d{1,2}:\d{2}")
_DAILY_GAP = re.compile(r"^\s*每(?:天|晚|日)\s*(?:\d{1,2}:\d{2}\s*[-至到~]\s*)?$")
# a sentence that opens with a time of day and a clock time, and no day: 下午三点，… (public: the
# caller decides which sentences may carry the day before them)
LEAD_TIME = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*(?P<t>"
    r"(?:上午|下午|中午|晚上|晚间|傍晚|早上|凌晨|晚)\s*(?:\d{1,2}(?::\d{2}|[时点])|(?:十[一二]?|[一二两三四五六七八九])[时点])"
    r"|\d{1,2}:\d{2})"
)
# after 当天/同日 in a later clause: a further happening (当天还将举行…), not the same one again
_ALSO_AFTER = re.compile(
    r"[^，,。；;]{0,8}?(?:还|也|另|另外|同时|亦)(?:将|会|要)?[^，,。；;]{0,20}?(?:举行|举办|召开|开展|推出|上演|亮相|开幕|启动)"
)
# between a separately given end day and its clock time: 持续到次日凌晨0:30
_END_TIME_GAP = re.compile(r"^\s*(?:凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|晚间|晚|夜间|夜里)?\s*$")
# M.D dates (展期：3.26-3.29, 12.20（周六）) are dates only where nothing else reads them as
# decimals (6.5万, 4.2%): in an M.D-M.D range, after a date label, before a weekday note, or as a
# table cell at the start of a line
_DOT_RANGE_AFTER = re.compile(r"\s*-\s*\d{1,2}\.\d{1,2}(?![\d.%万亿千百元倍米吨公个岁])")
_DOT_UNIT_AFTER = re.compile(r"\s*[万亿千百元%倍米吨公个岁]")
_DOT_RANGE_BEFORE = re.compile(r"\d{1,2}\.\d{1,2}\s*-\s*$")
_DOT_LABEL_BEFORE = re.compile(r"(?:时间|日期|展期|会期|赛期|档期)\s*(?::|为|是|定为|定于)?\s*$")
_DOT_WEEKDAY_AFTER = re.compile(r"\s*[（(](?:周|星期)[一二三四五六日天][）)]")
_DOT_CELL_AFTER = re.compile(r"\s+[^\d\s万亿千百元%倍]")
# 每周三、周六: the weekdays listed after a 每周 recur too; none of them is a day
_RECURRING_BEFORE = re.compile(
    r"每(?:个)?(?:周|星期|礼拜)[一二三四五六日天](?:\s*[、和及与至到-]\s*(?:周|星期|礼拜)?[一二三四五六日天])*\s*[、和及与至到-]\s*$"
)
# a clock time range whose end has its own time word: 上午10时至晚上9时, 晚上十点持续至晚上十二点
_TOD_TAIL = re.compile(r"(?:上午|下午|中午|晚上|晚间|傍晚|早上|凌晨|夜间|夜里|晚|夜)\s*$")
_FLOAT_RANGE_GAP = re.compile(r"^(?:起)?(?:(?:一直)?(?:持续|延续)?(?:至|到)|-|起至|起到)$")
# 首演当晚, 首场当天: the day of a first show or stop, named without its date
_FIRST_OF_BEFORE = re.compile(r"首(?:演|场|站|展|映|日|秀)(?:演出|活动)?$")
# a clock time given once for every date before it: …、10月18日迎战B，开赛时间均为19:35; 每场演出时间均为…
_SHARED_TIME_BEFORE = re.compile(r"(?:均|都|统一)(?:为|是|定为|定于|在|于)?\s*$|(?:每场|每站|各场|每期)[^，,。；;\d]{0,6}?(?:为|是|:)?\s*$")
_EACH_DAY_BEFORE = re.compile(r"每天\s*$|每日\s*$")
# a second session of the same day: 9:00-12:00、14:30-17:30
_SESSION_GAP = ("、", "和", "及")
# 分上午场（9:30-11:30）和下午场（14:30-16:30）两场: the clock times of named sessions, in brackets
_SESSION_BRACKET_BEFORE = re.compile(r"(?:[上下]午|中午|晚上?|夜|早|第[一二三四五六七八九十\d])场\s*$")
# between the bracketed sessions of one day: ）和下午场（
_SESSION_JOIN = re.compile(r"^[)）]?\s*[、和及与]\s*(?:[上下]午|中午|晚上?|夜|早|第[一二三四五六七八九十\d])场\s*[（(]?$")
# 22时至次日6时 (a night's hours, not a day of its own): the next day is the end time's
_NEXT_DAY_IN_RANGE = re.compile(r"(?:次日|翌日)\s*(?:凌晨|早上|清晨|上午)?")
# …7时30分起…，至晚上10时结束: a clock time given alone as the end of the time before it
_END_TIME_BEFORE = re.compile(r"(?:至|到)\s*(?:上午|中午|下午|傍晚|晚上|晚间|晚|夜间|夜里|凌晨)?\s*$")
_END_TIME_AFTER = re.compile(r"\s*(?:结束|散场|闭馆|闭园|收市|闭市|闭幕|落幕)")
# a generic event word before 当天/当日/当晚 (演出当天, 比赛当日): the day of the event found last
_EVENT_DAY_BEFORE = re.compile(r"(?:演出|比赛|赛事|活动|展会|晚会|大会|音乐会|演唱会)$")
_CONTINUE_BEFORE = re.compile(r"(持续至|持续到|延续至|延续到|展期至|展至|开放至|将持续至|一直持续到|延长至)$")


@dataclass(slots=True)
class Mention:
    """One date expression with what is attached to it (positions are in the sentence)."""

    start: int
    end: int
    start_day: date
    end_day: date | None = None
    times: list[time] = field(default_factory=list)
    tod: str | None = None
    kind: str = "greg"  # greg, lunar, rel, holiday, weekday
    list_group: int | None = None  # mentions of one list (12月22日、29日) share name and venue
    continues: bool = False  # an end given separately (持续至11月23日): extends the mention before
    lunar: tuple[int, int, int] | None = None  # (lunar year, month, day) of a lunar start
    # set when a later 持续至… extended end_day: where that end was written and the end before it
    # (阅读季启动仪式将于4月23日举行，阅读季将持续至7月31日: the season runs on, not the ceremony)
    extended_at: int | None = None
    end_before_extension: date | None = None
    # indices into ``times`` written as 24:00 or 晚上十二点: the end of that day, 00:00 of the next
    midnight: list[int] = field(default_factory=list)


def normalise(text: str) -> str:
    """Full-width digits and colon to ASCII, dash variants to "-"; same length as ``text``."""
    # re.sub on the few characters to change is several times faster than str.translate
    return _TO_NORMALISE.sub(_normalise_one, text)


def _normalise_one(m: re.Match[str]) -> str:
    return _NORMALISE[ord(m.group(0))]


def cn_int(s: str) -> int:
    """Small Chinese or Arabic numeral to int: 二十八 -> 28, 十二 -> 12, 廿一 -> 21, 〇 -> 0."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        v = CN_NUM.get(ch)
        if v is None:
            raise ValueError(s)
        if v == 10:
            total += (cur or 1) * 10
            cur = 0
        elif v == 20:
            total += 20
        else:
            cur = v
    return total + cur


def _lunar_day(s: str) -> int:
    return cn_int(s[1:]) if s.startswith("初") else cn_int(s)


def _cn_year(s: str) -> int:
    return int("".join(str(CN_NUM[c]) for c in s)) if not s.isdigit() else int(s)


def _nearest(cands: list[date], ref: date) -> date:
    # nearest to the publication date; on a tie, the later one
    return min(cands, key=lambda d: (abs((d - ref).days), -d.toordinal()))


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _greg(y: int | None, m: int, d: int, ref: date) -> date | None:
    if y is not None:
        return _safe_date(y, m, d)
    cands = [c for c in (_safe_date(ref.year + k, m, d) for k in (-1, 0, 1)) if c]
    return _nearest(cands, ref) if cands else None


def _lunar_to_solar(ly: int, lm: int, ld: int) -> date | None:
    try:
        return LunarDate(ly, lm, ld).to_solar_date()
    except (ValueError, IndexError, KeyError):
        if ld == 30:  # a 29-day month: 三十 means its last day
            try:
                return LunarDate(ly, lm, 29).to_solar_date()
            except (ValueError, IndexError, KeyError):
                return None
        return None


def _lunar(lm: int, ld: int, ref: date, year: int | None = None) -> tuple[date, int] | None:
    years = [year] if year is not None else [ref.year - 1, ref.year, ref.year + 1]
    found = [(d, y) for y in years if (d := _lunar_to_solar(y, lm, ld)) is not None]
    if not found:
        return None
    best = _nearest([d for d, _ in found], ref)
    return best, next(y for d, y in found if d == best)


def _chuxi(ref: date) -> tuple[date, int]:
    cands = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        cands.append((LunarDate(y + 1, 1, 1).to_solar_date() - timedelta(days=1), y))
    best = _nearest([d for d, _ in cands], ref)
    return best, next(y for d, y in cands if d == best)


def _clock(h: int, mi: int, tod: str | None) -> time | None:
    if tod in ("afternoon", "evening") and h < 12:
        h += 12
    elif tod == "evening" and h == 12:
        h = 0  # 晚上十二点: midnight, not noon
    if h == 24:
        h = 0
    if not (0 <= h < 24 and 0 <= mi < 60):
        return None
    return time(h, mi)


@dataclass(slots=True)
class _Tok:
    kind: str  # day, time, ctime, tod
    start: int
    end: int
    match: re.Match[str]


def _tokens(norm: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(norm):
        g = m.lastgroup
        kind = {"time": "time", "ctime": "ctime", "tod": "tod"}.get(g or "", "day")
        out.append(_Tok(kind, m.start(), m.end(), m))
    return out


class DateContext:
    """Resolution context: publication date and the last day mentioned (for 当天, 次日).

    ``event_day`` is the day of the last event found so far, set by the caller: 演出当天 after a
    ticket-sale date is the show's day, not the sale's.
    """

    __slots__ = ("published", "ref", "last_day", "event_day")

    def __init__(self, published: datetime) -> None:
        self.published = published
        self.ref = published.date()
        self.last_day: date | None = None
        self.event_day: date | None = None


def _resolve_day(tok: _Tok, norm: str, ctx: DateContext, base: Mention | None, as_end: bool) -> tuple[date, str, tuple[int, int, int] | None] | None:
    """Resolve a day token to (date, kind, lunar); ``base`` is the mention it continues, if any."""
    m = tok.match
    g = m.lastgroup
    ref = ctx.ref
    if g == "num":
        d = _safe_date(int(m["ny"]), int(m["nm"]), int(m["nd"]))
        return (d, "greg", None) if d else None
    if g == "greg":
        mo, dy = int(m["m"]), int(m["d"])
        y: int | None = int(m["y"]) if m["y"] else None
        if m["ry"]:
            y = {"今年": ref.year, "本年": ref.year, "明年": ref.year + 1, "去年": ref.year - 1}.get(m["ry"])
            if y is None:  # 次年, 翌年: the year after the date it continues
                y = (base.start_day.year if base else ref.year) + 1
        if y is None and as_end and base is not None:
            d = _safe_date(base.start_day.year, mo, dy)
            if d and d < base.start_day:
                # 12月28日至1月3日 crosses a year; 12月20日至12月18日 is no range at all
                d = _safe_date(base.start_day.year + 1, mo, dy) if mo < base.start_day.month else None
            return (d, "greg", None) if d else None
        d = _greg(y, mo, dy, ref)
        return (d, "greg", None) if d else None
    if g == "dot":
        if not _dot_ok(norm, tok.start, tok.end):
            return None
        mo, dy = int(m["dm"]), int(m["dd2"])
        if as_end and base is not None:
            d = _safe_date(base.start_day.year, mo, dy)
            if d and d < base.start_day:
                d = _safe_date(base.start_day.year + 1, mo, dy) if mo < base.start_day.month else None
            return (d, "greg", None) if d else None
        d = _greg(None, mo, dy, ref)
        return (d, "greg", None) if d else None
    if g == "rmd":
        mo_start = date(ref.year, ref.month, 1)
        if m["rm"] != "本月":
            mo_start = (mo_start + timedelta(days=32)).replace(day=1)
        d = _safe_date(mo_start.year, mo_start.month, int(m["rmdd"]))
        return (d, "greg", None) if d else None
    if g == "cn":
        lm_s, ld_s = m["cm"], m["cd"]
        lunar = bool(m["nongli"]) or lm_s in LUNAR_MONTHS or ld_s[0] in "初廿" or not m["csuf"]
        lm = LUNAR_MONTHS.get(lm_s) or cn_int(lm_s)
        ld = _lunar_day(ld_s)
        if lunar:
            if as_end and base is not None and base.lunar:
                r = _lunar(lm, ld, ref, base.lunar[0] + (1 if lm < base.lunar[1] else 0))
            else:
                r = _lunar(lm, ld, ref, _cn_year(m["cy"]) if m["cy"] else None)
            return (r[0], "lunar", (r[1], lm, ld)) if r else None
        y = _cn_year(m["cy"]) if m["cy"] else None
        d = _greg(y, lm, ld, ref)
        return (d, "greg", None) if d else None
    if g == "dan":
        if m["chuxi"] or m.group(0) == "年三十":
            d, ly = _chuxi(ref)
            return d, "lunar", (ly, 12, 30)
        ld = _lunar_day(m["dn"])
        r = _lunar(1, ld, ref)
        return (r[0], "lunar", (r[1], 1, ld)) if r else None
    if g == "hol":
        name = m["hol"]
        before = norm[max(0, tok.start - 5): tok.start]
        after = norm[tok.end: tok.end + 2]
        adjacent = base is not None and base.end == tok.start
        if _HOLIDAY_SEASON_AFTER.match(norm, tok.end):
            return None
        explicit = _HOLIDAY_BEFORE.search(before)
        if explicit and not _HOLIDAY_AFTER.match(after) and after[:1] not in ("", "，", ",", "、", " ", "“", "将", "在", "于", "举", "起", "前", "后", "还", "也"):
            explicit = None  # 2025年元旦升旗仪式: part of a name, not a date
        if not (explicit or _HOLIDAY_AFTER.match(after) or adjacent):
            return None
        hm, hd, is_lunar = HOLIDAYS[name]
        year = None
        if explicit:
            w = explicit.group(1)
            year = ref.year + 1 if w == "明年" else ref.year if w == "今年" else int(w[:4])
        if is_lunar:
            r = _lunar(hm, hd, ref, year)
            return (r[0], "holiday", (r[1], hm, hd)) if r else None
        d = _greg(year, hm, hd, ref)
        return (d, "holiday", None) if d else None
    if g == "rel":
        w = m["rel"]
        if w in ("今天", "今日", "今晚", "今早") or w.startswith("即日"):
            return ctx.ref, "rel", None
        if w in ("明天", "明日", "明晚", "明早"):
            return ctx.ref + timedelta(days=1), "rel", None
        if w == "后天":
            return ctx.ref + timedelta(days=2), "rel", None
        if w in ("昨天", "昨日", "昨晚"):
            return ctx.ref - timedelta(days=1), "rel", None  # a report of the day before (labelling rule 10)
        if w in ("次日", "翌日"):
            prev = base.start_day if base else ctx.last_day
            return (prev + timedelta(days=1), "rel", None) if prev else None
        if base is None and _FIRST_OF_BEFORE.search(norm, max(0, tok.start - 3), tok.start):
            return None  # 首演当晚: the first show's day, which need not be the last day mentioned
        if base is None and ctx.event_day is not None and _EVENT_DAY_BEFORE.search(norm, max(0, tok.start - 3), tok.start):
            return ctx.event_day, "alias", None  # 演出当天, 比赛当日: the event's day
        prev = base.start_day if base else ctx.last_day  # 当天, 当日, 当晚
        return (prev, "alias", None) if prev else None
    if g == "wkend":
        # 本周末: the Saturday (and Sunday, set by the caller) of that week (labelling rule 9)
        weeks = {"本": 0, "这": 0, "下": 1, "下下": 2}[m["wep"]]
        return ref - timedelta(days=ref.weekday()) + timedelta(days=7 * weeks + 5), "weekend", None
    if g == "wk":
        p = m["wkp"] or ""
        wd = WEEKDAYS[m["wd"]]
        before = norm[max(0, tok.start - 1): tok.start]
        if p == "每" or (not p and before in ("个", "两", "几", "各", "每", "逢")):
            return None
        if not p and _RECURRING_BEFORE.search(norm, max(0, tok.start - 30), tok.start):
            return None
        monday = ref - timedelta(days=ref.weekday())
        if p in ("本", "这"):
            return monday + timedelta(days=wd), "weekday", None
        if p == "下":
            return monday + timedelta(days=7 + wd), "weekday", None
        if p == "下下":
            return monday + timedelta(days=14 + wd), "weekday", None
        if p == "上":
            return monday - timedelta(days=7 - wd), "weekday", None
        after = norm[tok.end: tok.end + 1]
        if after and not re.match(r"[上下晚早中凌傍\d,，将举在于]", after):
            return None
        return ref + timedelta(days=(wd - ref.weekday()) % 7), "weekday", None
    if g in ("dayonly", "cnday", "chu"):
        if base is None:
            return None
        if g == "chu":
            if not base.lunar:
                return None
            ly, lm, _ = base.lunar
            ld = _lunar_day(m["chu"])
            d = _lunar_to_solar(ly, lm, ld)
            if d and d < base.start_day:
                d = _lunar_to_solar(ly, lm + 1, ld) if lm < 12 else _lunar_to_solar(ly + 1, 1, ld)
            return (d, "lunar", None) if d else None
        dy = int(m["dd"]) if g == "dayonly" else cn_int(m["cdd"])
        if g == "cnday" and not base.lunar:
            return None
        if base.lunar and g == "cnday":
            ly, lm, _ = base.lunar
            d = _lunar_to_solar(ly, lm, dy)
            return (d, "lunar", None) if d else None
        start = base.end_day or base.start_day
        d = _safe_date(start.year, start.month, dy)
        if d is None or d < start:
            nxt = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
            d = _safe_date(nxt.year, nxt.month, dy)
        return (d, "greg", None) if d else None
    return None


def _dot_ok(norm: str, a: int, b: int) -> bool:
    """Whether the M.D at ``a:b`` is a date, not a decimal (see _DOT_RANGE_AFTER)."""
    if _DOT_UNIT_AFTER.match(norm, b):
        return False  # 1.5-1.8米, 3.26万
    before = norm[max(0, a - 12): a]
    return bool(
        _DOT_RANGE_AFTER.match(norm, b)
        or _DOT_RANGE_BEFORE.search(before)
        or _DOT_LABEL_BEFORE.search(before)
        or _DOT_WEEKDAY_AFTER.match(norm, b)
        or (not norm[:a].strip() and _DOT_CELL_AFTER.match(norm, b))
    )


def _is_midnight(tok: _Tok, tod: str | None) -> bool:
    """A clock time written as the end of its day: 24:00, 24时, 晚上十二点."""
    h = int(tok.match["h"]) if tok.kind == "time" else cn_int(tok.match["hc"])
    return h == 24 or (h == 12 and tod == "evening")


def _time_of(tok: _Tok, tod: str | None) -> time | None:
    m = tok.match
    if tok.kind == "time":
        h = int(m["h"])
        mi = int(m["mi"]) if m["mi"] else (cn_int(m["mi2"]) if m["mi2"] else (30 if m["half"] else 0))
    else:
        h = cn_int(m["hc"])
        mi = cn_int(m["mic"]) if m["mic"] else (30 if m["halfc"] else 0)
    return _clock(h, mi, tod)


def find_mentions(
    sentence: str, *, published: datetime, ctx: DateContext | None = None, carry: bool = False
) -> list[Mention]:
    """The date mentions of one normalised sentence, in order, resolved against ``published``.

    ``ctx`` carries the last day mentioned across the sentences of one text (for 当天, 次日).
    With ``carry``, a sentence with no day of its own that opens with a time (下午三点，…在B开课,
    the next item of one day's programme) gets a mention on ``ctx.last_day``.
    """
    ctx = ctx or DateContext(published)
    norm = sentence
    lead = LEAD_TIME.match(norm) if carry and ctx.last_day is not None else None
    if lead is None and not HAS_DAY.search(norm):
        return []
    brackets = [(b.start(), b.end(), b.group(1)) for b in _BRACKET.finditer(norm)]
    toks = _tokens(norm)
    mentions: list[Mention] = []
    floating: list[_Floating] = []  # clock times not next to a date: 活动于上午8时开始
    cur: Mention | None = None
    if lead is not None and ctx.last_day is not None:
        at = lead.start("t")
        cur = Mention(at, at, ctx.last_day, kind="rel")
        mentions.append(cur)
    pending: tuple[int, str] | None = None  # (end position, tod) of a time word before a clock time
    # (end position, mention) of a separately given end day (持续到次日凌晨0:30): its clock time
    # is the mention's end time
    cont_end: tuple[int, Mention] | None = None
    groups = 0
    skip_until = -1
    for idx, tok in enumerate(toks):
        if tok.start < skip_until:
            continue
        br = next((b for b in brackets if b[0] < tok.start < b[1]), None)
        if br is not None:
            adjacent = cur is not None and norm[cur.end: br[0]].strip() == ""
            if adjacent and cur is not None:
                # 本周六（4月12日）: the explicit date wins; 12月20日（周五）: a note, skipped
                if tok.kind == "day" and tok.match.lastgroup in ("greg", "num") and cur.kind != "greg":
                    r = _resolve_day(tok, norm, ctx, None, False)
                    if r:
                        if cur.kind == "weekend" and not re.search(r"[至到\-、和]", br[2]):
                            cur.end_day = None  # 本周末（6月13日）: that one day
                        cur.start_day, cur.kind = r[0], "greg"
                        ctx.last_day = r[0]
                cur.end = br[1]
                skip_until = br[1]
                continue
            if (br[2].startswith("农历") or not _GREG_IN.search(br[2])) and not _SESSION_BRACKET_BEFORE.search(norm, 0, br[0]):
                skip_until = br[1]
                continue
        gap = _gap(norm, cur.end, tok.start, brackets) if cur is not None else None
        if tok.kind == "tod":
            word = tok.match.group(0)
            tod = TOD_WORDS[word]
            if cur is not None and gap is not None and _ATTACH_GAP.match(gap):
                cur.tod = cur.tod or tod
                cur.end = tok.end
            pending = (tok.end, tod)
            continue
        if tok.kind in ("time", "ctime"):
            tod_here = pending[1] if pending is not None and pending[0] == tok.start else None
            pending = None
            if tok.kind == "ctime" and tod_here is None and cn_int(tok.match["hc"]) < 13:
                continue  # 一时, 两点 without 上午/下午 are not clock times; 二十时 is one
            if cont_end is not None and cont_end[1].times and _DAILY_GAP.match(norm[cont_end[0]: tok.start]):
                # 至10月7日每晚20:00-22:00: the daily closing time is the run's last time
                t = _time_of(tok, tod_here or cont_end[1].tod)
                if t is not None and len(cont_end[1].times) == 1 and t > cont_end[1].times[0]:
                    cont_end[1].times.append(t)
                    cont_end = None
                continue
            if cont_end is not None and cont_end[1].times and _END_TIME_GAP.match(norm[cont_end[0]: tok.start]):
                t = _time_of(tok, tod_here)
                if t is not None and len(cont_end[1].times) == 1:
                    cont_end[1].times.append(t)
                    if _is_midnight(tok, tod_here):
                        cont_end[1].midnight.append(1)
                cont_end = None
                continue
            attach = cur is not None and gap is not None and (
                _ATTACH_GAP.match(gap) or gap in ("每晚", "，每晚", "，每天") or (cur.times and _RANGE_GAP.match(gap))
            )
            if not attach and cur is not None and gap in _SESSION_GAP and len(cur.times) >= 2:
                t = _time_of(tok, tod_here or cur.tod)
                attach = t is not None and t > cur.times[-1]  # 9:00-12:00、14:30-17:30: one day, two sessions
            if attach and cur is not None:
                t = _time_of(tok, tod_here or cur.tod)
                if t is not None:
                    if _is_midnight(tok, tod_here or cur.tod):
                        cur.midnight.append(len(cur.times))
                        cur.times.append(t)
                    else:
                        _add_time(cur.times, t, None if tod_here else cur.tod)
                    cur.tod = cur.tod or tod_here
                    cur.end = tok.end
                continue
            t = _time_of(tok, tod_here)
            if t is None:
                continue
            last = floating[-1] if floating else None
            between = norm[last.end: tok.start] if last is not None else ""
            if tod_here:
                between = _TOD_TAIL.sub("", between)  # 上午10时至晚上9时: the end's own time word
            if last is not None and len(last.times) == 1:
                between = _NEXT_DAY_IN_RANGE.sub("", between)  # 22时至次日6时
            if last is not None and (between.strip() in _SESSION_GAP or _SESSION_JOIN.match(between.strip())) and len(last.times) >= 2 and t > last.times[-1]:
                last.times.append(t)  # 每天9:00-12:00、14:30-17:30: a second session of the same days
                last.end = tok.end
            elif last is not None and _FLOAT_RANGE_GAP.match(between.strip()):
                if _is_midnight(tok, tod_here or last.tod):
                    last.midnight.append(len(last.times))
                    last.times.append(_time_of(tok, tod_here or last.tod) or t)
                else:
                    _add_time(last.times, _time_of(tok, tod_here or last.tod) or t, None if tod_here else last.tod)
                last.end = tok.end
            else:
                is_end = bool(_END_TIME_BEFORE.search(norm, max(0, tok.start - 6), tok.start) and _END_TIME_AFTER.match(norm, tok.end))
                floating.append(_Floating(tok.start, tok.end, [t], tod_here, [0] if _is_midnight(tok, tod_here) else [], is_end))
            continue
        # a day
        g = tok.match.lastgroup
        if g == "rel" and floating and len(floating[-1].times) == 1 and (cur is None or floating[-1].start > cur.end):
            if _FLOAT_RANGE_GAP.match(norm[floating[-1].end: tok.start].strip()) and _NEXT_DAY_IN_RANGE.match(tok.match.group(0)):
                continue  # 晚上22时至次日6时: the night's end time follows, no day of its own
        if cur is not None and gap is not None and _RANGE_GAP.match(gap) and cur.end_day is None:
            r = _resolve_day(tok, norm, ctx, cur, True)
            if r and r[0] >= cur.start_day:
                cur.end_day = r[0]
                cur.end = tok.end
                continue
        word = tok.match.group(0)
        if cur is not None and gap == "" and g in ("hol", "rel"):
            r = _resolve_day(tok, norm, ctx, cur, False)
            if r and r[0] == cur.start_day:  # 正月十五元宵节当晚: one day named twice
                cur.end = tok.end
                if word.endswith("晚"):
                    cur.tod = cur.tod or "evening"
                continue
        if g == "rel" and word in ("当天", "当日", "当晚", "同日", "同一天", "同天") and cur is not None:
            if gap is not None and re.search(r"[，,；;]", gap) and _ALSO_AFTER.match(norm, tok.end):
                # …开幕式在A举行，当天还将举行B: a further happening on that day, an event of its own
                cur = Mention(tok.start, tok.end, cur.start_day, kind="rel",
                              tod="evening" if word == "当晚" else None)
                mentions.append(cur)
                continue
            cur.end = tok.end  # refers back to the mention before it in this sentence
            if word == "当晚":
                cur.tod = cur.tod or "evening"
            continue
        if cur is not None and gap is not None and _LIST_GAP.match(gap) and g in ("dayonly", "greg"):
            r = _resolve_day(tok, norm, ctx, cur, False)
            if r:
                if cur.list_group is None:
                    groups += 1
                    cur.list_group = groups
                cur = Mention(tok.start, tok.end, r[0], kind=r[1], list_group=cur.list_group)
                mentions.append(cur)
                ctx.last_day = cur.start_day
                continue
        if g in ("dayonly", "cnday", "chu") and cur is None:
            continue
        if g == "dayonly" and (
            _NOT_DAY_AFTER.match(norm[tok.end: tok.end + 1])
            or (tok.start > 0 and norm[tok.start - 1] not in _DAY_BOUNDARY)
        ):
            continue  # 7号馆, 第3号: not a day
        base = cur if g in ("dayonly", "cnday", "chu") or (g == "greg" and tok.match["ry"] in ("次年", "翌年")) else None
        r = _resolve_day(tok, norm, ctx, base, False)
        if r is None:
            continue
        day, kind, lunar = r
        if _REPORT_AFTER.match(norm[tok.end:]) or norm[max(0, tok.start - 2): tok.start] == "记者":
            continue
        if _CONTINUE_BEFORE.search(norm[max(0, tok.start - 8): tok.start]) or (
            _BARE_TO_BEFORE.search(norm[max(0, tok.start - 3): tok.start])
            and (_END_AFTER.match(norm, tok.end) or (mentions and _DAILY_AFTER.match(norm, tok.end)))
        ):
            if mentions and day >= mentions[-1].start_day:
                prev = mentions[-1]  # 将持续至11月23日: the end of the mention before
                if prev.extended_at is None:
                    prev.extended_at, prev.end_before_extension = tok.start, prev.end_day
                prev.end_day = max(prev.end_day or day, day)
                cont_end = (tok.end, prev)
            elif not mentions:
                # 文化节为期一个多月，至6月15日结束: an end whose start is in another sentence; not an
                # event by itself, it may extend (or complete) an event named before
                mentions.append(Mention(tok.start, tok.end, day, kind=kind, continues=True))
            continue
        cur = Mention(tok.start, tok.end, day, kind="rel" if kind == "alias" else kind, lunar=lunar)
        if kind == "weekend":
            cur.end_day = day + timedelta(days=1)
        if word in ("今晚", "明晚", "昨晚", "当晚"):
            cur.tod = "evening"
        elif word in ("今早", "明早"):
            cur.tod = "morning"
        if pending is not None and pending[0] == tok.start:
            cur.tod = cur.tod or pending[1]
        pending = None
        mentions.append(cur)
        ctx.last_day = day
    for f in floating:  # a later clock time belongs to the nearest date before it that has none
        before = [m for m in mentions if m.start < f.start]
        shared = _shared_by(norm, f, before)
        if shared:
            for m in shared:
                m.times, m.midnight = list(f.times), list(f.midnight)
                m.tod = m.tod or f.tod
            continue
        if f.is_end and before and len(before[-1].times) == 1 and len(f.times) == 1 and f.times[0] > before[-1].times[0]:
            before[-1].times.append(f.times[0])  # …7时30分起…，至晚上10时结束
            if f.midnight:
                before[-1].midnight.append(1)
            continue
        if before and not before[-1].times and not f.is_end:
            before[-1].times = f.times
            before[-1].midnight = f.midnight
            before[-1].tod = before[-1].tod or f.tod
    _share_in_lists(mentions)  # after the floating times: 7月5日、12日…，每场晚上7点至11点
    return mentions


def _shared_by(norm: str, f: _Floating, before: list[Mention]) -> list[Mention]:
    """The mentions a clock time given once applies to, when it is written as shared.

    …10月14日迎战A、10月18日迎战B，开赛时间均为19:35 (均, 每场): every date before it without a time;
    11月7日在A、11月14日在B展出，每天10:00-18:00: every date of that one list (no comma between
    them), since a 每天 after separate clauses may belong to the last one only.
    """
    bare = [m for m in before if not m.times and not m.continues]
    if len(bare) < 2 or len(bare) != len(before):
        return []
    lead = norm[max(0, f.start - 12): f.start]
    if _SHARED_TIME_BEFORE.search(lead):
        return bare
    if _EACH_DAY_BEFORE.search(lead) and not re.search(r"[，,；;]", norm[bare[0].start: bare[-1].start]):
        return bare
    return []


def _gap(norm: str, a: int, b: int, brackets: list[tuple[int, int, str]]) -> str:
    """The text between two tokens, without the bracketed notes in it: 21日（冬至）至22日."""
    gap = norm[a:b]
    for ba, bb, _ in reversed(brackets):
        if a <= ba and bb <= b:
            gap = gap[: ba - a] + gap[bb - a:]
    return gap.strip()


@dataclass(slots=True)
class _Floating:
    start: int
    end: int
    times: list[time]
    tod: str | None
    midnight: list[int] = field(default_factory=list)
    is_end: bool = False  # written as the end of a time before it: 至晚上10时结束


def _add_time(times: list[time], t: time, tod: str | None) -> None:
    """Append a clock time; ``tod`` is the time word it inherits (None when it has its own)."""
    if times and t < times[-1] and tod in ("afternoon", "evening") and t.hour < 12:
        t = time(t.hour + 12, t.minute)  # 晚7点至10点: 10 is 22:00
    times.append(t)


def _share_in_lists(mentions: list[Mention]) -> None:
    """List members share a time of day or clock time given once: 12月22日、29日两个周日下午."""
    by_group: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.list_group is not None:
            by_group.setdefault(m.list_group, []).append(m)
    for members in by_group.values():
        tod = next((x.tod for x in members if x.tod), None)
        source = next((x for x in members if x.times), None)
        for x in members:
            x.tod = x.tod or tod
            if not x.times and source is not None:
                x.times, x.midnight = list(source.times), list(source.midnight)
