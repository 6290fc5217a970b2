"""Event names for the extractor (part of tasks/extract.py): the poster's headline.

A quoted name completed by its event noun, else the subject before 将/于/在 or the object after
举行/举办, else a label key, an outline heading (（一）X。 / 一是举办X。), a notice title or the
sentence's opening subject.
"""

from __future__ import annotations

import re

from tasks._extract.base import (
    _Cand,
    _ENUM,
    _ENUM_PREFIX,
    _EVENT_VERB,
    _FIELD,
    _GENERIC_NAMES,
    _LABEL,
    _NAME_NOISE_PREFIX,
    _NOT_EVENT_LABEL,
    _NOT_VENUE,
    _QUOTE,
    _Sentence,
    _WEAK_BLOCK,
    _clean_name,
    _core,
    _is_event_name,
    _orig,
)
from tasks.extract_dates import Mention

_CLAUSE_SEP = re.compile(r"[，,]")


# a label right before the date in its clause: 花市时间为…, 今年龙舟月活动时间为…, 展期：…
_CLAUSE_LABEL = re.compile(
    f"^\\s*{_ENUM}?\\s*(?P<key>[^\\s:：，,。；;]{{0,16}}?)(?:时间|日期|展期|会期|赛期|档期)\\s*"
    r"(?:[:：]|为|是|定为|定于|定在|暂定为|暂定)\s*$"
)


# a list item named by its event: （一）羽毛球公开赛：11月22日至23日，东莞体育中心体育馆
_NAME_LABEL = re.compile(f"^\\s*{_ENUM}?\\s*(?P<key>[^\\s:：，,。；;]{{2,30}}?)\\s*[:：]\\s*$")
_NOT_NAME_QUOTE_AFTER = re.compile(r"^(?:官方)?(?:客户端|视频号|公众号|App|APP|平台|频道|微博|抖音|小程序|网站|号)")
_NOT_NAME_QUOTE_BEFORE = re.compile(r"(?:主题为|主题是|口号|台风|以|围绕|聚焦|打造|发布|印发|出台|简称)\s*$")
_NAME_STOP_LEFT = re.compile(
    r"(?:举行|举办|召开|开展|推出|上演|迎来|启动|燃放|将|在|于|为|是|的|了|和|与|及|由|到|有|还|也|其中|此外|"
    r"[，。；,;、：:\s（）()])$"
)
_SUBJECT_MARK = re.compile(r"(?:也|还|亦|均|都|即|正式)?(?:将于|将在|定于|拟于|计划于|将从|将|于|在|从)")


# where a subject starts: after a date, a clock time, a time word or a bracketed date note
_AFTER_DATE = re.compile(r"\d{1,2}[日号]$|\d{1,2}:\d{2}$|[上下]午$|晚上$|[（(][^（）()]*(?:周|星期|农历|\d月|\d日)[^（）()]*[）)]$")
_OBJECT = re.compile(
    r"(?:举行|举办|召开|开展|推出|上演|迎来|燃放|启动|开启)(?:了)?"
    r"(?P<o>[^，。；;,\n]{1,40})"
)


# 2025东莞国际智能装备博览会（以下简称“智博会”）: a release defines its short name once
_SHORT_NAME = re.compile(r"(?P<full>[^，。；;、：:\s（(“”\"]{4,40})[（(](?:以下|下文)?简称[“\"「]?(?P<short>[^”\"」）)，,]{1,12})[”\"」]?[）)]")


def _expand_short_names(cands: list[_Cand], text: str) -> None:
    """A name that is a defined short name (智博会) becomes the full name it stands for."""
    for sn in _SHORT_NAME.finditer(text):
        full, short = _clean_name(sn.group("full")), sn.group("short")
        if not _is_event_name(full) or short in full:
            continue
        for c in cands:
            if _core(c.name) == short:
                c.name = full


def _label_key(pre: str, sent: _Sentence, own_a: int) -> str | None:
    """The key of a label right before the date in its clause (花市时间为…, 羽毛球公开赛：…), if any.

    Returns "" for a bare 时间为/活动时间为 (a label without an event name of its own).
    """
    cl = _CLAUSE_LABEL.match(pre)
    if cl is not None:
        key = cl.group("key")
        if _NOT_EVENT_LABEL.search(key) or _WEAK_BLOCK.search(key):
            return None
        a = own_a + cl.start("key")
        return _clean_name(_orig(sent, a, a + len(key)))
    nl = _NAME_LABEL.match(pre)
    if nl is not None:
        a = own_a + nl.start("key")
        key = _clean_name(_orig(sent, a, a + len(nl.group("key"))))
        if _is_event_name(key) and not _NOT_EVENT_LABEL.search(key) and not _WEAK_BLOCK.search(key):
            return key
    return None


