"""Article pages: one page as a ``Release``, read in three layers, best first.

1. the government meta tags (ArticleTitle, PubDate, ContentSource, ColumnName, SiteName …);
2. the visible page: the title element, the info line, the breadcrumb, the body box;
3. a generic fallback: the ``<title>``, the list page's title and date, the element with the most
   Chinese text.

Each step is a function of its own module; this one only orders them and says why a page is not
a release (``NotARelease``): no title, no body, no publication time, a body that is a list of
dated article links (a list page with summaries), or a body in another language (the English
portal's copy of a release).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bs4 import Tag

from tasks._parse.body import (
    MIN_FALLBACK_CJK,
    article_scope,
    find_body,
    html_to_text,
    is_foreign_text,
    prepare_for_html,
    strip_page_lines,
)
from tasks._parse.breadcrumb import breadcrumb_column, column_names, find_breadcrumb
from tasks._parse.chrome import strip_chrome
from tasks._parse.info_line import find_info_line, published_time, site_from_info, source_from_info
from tasks._parse.list_page import holds_release_list
from tasks._parse.media import attachments, take_images
from tasks._parse.meta import base_url, keywords, meta_tags
from tasks._parse.sanitise import sanitise_html
from tasks._parse.soup import make_soup
from tasks._parse.text import clean_text, element_text, plain_text
from tasks._parse.title import (
    MAX_TITLE_CHARS,
    heading_before,
    heading_text,
    is_site_name_only,
    page_title,
    title_element,
    title_from_page_title,
)
from tasks._parse.urls import canonical_url, post_id
from tasks.errors import NotARelease
from tasks.models import ParseMethod, Release

if TYPE_CHECKING:  # settings pulls in pydantic-settings; parsing only needs the profile's fields
    from tasks.settings import SiteProfile

# Never part of a release: removed from the tree before anything is looked for.
REMOVE_TAGS = (
    "script", "style", "noscript", "template", "iframe", "object", "embed", "form", "input",
    "button", "select", "textarea", "link", "meta", "svg", "canvas", "audio", "video",
)  # fmt: skip
REMOVE_TAG_SET = frozenset(REMOVE_TAGS)


def parse_article(
    html: str,
    *,
    url: str,
    profile: SiteProfile,
    listed_title: str | None = None,
    listed_date: date | None = None,
) -> Release:
    """One article page as a ``Release``: meta tags first, visible text second, fallback last.

    ``listed_title``/``listed_date`` come from the list page: the title is used when the page
    shows none, the date when the page carries no publication time.

    Raises ``NotARelease`` (with the URL and the reason) when no title or no body is found, or
    no publication time at all.
    """
    soup = make_soup(html, url=url)
    canonical = canonical_url(url)
    base = base_url(soup, url)
    meta = meta_tags(soup)
    # A plain walk with a set lookup: bs4's find_all over 18 names cost a sixth of the parse.
    for tag in [e for e in soup.descendants if isinstance(e, Tag) and e.name in REMOVE_TAG_SET]:
        if not tag.decomposed:
            tag.decompose()

    selectors = profile.selectors

    # --- title ---------------------------------------------------------------------------------
    site_names = (meta.get("sitename"), profile.title)
    window_title = page_title(soup)
    heading = title_element(soup, selectors, page_title=window_title, site_names=site_names)
    info_line = find_info_line(soup, selectors, after=heading)
    from_window = title_from_page_title(window_title, site_names=site_names)
    site_only_window = is_site_name_only(from_window, site_names=site_names)
    if heading is None and info_line is not None and site_only_window:
        # The <title> names only the site (old and table layouts): the title is the heading
        # right above the info line, whatever its class.
        columns = column_names(find_breadcrumb(soup))
        heading = heading_before(info_line, site_names=site_names, columns=columns)
    info_text = clean_text(info_line.get_text(" ")) if info_line is not None else ""
    title_method: ParseMethod
    if plain_text(meta.get("articletitle", "")):
        title, title_method = plain_text(meta["articletitle"]), ParseMethod.META
    elif heading is not None:
        title, title_method = heading_text(heading), ParseMethod.VISIBLE
    else:
        # A <title> that names only the site is not the release's title: the list page's
        # title, else no title at all (NotARelease), never the site name.
        if site_only_window:
            from_window = ""
        title = from_window or plain_text(listed_title or "")
        title_method = ParseMethod.FALLBACK
    # Markup-looking text in a title ("&lt;b&gt;…" shown literally) is dropped: a title is text.
    title = plain_text(title)[:MAX_TITLE_CHARS].strip()
    if not title:
        raise NotARelease(
            f"No title on {url}: no ArticleTitle meta tag, no title element "
            f"({selectors.title!r}), no <title> and no title from the list page.",
            url=url,
        )

    # --- body ----------------------------------------------------------------------------------
    body, body_method = find_body(soup, selectors, exclude=(heading, info_line), after=heading)
    if body is None:
        raise NotARelease(
            f"No body on {url}: nothing matched {selectors.body!r} with text or images, and "
            f"no element holds {MIN_FALLBACK_CJK}+ Chinese characters in <p> paragraphs.",
            url=url,
        )
    if holds_release_list(body):
        raise NotARelease(
            f"List page, not a release, at {url}: the body box is a list of dated links to "
            "articles.",
            url=url,
        )
    files = attachments(article_scope(body, heading), base=base)
    strip_page_lines(body, title_element=heading, info_line=info_line)
    strip_chrome(body)
    images = take_images(body, base=base)
    prepare_for_html(body)
    text = html_to_text(body)
    body_html = sanitise_html(body.decode_contents(), base_url=base)
    if not text and not images:
        raise NotARelease(f"Empty body on {url}: the body box holds no text or images.", url=url)
    if is_foreign_text(text):
        # The English portal's copy of a release: the pipeline reads Chinese text (events, posters)
        # and the Chinese release is the one to publish; refused rather than half read.
        raise NotARelease(
            f"Not a Chinese release on {url}: the body is written in another language.", url=url
        )

    # --- when, who, where ----------------------------------------------------------------------
    published = published_time(meta, info_text, listed_date=listed_date)
    if published is None:
        raise NotARelease(
            f"No publication time on {url}: no PubDate meta tag, no date in the info line and "
            "no date from the list page.",
            url=url,
        )
    method = ParseMethod.FALLBACK if body_method is ParseMethod.FALLBACK else title_method
    return Release(
        url=canonical,
        post_id=post_id(canonical),
        title=title,
        published=published,
        text=text,
        html=body_html,
        source=plain_text(meta.get("contentsource", "")) or source_from_info(info_text),
        column=plain_text(meta.get("columnname", "")) or breadcrumb_column(soup),
        site_name=plain_text(meta.get("sitename", "")) or site_from_info(info_text),
        keywords=keywords(meta.get("keywords", "")),
        description=plain_text(meta.get("description", "")) or None,
        images=tuple(images),
        attachments=tuple(files),
        method=method,
    )
