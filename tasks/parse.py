"""Parse the portal's pages: a list page into release links, an article page into a ``Release``.

Pure functions over decoded HTML (``str``): no network, no Prefect, no settings. The markup they
expect is that of the Guangdong government CMS family (www.dg.gov.cn and its sister sites, see
tests/fixtures/real_pages/README.md), read in three layers, best first:

1. the government meta tags (ArticleTitle, PubDate, ContentSource, ColumnName, SiteName …);
2. the visible page: the title element, the "中国东莞政府门户网站 2024-12-12 17:14:51 来源: 本网"
   info line, the breadcrumb "当前位置: 首页 > … > 新闻发布会", the body box (profile selectors);
3. a generic fallback: the element with the most Chinese text in its ``<p>`` children.

``Release.method`` says which layer gave the title and body. A page that yields no title or no
body raises ``NotARelease``; a list page with no list raises ``LayoutNotRecognised``. Both are
``ParseError``s carrying the URL; nothing else escapes for malformed or truncated HTML.

    page = parse_list_page(html, url=list_url, profile=profile)
    for item in page.items:            # ListItem(url, title, published, off_site)
        ...
    release = parse_article(html, url=item.url, profile=profile,
                            listed_title=item.title, listed_date=item.published)

The parts live in ``tasks/_parse/``:

- ``list_page``: list pages (rows, items) and ``pager`` (next page, page count);
- ``article``: the article steps in order: ``meta`` (head), ``title``, ``info_line`` (time,
  source, site), ``breadcrumb`` (column), ``body`` (body box, its text), ``chrome`` (page
  furniture), ``media`` (images, attachments), ``sanitise`` (safe HTML);
- shared: ``soup`` (the tree), ``css`` (profile selectors), ``text`` (visible text),
  ``dates``, ``urls`` (canonical URLs, post ids).
"""

from __future__ import annotations

from tasks._parse.article import parse_article
from tasks._parse.body import html_to_text
from tasks._parse.dates import parse_date, parse_published
from tasks._parse.list_page import parse_list_page
from tasks._parse.sanitise import sanitise_html
from tasks._parse.urls import canonical_url, post_id

__all__ = [
    "canonical_url",
    "html_to_text",
    "parse_article",
    "parse_date",
    "parse_list_page",
    "parse_published",
    "post_id",
    "sanitise_html",
]