def _label_name(key: str, name: str, quality: int, sent: _Sentence, lines: list[str], own_a: int, m: Mention) -> tuple[str, int]:
    """The name of a labelled date: the label's own event name, else the sentence's subject."""
    if key and _is_event_name(key) and key not in _GENERIC_NAMES:
        heading = _field_name(lines, sent.line)
        if heading is not None and key in heading[0] and len(heading[0]) > len(key):
            return heading[0], 2  # 二、2025东莞迎春花市 above 花市时间为…
        return key, max(quality, 2) if quality < 3 or key in name or name in key else quality
    lead = _lead_name(sent)
    if lead is not None and quality < 3:
        return lead, 2  # 今年龙舟月以…为主题，活动时间为…
    if (not key or key in _GENERIC_NAMES) and quality < 2 and own_a > 0:
        # X报名时间为…，活动时间为…: the event named earlier in the sentence
        before, bq = _name(sent.norm[:own_a], sent.norm, 0, m, sent, lead_ok=False)
        if bq >= 2 or (bq == 1 and before[:1] in "“\"「『《"):
            return before, max(bq, 2)
    if key in _GENERIC_NAMES and quality < 2:
        # X合唱比赛报名时间：…；比赛时间：…: the event named earlier in the line, ending like the key
        line = lines[sent.line]
        before = line[: max(0, line.find(sent.orig.strip()))]
        found = [_clean_name(x.group(0)) for x in re.finditer(f"[^\\s，,。；;：:、“”]{{1,30}}{re.escape(key[-1])}", before)]
        named = [x for x in found if _is_event_name(x) and x not in _GENERIC_NAMES]
        if named:
            return named[-1], 2
    return name, quality


_LEAD_CUT = re.compile(r"以|将|于|在|是|为|共|定|拟|从|的|已|正|由")


# an outline item that opens with its event's name as a sentence of its own: （一）X。 / 1. X。 / ①X：
_ITEM_HEAD = re.compile(
    f"^\\s*(?:{_ENUM}|[一二三四五六七八九十]是)\\s*(?:举办|举行|开展|组织|推出|办好)?(?P<n>[^。：:，,；;\\n]{{2,40}}?)\\s*[。：:]"
)


def _item_heading(sent: _Sentence, lines: list[str]) -> tuple[str, int] | None:
    """The name an outline item's heading gives the later sentences of its line, if it names an event."""
    line = lines[sent.line]
    h = _ITEM_HEAD.match(line)
    if h is None or line.find(sent.orig.strip()) < h.end():
        return None  # no heading, or this sentence is the heading itself
    name = _clean_name(h.group("n"))
    if name and _is_event_name(name) and name not in _GENERIC_NAMES:
        return name, 2
    return None


def _lead_name(sent: _Sentence) -> str | None:
    """The subject that opens the sentence, when it names an event: 今年人才活动周以…"""
    norm = sent.norm
    lead = _CLAUSE_SEP.split(norm, maxsplit=1)[0]
    start = len(lead) - len(lead.lstrip())
    noise = _NAME_NOISE_PREFIX.match(lead[start:])  # 今年的读书月: cut after the prefix
    if noise is not None:
        start += noise.end()
    # cut at the first verb-like mark, not inside a quote or bracket
    depth, cut = 0, len(lead)
    for i in range(start, len(lead)):
        ch = lead[i]
        if ch in "“《（(":
            depth += 1
        elif ch in "”》）)":
            depth = max(0, depth - 1)
        elif depth == 0 and i >= start + 2 and _LEAD_CUT.match(ch):
            cut = i
            break
    name = _clean_name(_orig(sent, start, cut))
    if name and len(name) <= 40 and _is_event_name(name) and name not in _GENERIC_NAMES:
        return name
    return None


