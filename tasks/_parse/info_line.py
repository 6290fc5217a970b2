"""The article's info line ("中国东莞政府门户网站 2024-12-12 17:14:51 来源: 本网"): where it is, and
the publication time, source and site name it carries. A 政府信息公开 table's 成文日期 (written)
line gives way to its 发布日期 (published) line; such tables may write their labels in cells of
their own, without a colon ("发布日期 | 2024-12-13").

The line is never the title: a title that names dates ("2024年12月12日新闻发布会：12月20日…") is
not climbed from, so its first date cannot pass for the publication time.

PubDate meta tag against the visible line: they agree on almost every page (the real pages show
the same value twice). Where they disagree, a visible time *labelled* 发布时间/发布日期 wins (the
page tells its readers, in words, that this is the publication time; a CMS may rewrite the meta
tag on a correction or regeneration); an unlabelled visible date gives way to the meta tag."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Tag

from tasks._parse.dates import CLOCK_DATETIME_RE, DATE_RE, parse_published
from tasks._parse.css import select_in_order
from tasks._parse.soup import is_inside
from tasks._parse.text import SKIP_TEXT_TYPES, clean_text
from tasks.models import SHANGHAI

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import Selectors

SOURCE_RE = re.compile(r"(?:信息|文章|稿件)?来源\s*[:：]\s*")
SOURCE_END_RE = re.compile(
    r"\s{2,}|[|丨｜【\[]|(?:发布)?时间\s*[:：]|发布日期|日期\s*[:：]|浏览|点击|阅读|字[体号]|"
    r"作者\s*[:：]|编辑\s*[:：]|分享|访问|\d{4}\s*[-/.年]"
)
SENTENCE_PUNCTUATION_RE = re.compile(r"[。，！？；,;!?]")
SENTENCE_END_RE = re.compile(r"[。！？]")  # a box holding a whole sentence holds body text
INFO_HINT_RE = re.compile(r"来源|发布时间|发布日期|时间\s*[:：]|(?:19|20)\d{2}\s*[-/.年]")
INFO_LABEL_HINT_RE = re.compile(r"来源|发布时间|发布日期|时间\s*[:：]")
PUBLISHED_LABEL_RE = re.compile(r"(?:发布|发文|成文)?(?:时间|日期)\s*[:：]")
# 政府信息公开 pages state when a document was written (成文日期) and when it was published
# (发布日期); a line that only says the former is the publication line only if no other is found.
WRITTEN_DATE_RE = re.compile(r"成文(?:日期|时间)")
PUBLISH_LABEL_RE = re.compile(r"发布(?:日期|时间)\s*[:：]?")
# A label in a cell of its own, without a colon, right before a date ("发布日期 2024-12-13" once
# the cells are joined by a space): only the full labels, and only at the start of a text piece
# (a sentence saying "…会时间2024年…" has neither).
COLONLESS_LABEL_RE = re.compile(r"(?:^|\s)(?:发布|发文|成文)(?:日期|时间)\s+(?=(?:19|20)\d{2})")
MAX_INFO_LINE_CHARS = 200
MAX_SOURCE_CHARS = 60
MAX_SITE_PREFIX_CHARS = 40
MAX_CLOCK_LINE_REST_CHARS = 30  # beside a clock time: a site name, not a sentence
PUBDATE_META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time")


def find_info_line(
    soup: BeautifulSoup, selectors: Selectors, *, after: Tag | None = None
) -> Tag | None:
    """The line with the publication time and 来源 (profile selector, else found by its text,
    looked for after the title first: a page header may show today's date)."""
    for element in select_in_order(soup, selectors.info_line):
        if parse_published(element.get_text(" ")):
            return element
    searches = [after.find_all_next(string=INFO_HINT_RE, limit=80)] if after is not None else []
    searches.append(soup.find_all(string=INFO_HINT_RE, limit=400))
    written_only: Tag | None = None
    for strings in searches:
        for string in strings:
            if isinstance(string, SKIP_TEXT_TYPES):
                continue
            # A climb starts at a date or a label, not at a title that names a year
            # ("…2024年冬季…发布会"): from there it would reach the box around title and line.
            if not (DATE_RE.search(string) or INFO_LABEL_HINT_RE.search(string)):
                continue
            if after is not None and is_inside(string, after):
                continue  # the title's own dates ("2024年12月12日新闻发布会") are not the line
            box: Tag | None = string.parent
            for level in range(3):  # the date and the 来源 may sit in sibling spans
                if box is None or box.name in ("body", "html", "[document]"):
                    break
                if after is not None and (box is after or is_inside(after, box)):
                    break  # a box holding the title is not the info line
                text = clean_text(box.get_text(" "))
                if len(text) > MAX_INFO_LINE_CHARS:
                    break
                # Climbing from a title that names a year ("…2024年…发布会") into the table that
                # also holds the info line and a short body: that box is not the line.
                if level and SENTENCE_END_RE.search(text):
                    break
                if _looks_like_info_line(text):
                    if not _written_date_only(text):
                        return _with_source(box, text, after=after)
                    written_only = written_only or box
                    break
                box = box.parent
    return written_only


def _with_source(box: Tag, text: str, *, after: Tag | None) -> Tag:
    """The dated box, or the short line around it that also names the 来源 ("<span>发布日期：…
    </span><span>信息来源：…</span>"): the source sits in a sibling of the date's box."""
    if SOURCE_RE.search(text):
        return box
    parent = box.parent
    if parent is None or parent.name in ("body", "html", "[document]"):
        return box
    if after is not None and (parent is after or is_inside(after, parent)):
        return box
    wider = clean_text(parent.get_text(" "))
    if (
        len(wider) <= MAX_INFO_LINE_CHARS
        and SOURCE_RE.search(wider)
        and not SENTENCE_END_RE.search(wider)
        and not _written_date_only(wider)
    ):
        return parent
    return box


def _written_date_only(text: str) -> bool:
    """A line that dates the document's writing (成文日期) and says nothing of its publication."""
    return bool(WRITTEN_DATE_RE.search(text)) and not (
        PUBLISH_LABEL_RE.search(text) or SOURCE_RE.search(text)
    )


def is_labelled_info_line(text: str) -> bool:
    """A short line that says what it is (来源：…, 发布时间：…), not a body paragraph with a date."""
    return len(text) <= MAX_INFO_LINE_CHARS and bool(
        SOURCE_RE.search(text) or PUBLISHED_LABEL_RE.search(text) or COLONLESS_LABEL_RE.search(text)
    )


def published_time(
    meta: dict[str, str], info_text: str, *, listed_date: date | None
) -> datetime | None:
    """The publication time: the PubDate meta tag, made precise by the info line when they agree
    and overruled by a visible time labelled 发布时间/发布日期 when they do not; else the info
    line; else the list page's date at midnight."""
    from_meta = None
    for name in PUBDATE_META_NAMES:
        if meta.get(name):
            from_meta = parse_published(meta[name])
            if from_meta:
                break
    from_info = None
    labelled = False
    if info_text:
        # "成文日期：2024-12-10  发布日期：2024-12-13": the labelled publication date first.
        label = PUBLISH_LABEL_RE.search(info_text)
        if label is not None:
            from_info = parse_published(info_text[label.end() :])
            labelled = from_info is not None
        from_info = from_info or parse_published(info_text)
    if from_meta is not None:
        # A PubDate without seconds (or without a time) and a visible line that agrees with it:
        # the visible line is the more precise reading of the same moment.
        if from_info is not None and (
            (from_meta.time() == datetime.min.time() and from_info.date() == from_meta.date())
            or (from_meta.second == 0 and from_info.replace(second=0) == from_meta)
        ):
            return from_info
        if labelled and from_info is not None and _disagree(from_meta, from_info):
            return from_info  # the page says in words when it was published (module docstring)
        return from_meta
    if from_info is not None:
        return from_info
    if listed_date is not None:
        return datetime(listed_date.year, listed_date.month, listed_date.day, tzinfo=SHANGHAI)
    return None


def _disagree(meta: datetime, visible: datetime) -> bool:
    """Whether two readings of the publication time name different moments (a visible time
    without seconds, or a visible date alone, is compared at its own precision)."""
    if visible.time() == datetime.min.time():
        return visible.date() != meta.date()
    if visible.second == 0:
        return visible != meta.replace(second=0)
    return visible != meta


def source_from_info(info_text: str) -> str | None:
    """What follows 来源： up to the next label or wide gap ("来源: 本网  浏览: 12" → 本网)."""
    match = SOURCE_RE.search(info_text)
    if not match:
        return None
    rest = info_text[match.end() :]
    end = SOURCE_END_RE.search(rest)
    source = (rest[: end.start()] if end else rest).strip(" :：,，")
    return source[:MAX_SOURCE_CHARS] or None


def site_from_info(info_text: str) -> str | None:
    """An unlabelled prefix before the date, as the Dongguan portal writes its site name."""
    match = DATE_RE.search(info_text)
    if not match:
        return None
    prefix = info_text[: match.start()].strip()
    if not prefix or ":" in prefix or "：" in prefix or len(prefix) > MAX_SITE_PREFIX_CHARS:
        return None
    return prefix


def _looks_like_info_line(text: str) -> bool:
    """A date with a label (来源, 发布时间：), or a clock time with little else around it (a site
    name): not a body sentence that happens to name a time ("2024年12月20日19:30，开幕式…")."""
    if not DATE_RE.search(text):
        return False
    if SOURCE_RE.search(text) or PUBLISHED_LABEL_RE.search(text):
        return True
    if COLONLESS_LABEL_RE.search(text):
        return True
    clock = CLOCK_DATETIME_RE.search(text)
    if clock is None:
        return False
    rest = (text[: clock.start()] + text[clock.end() :]).strip()
    return len(rest) <= MAX_CLOCK_LINE_REST_CHARS and not SENTENCE_PUNCTUATION_RE.search(rest)
