"""Page furniture: what is the portal's chrome, not the release (share and print buttons,
font-size switchers, "related" boxes, navigation, headers and footers)."""

from __future__ import annotations

import re

from bs4 import Tag

from tasks._parse.text import clean_text

# Page furniture inside or around the body box: font-size switchers, share/print/close buttons,
# "related" boxes. A line or element whose whole text is one of these is dropped.
CHROME_LINE_RE = re.compile(
    r"^[【\[]?\s*(?:"
    r"字[体号]\s*[:：].{0,20}"
    r"|打印(?:本页|此页|文章|正文|文档)?|关闭(?:窗口|本页)?|返回顶部|收藏(?:本页)?|我要纠错"
    r"|分享(?:到\s*[:：]?|\s*[:：]).{0,40}"
    r"|扫一扫在手机(?:上)?打开当前页"
    r"|附件\s*[:：]?"
    r"|[【\[]?\s*[大中小]\s*[】\]]?"
    r")\s*[】\]]?$"
)
CHROME_INLINE_RE = re.compile(r"【\s*字[体号]\s*[:：]\s*大\s*中\s*小\s*】")
# Boxes that start with one of these labels are navigation, not the release (the attachments
# listed under 相关附件 are collected first).
CHROME_BOX_RE = re.compile(
    r"^(?:相关(?:附件|导读|稿件|新闻|链接|阅读|文章|文件)|扫一扫|分享到)\s*(?:[:：]|$)"
)
# One class or id token naming a widget ("bdsharebuttonbox", "share-weibo", "article-font",
# "print"); "print-area" or "printContent" may wrap the release itself, so they do not count.
CHROME_TOKEN_RE = re.compile(
    r"^(?:(?:bd|article-|social-)?share[\w-]*|[\w-]*-share|print|print-?btn|btn-print|dayin|"
    r"font-?size|[\w-]*-font|qrcode|ewm|go-?top|back-?top)$",
    re.IGNORECASE,
)
NOT_CONTENT_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|header|footer|foot|sidebar|side|aside|crumb|breadcrumb|mbx|share|"
    r"links?|copyright|toolbar|search)(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)
NOT_CONTENT_TAGS = frozenset({"header", "nav", "footer", "aside"})


def is_chrome_text(text: str) -> bool:
    """Whether a whole line or element text is a widget's label (打印本页, 【字体：大 中 小】 …)."""
    return len(text) <= 60 and bool(CHROME_LINE_RE.match(text))


def not_content(element: Tag) -> bool:
    """Whether ``element`` sits in navigation, a header, a footer or a sidebar (by tag, class, id)."""
    for node in (element, *element.parents):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        if node.name in NOT_CONTENT_TAGS:
            return True
        ident = " ".join([*(node.get("class") or []), str(node.get("id") or "")])
        if ident and NOT_CONTENT_RE.search(ident):
            return True
    return False


def strip_chrome(body: Tag) -> None:
    """Remove share/print/font-size widgets, hidden boxes and "related" boxes from the body."""
    for element in list(body.find_all(True)):
        if element.decomposed:
            continue
        style = str(element.get("style") or "").replace(" ", "").lower()
        tokens = [*(element.get("class") or []), str(element.get("id") or "")]
        if (
            "display:none" in style
            or "visibility:hidden" in style
            or any(CHROME_TOKEN_RE.match(t) for t in tokens if t)
        ):
            element.decompose()
            continue
        text = clean_text(element.get_text(" "))
        if not text:
            continue
        chrome = CHROME_BOX_RE.match(text) or (len(text) <= 40 and is_chrome_text(text))
        if chrome and element.find("img", src=True) is None:
            element.decompose()