def _name(
    seg: str, norm: str, seg_a: int, m: Mention, sent: _Sentence, *, own_a: int | None = None, lead_ok: bool = True
) -> tuple[str, int]:
    """The event's name in its span: quoted name, else subject or object with an event noun.

    When the span also holds clauses before the mention's own (it is the sentence's first date),
    a name from the mention's clause onwards wins: 市青少年宫将推出两场公益活动，…：5月24日上午举办
    亲子音乐会 names 亲子音乐会.
    """
    if own_a is not None and own_a > seg_a:
        name, quality = _name(norm[own_a: seg_a + len(seg)], norm, own_a, m, sent, lead_ok=False)
        if quality >= 2:
            return name, quality
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
    generic: str | None = None
    for cand in _subjects(seg) + _objects(seg):
        a, b = cand
        name = _clean_name(_orig(sent, seg_a + a, seg_a + b))
        if name and _is_event_name(name) and len(name) <= 40 and not _NOT_VENUE.search(name[:3]):
            if name in _GENERIC_NAMES:  # 比赛将通过…直播: refers to an event named elsewhere
                generic = generic or name
                continue
            return name, 2
    # 3. a quoted name without an event noun (“周末音乐会” is caught above; “龙舟水上音乐会” too)
    for q in _QUOTE.finditer(seg):
        if not _NOT_NAME_QUOTE_AFTER.match(seg[q.end():]) and not _NOT_NAME_QUOTE_BEFORE.search(seg[: q.start()]):
            return _orig(sent, seg_a + q.start(), seg_a + q.end()), 1
    # X4月25日开幕: the words before the date in its clause
    pre = _clean_name(_orig(sent, seg_a + _clause_start(seg, m.start - seg_a), m.start)) if m.start > seg_a else ""
    if pre and len(pre) <= 40 and _is_event_name(pre) and pre not in _GENERIC_NAMES and not _HAS_WHEN.search(pre):
        return pre, 2
    if lead_ok:
        lead = _lead_name(sent)  # 本届科技文化周以…为主题，将于4月25日至5月3日举行
        if lead is not None and lead in seg and not _HAS_WHEN.search(lead):
            return lead, 1
    if generic is not None:
        return generic, 0
    verb = _EVENT_VERB.search(seg)
    return (verb.group(0) if verb and verb.group(0) in ("开幕", "闭幕") else "活动"), 0


_HAS_WHEN = re.compile(r"\d{1,2}\s*[月日号:]|[上下]午|晚上|当天|当晚")


def _clause_start(seg: str, at: int) -> int:
    """Where the clause holding ``at`` starts in ``seg``."""
    k = max(0, min(at, len(seg)))
    while k > 0 and seg[k - 1] not in "，,。；;：:、\n":
        k -= 1
    return k


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


_TALLY_AFTER = re.compile(r"\s*[\d一二三四五六七八九十百千两]+\s*(?:多|余)?\s*(?:项|场|个|次|批|类)")


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
                if not _TALLY_AFTER.match(seg, k):  # 共推出科普、文化活动30余项: a tally, not a name
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
    for i in range(line_no - 1, max(0, line_no - _TITLE_LINES) - 1, -1):
        s = lines[i].strip()
        if not s or _FIELD.match(s) or _LABEL.match(s):
            continue
        titled = _titled_name(s)
        if titled is not None:
            return titled, 2
        if _KEY_VALUE_LINE.match(s) or s.endswith(("：", ":")):
            continue  # 一、主办单位：…, 各镇人民政府：: another field or the addressees, not a heading
        if _ARRANGEMENT_HEADING.search(s):
            continue  # 一、比赛时间和地点: a section of the notice, not the event's name
        if len(s) <= 40 and not re.search(r"[。；;！？]", s):
            return _ENUM_PREFIX.sub("", s), 1  # 二、2025东莞迎春花市: the heading without its number
        break
    return None


# a notice names its event in its title or its opening line: 关于召开X的通知, X竞赛规程,
# 现将X有关事项通告如下, 定于…召开X
_TITLE_LINES = 6
_TITLE_FORMS = (
    re.compile(r"关于(?:举办|召开|举行|开展|组织)(?P<x>[^，。；;：:]{2,40}?)的(?:通知|通告|公告|函|通报)"),
    re.compile(r"^(?P<x>[^，。；;：:\s]{2,40}?)(?:竞赛规程|活动方案|实施方案|工作方案|秩序册|参赛指南|观赛指南|参赛须知|邀请函)$"),
    re.compile(r"现将(?P<x>[^，。；;：:]{2,40}?)(?:的)?(?:有关|相关)?(?:事项|情况|安排)(?:通知|通告|公告|告知)如下"),
    re.compile(r"(?:定于|将于|拟于)[^，。；;]{0,12}?(?:召开|举办|举行)(?P<x>[^，。；;：:]{2,40}?)(?:[。，；;]|$)"),
)
_ARRANGEMENT_HEADING = re.compile(
    r"(?:时间|地点|日期|安排|事项|要求|方式|对象|内容|项目|办法|规则)(?:和|及|与|、)?(?:时间|地点|日期|安排)?$"
)
_KEY_VALUE_LINE = re.compile(f"^\\s*{_ENUM}?\\s*[^\\s:：，,。]{{1,10}}\\s*[:：]\\s*\\S")


def _titled_name(line: str) -> str | None:
    """The event a notice's title or opening line names (关于召开X的通知 -> X), if any."""
    for rx in _TITLE_FORMS:
        t = rx.search(line)
        if t is not None:
            x = _clean_name(t.group("x"))
            if _is_event_name(x) and x not in _GENERIC_NAMES:
                return x
    return None
