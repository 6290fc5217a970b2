"""Shared vocabulary and small helpers of the event extractor (tasks/extract.py and its parts).

Event words (verbs, nouns), the blocking vocabularies of labelling rule 2, the candidate record
``_Cand`` and the sentence record ``_Sentence``, and the helpers every part needs: whether a mention
is upcoming, its start and end values, name cleaning. Internal to tasks/extract*.py; the public
entry point is ``tasks.extract.extract_events``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable, NamedTuple

from tasks.extract_dates import DateContext, Mention
from tasks.models import SHANGHAI, TimeOfDay

_BRACKET = re.compile(r"[（(][^（）()]{0,40}[）)]")
EVENT_VERBS = (
    "举行|举办|召开|开幕|闭幕|上演|开赛|鸣枪|开跑|起跑|开市|开园|开展|亮灯|启动|进行|展出|唱响|奏响|打响|"
    "燃放|亮相|揭幕|开营|开演|演出|放映|拉开|启幕|开馆|开讲|开课|开锣|登场|揭牌|点亮|开播|开街|开打"
)
_EVENT_VERB = re.compile(EVENT_VERBS)
EVENT_NOUNS = (
    "开幕式|闭幕式|仪式|典礼|颁奖礼|音乐会|演唱会|音乐节|晚会|演出|展演|表演|展览|展销会|博览会|交易会|展会|"
    "招聘会|洽谈会|交流会|推介会|发布会|研讨会|宣讲会|座谈会|分享会|见面会|对接会|报告会|游园会|茶话会|团拜会|"
    "运动会|论坛|峰会|大会|年会|会议|比赛|大赛|竞赛|联赛|邀请赛|锦标赛|友谊赛|挑战赛|对抗赛|总决赛|决赛|马拉松|"
    "健康跑|迷你跑|欢乐跑|亲子跑|夜跑|长跑|彩虹跑|荧光跑|接力跑|越野跑|徒步|巡游|巡演|灯会|灯光秀|无人机表演|烟花|焰火|庙会|花市|市集|集市|嘉年华|沙龙|讲座|活动|"
    "开放日|体验日|活动日|主题日|放映|路演|直播|访谈|挑战|体验课|公开课|公益课|大讲堂|讲堂|培训班|培训|体验营|训练营|夏令营|冬令营|研学营|集训营|派对|专场|折子戏|[话舞歌粤京越昆]剧|音乐剧|儿童剧|[\u4e00-\u9fff]{2}(?:夜|季|月)|"
    "[\u4e00-\u9fff]{2}节|[\u4e00-\u9fff]会|[^\\d个每本下上这一两几十百]周|[^\\d]展|秀|赛"
)
_NAME_END = re.compile(f"(?:{EVENT_NOUNS})$")
_NOT_EVENT_END = re.compile(
    r"(?:发展|进展|开展|拓展|扩展|参赛|决赛权|春节|季节|环节|细节|节日|周年|元宵节|端午节|中秋节|国庆节|劳动节|"
    r"妇女节|儿童节|植树节|重阳节|清明节|圣诞节|情人节|七夕节|母亲节|父亲节|教师节|"
    r"社会|机会|委员会|[组执筹监居村]委会|协会|学会|商会|工会|都会|理事会|董事会|常委会|基金会|联合会|总会|分会|研究会|促进会|"
    r"也会|将会|不会|才会|就会|还会|体会|领会|约会|只会|会不会|开会|人大会|"
    # sales offers, not happenings: 景区将推出系列优惠活动
    r"优惠活动|促销活动|让利活动|折扣活动|"
    # seasons, months and nights that are time words, not events (消费季, 龙舟月, 奇妙夜 are events)
    r"[一二三四五六七八九十〇春夏秋冬旺淡赛雨换当同每本上下第]季|季度|"
    r"[一二三四五六七八九十〇正腊冬岁年日风蜜满本下上当同每次个数明今去该元闰半]月|"
    r"[今明昨当每前后半深连整入午]夜|日夜|昼夜|彻夜|通宵夜|除夕夜|平安夜|[春秋]节|"
    # a broadcast of an event named elsewhere (同步直播, 进行全程直播), not a programme of its own
    r"(?:同步|全程|现场|进行|实时|视频|网络|图文|电视)直播)$"
)


# whole-span blockers: administrative schedules, cancellations, statistics (labelling rule 2)
_STRONG_BLOCK = re.compile(
    r"交通管制|管制|封闭施工|限行|绕行|禁止通行|停运|停航|施行|生效|"
    r"大检查|检查|整治|取消|停办|暂停|另行通知|不再举办|祭扫|截至目前|已接待|累计(?!积分|打卡|步数|里程|签到)|同比|"
    # a service or enforcement campaign (“春风行动”专项服务活动, 专项整治), not something to attend
    r"专项(?:服务|整治|治理|执法|行动)"
)


# exams are not events; an event named by an event noun ABOUT an exam is (中考招生政策咨询会)
_EXAM_BLOCK = re.compile(r"考试|笔试|面试|中考|高考|考生")


# blockers of the mention's own clause only (a 报名 sentence next to an event must not hide it)
_WEAK_BLOCK = re.compile(r"报名|截止|截至|申报|受理|提交|售票|开售|门票|缴费|缴纳|办理|预约时间|报送|公示|征集|申请|登记")
_ENUM = r"(?:[一二三四五六七八九十]+、|\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)]|[①②③④⑤⑥⑦⑧⑨⑩])"


# labels of service hours, sales and deadlines, not of events
_NOT_EVENT_LABEL = re.compile(r"开放|营业|办公|服务|受理|咨询|预约|售票|退票|领取|兑换|发放|缴费|补贴|办理|投诉|通行|管制|截止|填报|考试")
_ENUM_PREFIX = re.compile(f"^\\s*{_ENUM}\\s*")


# a clause that is a place and nothing else (in a labelled list item: …：11月29日（周六），东城体育公园)
_PLACE_END = re.compile(
    r"(?:馆|中心|广场|公园|厅|场|楼|街|村|园|湖|岛|山|区|镇|路|号|院|校|室|基地|会堂|剧院|影院|大厦|酒店|宾馆|"
    r"码头|社区|景区|古村落|步行街|文化站|综合体|商圈|滨水带|绿道|港|站)(?:[（(][^（）()]{1,20}[）)])?$"
)


# 招生计划 is a noun: 计划 and 预计 count only before a time or a verb
_FUTURE = re.compile(r"将|拟|定于|即将|届时|计划(?:于|在|将|举办|举行|开展|推出)|预计(?:于|在|将|举办|举行)|欢迎")
_LABEL = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*"
    r"(?P<label>[^\s:：，。]{0,6}?)(?:时间|日期)\s*[:：]"
)
_FIELD = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*"
    r"(?P<key>[^\s:：，。]{0,6}?)(?P<kind>地点|地址|名称|主题)\s*[:：]\s*(?P<value>.+?)\s*$"
)
_NOT_VENUE = re.compile(
    r"\d{1,2}月|\d{1,2}[日号](?![馆楼厅门线院场台房室口栋座层]|展[厅馆区位台]|、\d{1,2}号)|\d{1,2}[:：]\d{2}|^(?:这里|此|该地|当地|同一地点|现场|线上|网上|云端|室内|户外|期间|"
    r"当天|当晚|当日|届时|今年|明年|此次|本次|活动|全市|各地|多地|各镇街)$|^(?:上午|下午|晚上|晚|早上|中午)|"
    r"现场$|"
    # a closing day read as a place: 展期为…，每周一闭馆
    r"^每(?:周|星期|天|日|晚)|闭馆$|休馆$|闭园$"
)


# streaming sites named without a generic word (客户端, 平台): 虎牙、B站将同步直播
_PLATFORMS = r"B站|哔哩哔哩|bilibili|快手|虎牙|斗鱼|咪咕视频|腾讯视频|爱奇艺|优酷|视频号|直播间"
_QUOTE = re.compile(r"[“\"「『](?P<q>[^”\"」』\n]{1,40})[”\"」』]|《(?P<b>[^》\n]{1,40})》")
_COUNT_PREFIX = re.compile(r"^(?:[\d一二三四五六七八九十两]+(?:场|项|个|次|届|批)|系列|一系列|多场|多项)")
_NAME_NOISE_PREFIX = re.compile(r"^(?:其中|此外|同时|另外|据悉|据介绍|据了解|届时|本届|本次|此次|今年的?|今年|该|这次|这场)")
_GENERIC_NAMES = frozenset({"活动", "该活动", "本次活动", "此次活动", "仪式", "比赛", "演出", "开幕", "会议"})
_TOD_END_HOUR = {"morning": 12, "afternoon": 18, "evening": 24}


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
    from_row: bool = False  # a schedule table's row


class _Sentence(NamedTuple):  # a NamedTuple: a release has hundreds, frozen dataclasses cost more
    line: int
    start: int  # offset in the text
    orig: str
    norm: str


# a date finder: (normalised sentence, publication time, context across sentences) -> its mentions
Finder = Callable[[str, datetime, DateContext], list[Mention]]


def _clause_at(spans: list[tuple[int, int]], pos: int) -> int:
    for k, (a, b) in enumerate(spans):
        if a <= pos <= b:
            return k
    return len(spans) - 1


def _hhmm(s: str) -> time | None:
    h, _, mi = s.partition(":")
    return time(int(h), int(mi)) if int(h) < 24 and int(mi) < 60 else None


def _tod_of_hour(h: int) -> TimeOfDay:
    return TimeOfDay.MORNING if h < 12 else TimeOfDay.AFTERNOON if h < 18 else TimeOfDay.EVENING


def _strip_quotes_end(s: str) -> str:
    return s.rstrip("”\"」』》")


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
        if 0 in m.midnight:
            start += timedelta(days=1)  # 晚上十二点 of a day is 00:00 of the next
    else:
        start = m.start_day
    end: date | datetime | None = None
    if len(m.times) >= 2:
        end = datetime.combine(m.end_day or m.start_day, m.times[-1], tzinfo=SHANGHAI)
        if len(m.times) - 1 in m.midnight:
            end += timedelta(days=1)  # 每天10时至晚上十二点 (24:00): the last day ends at 00:00 of the next
        elif isinstance(start, datetime) and end < start and m.end_day is None:
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


def _is_event_name(s: str) -> bool:
    return bool(_NAME_END.search(s)) and not _NOT_EVENT_END.search(s)


def _orig(sent: _Sentence, a: int, b: int) -> str:
    return sent.orig[a:b]


# A name ends before a postponement (…总决赛延期至7月19日) and never opens with 的 (…举行的X).
_NAME_CUT = re.compile(r"(?:延期|推迟|改期|顺延|延后)(?:至|到|举行|举办)?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]")
_LEADING_DE = re.compile(r"^的(?!士)")


def _clean_name(s: str) -> str:
    cut = _NAME_CUT.search(s)
    if cut is not None and cut.start() >= 2:
        s = s[: cut.start()]
    s = _LEADING_DE.sub("", _ENUM_PREFIX.sub("", s).strip(" ，,、：:")).strip(" ，,、：:")
    s = _BRACKET.sub(lambda b: b.group(0) if re.search(r"[\u4e00-\u9fff]{2,}", b.group(0)) and not re.search(r"周|星期|农历|简称", b.group(0)) else "", s)
    prev = None
    while prev != s:
        prev = s
        s = _NAME_NOISE_PREFIX.sub("", s).strip(" ，,、：:")
        s = _COUNT_PREFIX.sub("", s).strip(" ，,、：:")
    return s


_ONLINE_WORDS = re.compile(f"客户端|视频号|公众号|直播|平台|频道|App|APP|小程序|抖音|微博|网站|线上|云端|{_PLATFORMS}")


def _core(name: str) -> str:
    s = re.sub(r"[“”\"《》「」『』\s]", "", name)
    return _NAME_NOISE_PREFIX.sub("", s)


def _day(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v
