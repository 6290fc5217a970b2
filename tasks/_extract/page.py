"""Page leftovers the event extractor skips (labelling rule 10; part of tasks/extract.py).

The page parser leaves lines that never announce an event of the release: a 相关阅读 list of
other releases' titles, each with its own date stamp; attachment file names (附件：1.…pdf); photo
captions (图为…).
"""

from __future__ import annotations

import re


# lines the page parser leaves that never announce an event (labelling rule 10): a 相关阅读 list of
# other releases' titles, each with its own date stamp; attachment file names; photo captions
_RELATED_HEADING = re.compile(r"^\s*(?:相关阅读|相关链接|相关新闻|相关文章|相关稿件|延伸阅读|推荐阅读|往期回顾|热点推荐)\s*[:：]?\s*$")
_LINK_ITEM = re.compile(r"^\s*[·•●▪◆■\-*]\s*\S.*?(?:\s+\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)?\s*$")
_STAMP_END = re.compile(r"\S\s+(?:\[|【|\()?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\]|】|\))?\s*$")
_ATTACHMENT = re.compile(r"^\s*(?:附件\s*\d*\s*[:：]|\d{1,2}\s*[.、．]).*\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|jpg|png)\s*$", re.IGNORECASE)
_CAPTION = re.compile(r"^\s*[（(]?图为")


def _leftover_lines(lines: list[str]) -> set[int]:
    """Numbers of the lines that are page leftovers: a link list, attachments, photo captions."""
    out: set[int] = set()
    in_list = False
    for i, line in enumerate(lines):
        st = line.strip()
        if not st:
            continue
        if _RELATED_HEADING.match(st):
            in_list = True
            out.add(i)
            continue
        if in_list and (_LINK_ITEM.match(st) or _STAMP_END.search(st)):
            out.add(i)
            continue
        in_list = False
        if (st[0] in "·•●▪◆■" and _STAMP_END.search(st)) or _ATTACHMENT.match(st) or _CAPTION.match(st):
            out.add(i)
    return out
