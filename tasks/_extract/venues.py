"""Venues and online platforms of extracted events (part of tasks/extract.py).

在A举行 -> A, 地点：A -> A, 起点设在A -> A, 位于A路N号的B -> B; one place per date of a list;
地点 lines and field blocks; 直播 / 线上 sentences naming the platform.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from tasks._extract.base import (
    EVENT_NOUNS,
    EVENT_VERBS,
    _Cand,
    _FIELD,
    _NOT_VENUE,
    _ONLINE_WORDS,
    _PLACE_END,
    _PLATFORMS,
    _Sentence,
    _clause_at,
    _orig,
)
from tasks.extract_dates import Mention

# a clause ending like a place but saying something else: 共安排活动200场, 设置分会场
_NOT_BARE_VENUE = re.compile(
    f"{EVENT_VERBS}|\\d+\\s*(?:多|余)?(?:场|项|个|名|人|万|家|支|批|届|次)|共|将|安排|设置|设有|推出|预计|参加|参与|免费|组织|邀请"
)
_VENUE_VERB = (
    "举行|举办|召开|开幕|闭幕|上演|展出|开展|进行|开赛|鸣枪|开跑|起跑|开市|开园|亮灯|启动|唱响|奏响|打响|"
    "燃放|亮相|揭幕|开营|开演|演出|放映|拉开|启幕|开馆|开讲|开课|集结|展开|登场|开启|揭牌|点亮|开锣|开放|开街|开打"
)
_VENUE_AT = re.compile(
    r"(?:在|于)(?P<v>(?:(?!在|于)[^，。；;,!！?？\n])+?)(?:隆重|正式|盛大|同步|同时|共同|联合|集中|再次|如期|分别|统一|陆续|相继|依次|轮流|连续|接连|轮番|巡回|首次|首度|再度|重新|率先)?"
    f"(?:{_VENUE_VERB})"
)
_VENUE_FIELD = re.compile(
    r"(?:活动|举办|演出|比赛|会议|举行|活动举办|展览|展出)?(?:地点|地址)\s*"
    r"(?:[:：]|(?:均|都|统一|同样|仍|仍然|依然|依旧)?(?:为|是|设在|设于|在|位于)|(?:改|调整|变更)(?:为|至|到))\s*(?P<v>[^，。；;,\n:：]+)"
)
_VENUE_START = re.compile(
    r"(?:(?:起点|主会场|会场|起终点)(?:设在|位于|为|在)|设在|设于)(?P<v>[^，。；;,\n]+)|从(?P<f>[^，。；;,\n从]{2,20}?)出发"
)
_ONLINE = re.compile(
    r"(?:通过|在|于|登录|借助|关注|锁定)(?P<v>(?:(?!通过|在|于)[^，。；;,\n])+?)(?:进行)?"
    r"(?:观看|收看)?(?:同步|全程|现场|网络|线上|在线|实时|免费)*(?:直播|转播|观看直播|收看|观看)(?=[，。；;,\n!！]|$)"
)


# a broadcaster as the subject: 东莞电视台将同步直播, “东莞+”客户端全程转播
_ONLINE_SUBJECT = re.compile(
    r"(?:^|[，,：:\s])(?P<v>[^，。；;,\n：:]{0,20}?(?:电视台|广播电视台|电台|客户端|视频号|公众号|频道|平台|App|APP|网站|抖音号?|微博|"
    f"{_PLATFORMS}))"
    r"(?:也|还|均)?(?:将|会)?(?:对[^，。；;,\n]{1,12}?)?(?:进行)?(?:同步|全程|现场|网络|线上|实时|免费)*(?:直播|转播)"
)


# an online-only programme: 在“东莞人社”视频号开展“直播带岗”活动
_ONLINE_AT = re.compile(
    r"(?:在|于|通过|联合|携手)(?P<v>[^，。；;,\n在于]{1,20}?(?:客户端|视频号|公众号|直播间|小程序|App|APP|频道|"
    f"{_PLATFORMS}))"
    r"(?:上|线上)?(?:开展|举办|举行|推出|进行|上线|开播|开讲)"
)


# 11月7日在A、11月14日在B、11月21日在C展出: each date of one clause has its own place
_PIECE_VENUE = re.compile(r"\s*(?:在|于)(?P<v>[^，,、。；;在于]{2,30}?)\s*[、和及]?\s*$")


def _piece_venue(m: Mention, mentions: list[Mention], spans: list[tuple[int, int]], c: int, norm: str, sent: _Sentence) -> str | None:
    """The place written right after a date when several dates share one clause and its verb."""
    if len(mentions) < 2:
        return None  # most sentences: one date
    mates = [x for x in mentions if not x.continues and _clause_at(spans, x.start) == c]
    if len(mates) < 2 or m is mates[-1] or m.list_group is not None:
        return None
    nxt = mates[mates.index(m) + 1]
    pv = _PIECE_VENUE.fullmatch(norm, m.end, nxt.start)
    if pv is None:
        return None
    v = pv.group("v").strip()
    if _NOT_VENUE.search(v) or _ONLINE_WORDS.search(v):
        return None
    return _orig(sent, pv.start("v"), pv.start("v") + len(v))


def _bare_venue(spans: list[tuple[int, int]], c: int, last: int, sent: _Sentence) -> str | None:
    """In a labelled item, a following clause that is only a place names the venue."""
    for k in range(c + 1, last + 1):
        a, b = spans[k]
        raw = sent.norm[a:b]
        v = raw.strip().rstrip("。；;")
        if 2 <= len(v) <= 30 and _PLACE_END.search(v) and not _NOT_BARE_VENUE.search(v) and not _NOT_VENUE.search(v):
            lead = len(raw) - len(raw.lstrip())
            return _orig(sent, a + lead, a + lead + len(v))
    return None


# a place as the subject: 东城文化广场将举行X (labelling rule 6). Only nouns that name open sites,
# never an institution that may be the organiser (东莞图书馆将举办… gives no venue)
_VENUE_SUBJECT = re.compile(
    r"(?:^|[，,])\s*(?P<v>[^，,。；;：:“”《》\s]{2,20}?(?:广场|公园|草坪|体育场|舞台|步行街|滨江段|湿地|沙滩|码头|古村落?))"
    r"(?:还|也)?将(?:隆重|盛大)?(?:举行|举办|上演|开展)"
)


def _venue(seg: str, norm: str, seg_a: int, sent: _Sentence, m: Mention, mentions: list[Mention], own_a: int) -> str | None:
    found: tuple[int, int] | None = None
    own_rel = own_a - seg_a  # the mention's clause starts here in seg: look there first
    for rx in (_VENUE_FIELD, _VENUE_AT, _VENUE_START, _VENUE_SUBJECT):
        hits = sorted(rx.finditer(seg), key=lambda mv: (mv.start() < own_rel, mv.start()))
        for mv in hits:
            grp = "v" if mv.group("v") is not None else "f"
            a = mv.start(grp) + len(mv.group(grp)) - len(mv.group(grp).lstrip())
            v = mv.group(grp).strip()
            cut = _address_cut(v, seg[max(0, a - 2): a] == "位于")  # 位于A路N号的B: the place is B
            a, v = a + cut, v[cut:]
            if not v or len(v) > 30 or _NOT_VENUE.search(v) or _ONLINE_WORDS.search(v):
                continue
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


# 位于东城街道东纵大道3号的X / 东纵大道3号的X: an address before the place's name (labelling rule 10)
_ADDRESS_OF = re.compile(r"^(?:位于)?(?P<a>[^，,。；;的]{2,30}?)的(?=[^，,。；;的]{2,})")
_ADDRESS_END = re.compile(r"\d+号(?:[之-]\d+)?(?:院|楼)?$|[路街道巷村]$")


def _address_cut(v: str, after_weiyu: bool = False) -> int:
    """How many characters of ``v`` are an address written before the place (位于A的B -> len(位于A的))."""
    ad = _ADDRESS_OF.match(v)
    if ad is None:
        return 0
    if v.startswith("位于") or after_weiyu or _ADDRESS_END.search(ad.group("a")):
        return ad.end()
    return 0


def _online(seg: str) -> str | None:
    # 市民可在东江大道沿线观看: watching in person; a bare 观看 names a platform only if it is one
    mo = next((x for x in _ONLINE.finditer(seg) if not _BARE_WATCH.search(x.group(0)) or _ONLINE_WORDS.search(x.group("v"))), None)
    mo = mo or _ONLINE_SUBJECT.search(seg) or _ONLINE_AT.search(seg)
    if not mo:
        return None
    v = mo.group("v").strip()
    v = re.sub(r"^(?:(?:东莞)?(?:广大市民|市民朋友|市民|观众|网友)(?:可|也可|还可)?|(?:可|也可|还可))(?:通过)?", "", v)
    v = re.sub(r"(?:观看|收看)[\u4e00-\u9fff]{1,4}$", "", v)  # 通过X观看赛事直播: the platform is X
    return v or None


_BARE_WATCH = re.compile(r"(?:观看|收看)$")
_WATCH = re.compile(r"(?:可|欢迎)[^，。；;]{0,12}(?:观看|收看)")


def _core_name(name: str) -> str:
    return re.sub(r"[“”\"《》「」『』\s]", "", name)


_SHARED_ONLINE = re.compile(r"均将|均可|都将|每场|每一场|各场|所有场次|全部场次")


def _fill_online(cands: list[_Cand], sentences: list[_Sentence]) -> None:
    """A 直播 sentence with no date names its event by a noun (音乐会将通过…直播).

    So does a 线上 sentence naming where the online part runs (线上招聘同步在“X”小程序开展).
    """
    if not cands:
        return
    for s in sentences:
        if "直播" not in s.norm and "转播" not in s.norm and "线上" not in s.norm:
            continue
        platform = _online(s.norm)
        if not platform:
            continue
        if any(c.online and s.start <= c.pos < s.start + len(s.orig) for c in cands):
            continue  # the sentence's own event already took it
        subject = re.split(r"将|可|也|还|通过", s.norm, maxsplit=1)[0]
        noun = re.search(f"(?:{EVENT_NOUNS})$", subject.strip(" ，,。").rstrip("均都"))
        targets = [c for c in cands if c.online is None and noun and noun.group(0) in c.name]
        shared = _SHARED_ONLINE.search(s.norm) is not None
        if not targets or shared:
            # 赛事将在…直播: the event of the nearest paragraph above (or this one); 均将…直播,
            # 对每场…进行直播: every event of that block (a table's rows, one paragraph's list)
            before = [c for c in cands if 0 <= s.line - c.line <= 3 and c.pos <= s.start]
            if before and shared:
                block = [before[-1]]
                for c in reversed(cands[: cands.index(before[-1])]):
                    if block[-1].line - c.line > 1:
                        break
                    block.append(c)
                targets = [c for c in block if c.online is None] + [c for c in targets if c not in block]
            elif not targets:
                targets = [before[-1]] if before and before[-1].online is None else []
            if not targets and not before and _WATCH.search(s.norm) and len({_core_name(c.name) for c in cands}) == 1:
                # 市民可通过“X”视频号观看赛事直播, lines below a notice's only event: that event's stream
                targets = [c for c in cands if c.online is None and c.pos < s.start]
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
            v = f.group("value").strip().rstrip("。")
            by_line[s.line] = v[_address_cut(v):] if f.group("kind") == "地点" else v
            continue
        mv = _VENUE_FIELD.search(s.norm)
        if mv:
            v = mv.group("v").strip()
            a = s.norm.find(v)
            v = s.orig[a: a + len(v)].rstrip("。")
            by_line.setdefault(s.line, v[_address_cut(v, s.norm[max(0, a - 2): a] == "位于"):])
    cand_lines = sorted({c.line for c in cands})
    for c in cands:
        if c.venue:
            continue
        if c.line in by_line:
            c.venue = by_line[c.line]
            continue
        # a 地点 line below belongs to the nearest candidate above it: a field block's 地点 does not
        # fill the event announced in the paragraph before the block
        near = [ln for ln in by_line if 0 < ln - c.line <= 4 and cand_lines[bisect_right(cand_lines, ln) - 1] == c.line]
        if near:
            c.venue = by_line[min(near)]
