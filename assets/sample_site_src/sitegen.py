"""Page rendering for the sample portal: an offline copy of www.dg.gov.cn (中国东莞政府门户网站).

The markup follows real pages of the Guangdong government CMS family (../../../shared/real_pages/:
the list and pager of dghrss.dg.gov.cn, the article meta tags and ``div#content1`` of
drc.gd.gov.cn) and the visible lines of a real Dongguan release (tests/fixtures/seed/). The
functions are pure (specs in, ``str``/``bytes`` out) so a synthetic portal of any size can reuse
them; ``build.py`` is the command that writes ``assets/sample_site``.

    from sitegen import COLUMNS, load_releases, render_article_page, render_list_page
    releases = load_releases(RELEASES_DIR)
    html = render_article_page(releases[0], column=COLUMNS["xwfbh"], related=[])

Import it by putting this folder on ``sys.path`` (the tests do), or load it with importlib.
Standard library only.
"""

from __future__ import annotations

import calendar
import html
import posixpath
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
RELEASES_DIR = HERE / "releases"
MEDIA_DIR = HERE / "media"
STATIC_DIR = HERE / "static"

PAGE_SIZE = 15  # items per list page; the real Dongguan lists show 15 (hrss_dg shows 20 on a sub-site)
PAGER_WINDOW = 5  # page numbers shown in the pager, as on the real pages
REAL_BASE_URL = "https://www.dg.gov.cn/"  # what the meta Url / Image tags name, as on the live site

# How a release page is encoded and labelled (README.md, "Encodings").
VARIANTS = frozenset({"utf8", "gbk-header", "gbk-meta", "gbk-sniff", "no-meta"})
BODY_STYLES = frozenset({"indent", "fullwidth", "plain", "editor"})
GBK_VARIANTS = frozenset({"gbk-header", "gbk-meta", "gbk-sniff"})

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_INLINE_ATT = re.compile(r"\{\{att:(\d+)\}\}")
_IMAGE_LINE = re.compile(r"^\{\{img:(\d+)\}\}$")
_RAW_LINE = re.compile(r"^\{\{raw:(\d+)\}\}$")
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True, slots=True)
class SiteSpec:
    name: str = "中国东莞政府门户网站"
    domain: str = "www.dg.gov.cn"
    id_code: str = "4419000098"  # 网站标识码, as in the real portal's footer
    nfcms_site_id: int = 755000
    real_base_url: str = REAL_BASE_URL


SITE = SiteSpec()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    name: str
    path: str  # folder of the column, relative to the site root, ending in "/"
    crumbs: tuple[tuple[str, str], ...]  # (name, folder) from 首页 to the column's parent
    column_type: str
    description: str
    keywords: str
    cat_id: str
    parent_cat_id: str
    link_style: str = "root"  # "root": hrefs like /zwgk/…; "relative": hrefs like content/post_N.html

    @property
    def breadcrumb_text(self) -> str:
        return " > ".join([name for name, _ in self.crumbs] + [self.name])


_JDHY_CRUMBS = (("首页", ""), ("政务公开", "zwgk/"), ("解读回应", "zwgk/jdhy/"))
COLUMNS: dict[str, ColumnSpec] = {
    "xwfbh": ColumnSpec(
        key="xwfbh",
        name="新闻发布会",
        path="zwgk/jdhy/xwfbh/",
        crumbs=_JDHY_CRUMBS,
        column_type="新闻发布会",
        description="发布东莞市人民政府及各部门、各镇街（园区）新闻发布会的文字实录和图片",
        keywords="新闻发布会 发布会实录 解读回应",
        cat_id="5012",
        parent_cat_id="5010",
        link_style="root",
    ),
    "zcjd": ColumnSpec(
        key="zcjd",
        name="政策解读",
        path="zwgk/jdhy/zcjd/",
        crumbs=_JDHY_CRUMBS,
        column_type="政策解读",
        description="发布市政府及各部门重要政策文件的解读材料",
        keywords="政策解读 图解 文件解读",
        cat_id="5011",
        parent_cat_id="5010",
        link_style="relative",
    ),
}


@dataclass(frozen=True, slots=True)
class ImageSpec:
    file: str  # a file in media/
    alt: str
    caption: str = ""
    width: int = 600
    relative: bool = False  # write the src as a relative path (../../../../attachment/…)


@dataclass(frozen=True, slots=True)
class AttachmentSpec:
    title: str  # the link text, ending in .pdf
    lines: tuple[str, ...]  # text of the generated PDF


@dataclass(frozen=True, slots=True)
class RawSpec:
    """Markup written into the body verbatim, unescaped: the hostile page's scripts, ``on*``
    attributes and ``javascript:`` links (tests/test_security.py). ``text`` is what a reader sees
    of it (its visible text, for ``body_text``); empty for markup that shows nothing."""

    html: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """Ground truth for extractor tests: one upcoming event the release announces."""

    name: str
    start: str  # "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM"
    end: str | None = None  # inclusive, same forms
    time_of_day: str | None = None  # morning | afternoon | evening
    venue: str | None = None
    online: str | None = None
    evidence: str = ""  # an exact substring of the body text
    status: str = "scheduled"  # scheduled | postponed (new date given; see postponed_from)
    postponed_from: str | None = None
    recurrence: str | None = None  # e.g. "每周六": repeats between start and end


@dataclass(frozen=True, slots=True)
class ReleaseSpec:
    post_id: int
    column: str
    title: str
    published: datetime  # naive, Asia/Shanghai wall time
    body: str
    source: str = "本网"
    pubdate_meta: str = ""  # the PubDate meta value; defaults to published "YYYY-MM-DD HH:MM:SS"
    keywords: tuple[str, ...] = ()
    description: str = ""
    variant: str = "utf8"
    style: str = "indent"
    images: tuple[ImageSpec, ...] = ()
    attachments: tuple[AttachmentSpec, ...] = ()
    events: tuple[EventSpec, ...] = ()
    note: str = ""  # what the release exercises, for the README
    raw: tuple[RawSpec, ...] = ()  # verbatim markup blocks, placed by {{raw:N}} lines

    @property
    def date(self) -> date:
        return self.published.date()

    @property
    def pubdate(self) -> str:
        return self.pubdate_meta or self.published.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One <li> of a list page."""

    href: str  # as written in the page
    title: str
    date: date
    post_id: int = 0  # 0 for off-site entries
    off_site: bool = False


@dataclass(frozen=True, slots=True)
class ExtraEntry:
    """A list item that is not a release of its column: off-site, or cross-listed from another."""

    column: str
    title: str
    href: str
    date: date
    kind: str  # "offsite" | "crosslist"
    note: str = ""


# ----------------------------------------------------------------------------- data loading


def load_releases(releases_dir: Path = RELEASES_DIR) -> list[ReleaseSpec]:
    """All releases under ``releases_dir/<column>/*.toml``, oldest first."""
    releases = [_release_from_toml(p) for p in sorted(releases_dir.glob("*/post_*.toml"))]
    releases.sort(key=lambda r: (r.published, r.post_id))
    return releases


def load_extras(releases_dir: Path = RELEASES_DIR) -> list[ExtraEntry]:
    data = tomllib.loads((releases_dir / "list_extras.toml").read_text(encoding="utf-8"))
    return [
        ExtraEntry(
            column=e["column"],
            title=e["title"],
            href=e["href"],
            date=date.fromisoformat(e["date"]),
            kind=e["kind"],
            note=e.get("note", ""),
        )
        for e in data["extra"]
    ]


def _release_from_toml(path: Path) -> ReleaseSpec:
    d = tomllib.loads(path.read_text(encoding="utf-8"))
    column = path.parent.name
    release = ReleaseSpec(
        post_id=int(d["post_id"]),
        column=column,
        title=d["title"],
        published=datetime.strptime(d["published"], "%Y-%m-%d %H:%M:%S"),
        body=d["body"],
        source=d.get("source", "本网"),
        pubdate_meta=d.get("pubdate_meta", ""),
        keywords=tuple(d.get("keywords", ())),
        description=d.get("description", ""),
        variant=d.get("variant", "utf8"),
        style=d.get("style", "indent"),
        images=tuple(ImageSpec(**i) for i in d.get("images", ())),
        attachments=tuple(
            AttachmentSpec(title=a["title"], lines=tuple(a["lines"])) for a in d.get("attachments", ())
        ),
        events=tuple(EventSpec(**e) for e in d.get("events", ())),
        note=d.get("note", ""),
        raw=tuple(RawSpec(**r) for r in d.get("raw", ())),
    )
    if path.stem != f"post_{release.post_id}":
        raise ValueError(f"{path}: file name must be post_{release.post_id}.toml")
    if column not in COLUMNS:
        raise ValueError(f"{path}: unknown column folder {column!r}; known: {sorted(COLUMNS)}")
    if release.variant not in VARIANTS:
        raise ValueError(f"{path}: variant {release.variant!r} not in {sorted(VARIANTS)}")
    if release.style not in BODY_STYLES:
        raise ValueError(f"{path}: style {release.style!r} not in {sorted(BODY_STYLES)}")
    return release


# ----------------------------------------------------------------------------- paths


def list_page_name(page: int) -> str:
    """index.html, index_2.html, index_3.html … as on the real CMS."""
    return "index.html" if page == 1 else f"index_{page}.html"


def article_path(column: ColumnSpec, post_id: int) -> str:
    """Site-relative path of an article page: zwgk/jdhy/xwfbh/content/post_NNNNNNN.html."""
    return f"{column.path}content/post_{post_id}.html"


def asset_path(post_id: int, index: int, ext: str) -> str:
    """Site-relative path of a release's n-th file, in the CMS's /attachment/0/AAA/AAAAAA/ID.ext form.

    The folder number is an attachment id (its thousands give the level above, as in
    drc.gd.gov.cn/attachment/0/626/626328/4960402.xls); the file name is an id from the post sequence.
    """
    aid = post_id // 7 + index
    return f"attachment/0/{aid // 1000}/{aid}/{post_id + index}.{ext}"


def release_assets(release: ReleaseSpec) -> list[tuple[str, ImageSpec | AttachmentSpec]]:
    """(site-relative path, spec) for every image then every attachment of a release."""
    out: list[tuple[str, ImageSpec | AttachmentSpec]] = []
    for i, img in enumerate(release.images):
        out.append((asset_path(release.post_id, i, img.file.rsplit(".", 1)[1]), img))
    for j, att in enumerate(release.attachments, start=len(release.images)):
        out.append((asset_path(release.post_id, j, "pdf"), att))
    return out


def _href(target: str, *, from_page: str, style: str) -> str:
    """Link to site-relative ``target`` from site-relative page ``from_page``."""
    if style == "relative":
        return posixpath.relpath(target, posixpath.dirname(from_page) or ".")
    return "/" + target


# ----------------------------------------------------------------------------- small renderers

_TEMPLATE_CACHE: dict[str, str] = {}


def _template(name: str) -> str:
    if name not in _TEMPLATE_CACHE:
        _TEMPLATE_CACHE[name] = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
    return _TEMPLATE_CACHE[name]


def _fill(template: str, values: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value")
        return values[key]

    return _PLACEHOLDER.sub(sub, template)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def render_breadcrumb(column: ColumnSpec) -> str:
    links = [f'<a href="/{path}">{_esc(name)}</a>' for name, path in column.crumbs]
    links.append(f'<a href="/{column.path}">{_esc(column.name)}</a>')
    return "&nbsp;&gt;&nbsp;".join(links)


def render_sidenav(current: ColumnSpec) -> str:
    rows = []
    for col in COLUMNS.values():
        cls = ' class="on"' if col.key == current.key else ""
        rows.append(
            f'                <li{cls}><a href="/{col.path}" title="{_esc(col.name)}">{_esc(col.name)}</a></li>'
        )
    rows.append(
        '                <li><a href="https://www.dg.gov.cn/zwgk/jdhy/hygq/index.html" title="回应关切">'
        "回应关切</a></li>"
    )
    return "\n".join(rows)


def render_list_item(entry: ListEntry) -> str:
    """The real CMS's item: <li><a href title target>TITLE</a><span class="time">DATE</span></li>."""
    return (
        "                    <li>\n"
        f'                      <a href="{_esc(entry.href)}" title="{_esc(entry.title)}" target="_blank">\n'
        f"                        {_esc(entry.title)}\n"
        "                      </a>\n"
        f'                      <span class="time">{entry.date.isoformat()}</span>\n'
        "                    </li>"
    )


def render_pager(column: ColumnSpec, page: int, page_count: int) -> str:
    """The pager of dghrss.dg.gov.cn: first, [prev], numbers (current/normal), [next], last."""

    def link(cls: str, target_page: int, label: str) -> str:
        page_file = column.path + list_page_name(page)
        href = _href(column.path + list_page_name(target_page), from_page=page_file, style=column.link_style)
        return f'<li><a class="{cls}" href="{href}"> {label} </a></li>'

    start = max(1, min(page - PAGER_WINDOW // 2, page_count - PAGER_WINDOW + 1))
    stop = min(page_count, start + PAGER_WINDOW - 1)
    parts = [link("first", 1, "第一页")]
    if page > 1:
        parts.append(link("prev", page - 1, "上一页"))
    for n in range(start, stop + 1):
        parts.append(link("current" if n == page else "normal", n, str(n)))
    if page < page_count:
        parts.append(link("next", page + 1, "下一页"))
    parts.append(link("last", page_count, "最后一页"))
    return " ".join(parts)


def paginate(entries: Sequence[ListEntry], *, per_page: int = PAGE_SIZE) -> list[list[ListEntry]]:
    """Newest first, ``per_page`` a page; always at least one (possibly empty) page."""
    ordered = sorted(entries, key=lambda e: (e.date, e.post_id, e.title), reverse=True)
    pages = [list(ordered[i : i + per_page]) for i in range(0, len(ordered), per_page)]
    return pages or [[]]


def column_entries(
    column: ColumnSpec,
    releases: Iterable[ReleaseSpec],
    extras: Iterable[ExtraEntry],
    *,
    from_page: str | None = None,
    style: str | None = None,
) -> list[ListEntry]:
    """Every item of a column's list: its releases, plus off-site and cross-listed items.

    Release hrefs are written in the column's link style as seen from its list pages, unless
    ``from_page``/``style`` say otherwise (the home page links root-relative).
    """
    page_file = from_page or column.path + "index.html"
    link_style = style or column.link_style
    entries = [
        ListEntry(
            href=_href(article_path(column, r.post_id), from_page=page_file, style=link_style),
            title=r.title,
            date=r.date,
            post_id=r.post_id,
        )
        for r in releases
        if r.column == column.key
    ]
    for e in extras:
        if e.column == column.key:
            post = re.search(r"post_(\d+)", e.href)
            entries.append(
                ListEntry(
                    href=e.href,
                    title=e.title,
                    date=e.date,
                    post_id=int(post.group(1)) if post and e.kind == "crosslist" else 0,
                    off_site=e.kind == "offsite",
                )
            )
    return entries


def render_list_page(
    column: ColumnSpec,
    entries: Sequence[ListEntry],
    *,
    page: int,
    page_count: int,
    site: SiteSpec = SITE,
) -> str:
    """One list page (index.html or index_N.html) of a column, with the portal's chrome."""
    values = {
        "head_common": _template("head_common.html").rstrip("\n"),
        "site_name": _esc(site.name),
        "site_domain": _esc(site.domain),
        "site_id_code": _esc(site.id_code),
        "column_name": _esc(column.name),
        "column_description": _esc(column.description),
        "column_keywords": _esc(column.keywords),
        "column_type": _esc(column.column_type),
        "nfcms_site_id": str(site.nfcms_site_id),
        "cat_id": column.cat_id,
        "parent_cat_id": column.parent_cat_id,
        "header": _template("header.html").rstrip("\n"),
        "footer": _template("footer.html").rstrip("\n"),
        "breadcrumb": render_breadcrumb(column),
        "parent_name": _esc(column.crumbs[-1][0]),
        "sidenav": render_sidenav(column),
        "items": "\n".join(render_list_item(e) for e in entries),
        "pager": render_pager(column, page, page_count),
    }
    return _fill(_template("list.html"), values)


# ----------------------------------------------------------------------------- article body


def _inline(text: str, release: ReleaseSpec) -> str:
    """Escape a body line and apply the inline markup: **bold** and {{att:N}} links."""
    out = _esc(text)
    out = _BOLD.sub(r"<strong>\1</strong>", out)

    def att(match: re.Match[str]) -> str:
        n = int(match.group(1))
        path = release_assets(release)[len(release.images) + n - 1][0]
        title = release.attachments[n - 1].title
        return f'<a href="/{path}" target="_blank">{_esc(title)}</a>'

    return _INLINE_ATT.sub(att, out)


def _paragraph(inner: str, style: str, *, heading: bool = False) -> str:
    if heading:
        inner = f"<strong>{inner}</strong>" if "<strong>" not in inner else inner
    if style == "indent":
        return f'<p style="text-indent: 2em;">{inner}</p>'
    if style == "fullwidth":
        return f"<p>\u3000\u3000{inner}</p>"
    if style == "editor":
        return (
            '<p style="text-indent: 2em; line-height: 2em;"><span style="font-family: 仿宋_GB2312, 仿宋; '
            f'font-size: 16px;">{inner}</span></p>'
        )
    return f"<p>{inner}</p>"


def render_body_html(release: ReleaseSpec) -> str:
    """The release's body as the CMS's editor writes it (paragraphs, images, tables, links).

    Body markup (releases/*.toml): one paragraph a line; ``# text`` a bold heading paragraph;
    ``**text**`` bold; ``{{img:N}}`` the N-th image on its own line; ``{{att:N}}`` an inline link to
    the N-th attachment; lines starting with ``|`` a table (first row the header); ``{{raw:N}}``
    the N-th raw block written verbatim (unescaped: hostile markup for the security tests).
    """
    page = article_path(COLUMNS[release.column], release.post_id)
    assets = release_assets(release)
    out: list[str] = []
    table: list[list[str]] = []

    def flush_table() -> None:
        if not table:
            return
        rows = [
            '<table border="1" cellspacing="0" cellpadding="4" style="width: 100%; border-collapse: collapse;">',
            "<tbody>",
        ]
        for i, cells in enumerate(table):
            tag = "th" if i == 0 else "td"
            rows.append("<tr>" + "".join(f"<{tag}>{_inline(c, release)}</{tag}>" for c in cells) + "</tr>")
        rows += ["</tbody>", "</table>"]
        out.append("\n".join(rows))
        table.clear()

    for raw in release.body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip("|").split("|")])
            continue
        flush_table()
        raw_block = _RAW_LINE.match(line)
        if raw_block:
            out.append(release.raw[int(raw_block.group(1)) - 1].html)
            continue
        image = _IMAGE_LINE.match(line)
        if image:
            n = int(image.group(1))
            path, spec = assets[n - 1]
            assert isinstance(spec, ImageSpec)
            src = _href(path, from_page=page, style="relative" if spec.relative else "root")
            out.append(
                f'<p style="text-align: center;"><img src="{_esc(src)}" title="{_esc(spec.alt)}" '
                f'alt="{_esc(spec.alt)}" width="{spec.width}" /></p>'
            )
            if spec.caption:
                out.append(f'<p style="text-align: center;">{_esc(spec.caption)}</p>')
            continue
        if line.startswith("# "):
            out.append(_paragraph(_inline(line[2:], release), release.style, heading=True))
            continue
        out.append(_paragraph(_inline(line, release), release.style))
    flush_table()
    return "\n".join(out)


def body_text(release: ReleaseSpec) -> str:
    """The body as plain text, one paragraph (or table row) a line: what a reader reads."""
    lines: list[str] = []
    for raw in release.body.splitlines():
        line = raw.strip()
        if not line:
            continue
        raw_block = _RAW_LINE.match(line)
        if raw_block:
            shown = release.raw[int(raw_block.group(1)) - 1].text
            if shown:
                lines.append(shown)
            continue
        image = _IMAGE_LINE.match(line)
        if image:
            caption = release.images[int(image.group(1)) - 1].caption
            if caption:
                lines.append(caption)
            continue
        if line.startswith("|"):
            line = " ".join(c.strip() for c in line.strip("|").split("|"))
        elif line.startswith("# "):
            line = line[2:]
        line = _BOLD.sub(r"\1", line)
        line = _INLINE_ATT.sub(lambda m: release.attachments[int(m.group(1)) - 1].title, line)
        lines.append(line)
    return "\n".join(lines)


def raw_image_count(release: ReleaseSpec) -> int:
    """``<img>`` tags in the release's raw blocks (not its own images: no file is made for them)."""
    return sum(len(_IMG_TAG.findall(r.html)) for r in release.raw)


def _description(release: ReleaseSpec) -> str:
    if release.description:
        return release.description
    first = body_text(release).split("\n", 1)[0]
    return first[:120]


def render_meta_tags(release: ReleaseSpec, column: ColumnSpec, *, site: SiteSpec = SITE) -> str:
    """The government meta tags of an article page (政府网站发展指引), as the CMS writes them."""
    assets = release_assets(release)
    rows = [
        ("SiteName", site.name),
        ("SiteDomain", site.domain),
        ("SiteIDCode", site.id_code),
        ("ColumnName", column.name),
        ("ColumnDescription", column.description),
        ("ColumnKeywords", column.keywords),
        ("ColumnType", column.column_type),
        ("ArticleTitle", release.title),
        ("PubDate", release.pubdate),
        ("ContentSource", release.source),
        ("Keywords", ",".join(release.keywords)),
        ("Author", ""),
        ("Description", _description(release)),
    ]
    if release.images:
        rows.append(("Image", site.real_base_url + assets[0][0]))
    rows.append(("Url", site.real_base_url + article_path(column, release.post_id)))
    tags = "\n".join(f'<meta name="{k}" content="{_esc(v)}">' for k, v in rows)
    # A cache-busting stamp from the publication time, computed without the machine's time zone.
    stamp = (calendar.timegm(release.published.timetuple()) - 8 * 3600) // 100
    stats = (
        f'<script>window.NFCMS_SITE_ID={site.nfcms_site_id};window.NFCMS_PUB_TYPE="post";'
        f'window.NFCMS_POST_ID="{release.post_id}";window.NFCMS_CAT_ID="{column.cat_id}";</script>'
        f'<script src="//statistics.gd.gov.cn/scripts/s.js?t={stamp}" async></script>'
    )
    return tags + stats


_CHARSET_META = {
    "utf8": '<meta charset="utf-8">',
    "no-meta": '<meta charset="utf-8">',
    "gbk-header": '<meta charset="gbk">',
    "gbk-meta": '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    "gbk-sniff": "",
}


def render_attachment_block(release: ReleaseSpec) -> str:
    assets = release_assets(release)[len(release.images) :]
    if not assets:
        return ""
    rows = ['            <ul class="fujian-list">']
    for path, spec in assets:
        assert isinstance(spec, AttachmentSpec)
        rows.append(f'              <li><a class="pdf" href="/{path}" target="_blank">{_esc(spec.title)}</a></li>')
    rows.append("            </ul>")
    return "\n".join(rows)


def render_related(entries: Sequence[ListEntry]) -> str:
    return "\n".join(
        f'              <li><a href="{_esc(e.href)}" title="{_esc(e.title)}" target="_blank">{_esc(e.title)}</a>'
        f'<span class="time">{e.date.isoformat()}</span></li>'
        for e in entries
    )


def render_article_page(
    release: ReleaseSpec,
    *,
    column: ColumnSpec,
    related: Sequence[ListEntry] = (),
    site: SiteSpec = SITE,
) -> str:
    """An article page as text; encode it with :func:`encode_page` (GBK variants need it)."""
    with_meta = release.variant != "no-meta"
    values = {
        "charset_meta": _CHARSET_META[release.variant],
        "head_common": _template("head_common.html").rstrip("\n"),
        "meta_tags": render_meta_tags(release, column, site=site) if with_meta else "",
        "title": _esc(release.title),
        "site_name": _esc(site.name),
        "cat_id": column.cat_id,
        "post_id": str(release.post_id),
        "header": _template("header.html").rstrip("\n"),
        "footer": _template("footer.html").rstrip("\n"),
        "breadcrumb": render_breadcrumb(column),
        "visible_time": release.published.strftime("%Y-%m-%d %H:%M:%S"),
        "source": _esc(release.source),
        "body": render_body_html(release),
        "attachments": render_attachment_block(release),
        "keywords_visible": _esc(" ".join(release.keywords)),
        "related": render_related(related),
    }
    return _fill(_template("article.html"), values)


def encode_page(text: str, variant: str) -> bytes:
    """Bytes as served: UTF-8, or GBK for the GBK variants (strict: an unencodable char is an error)."""
    if variant in GBK_VARIANTS:
        return text.encode("gbk")
    return text.encode("utf-8")


def content_type_for(variant: str) -> str | None:
    """The Content-Type the server sends for a variant (None: the server's utf-8 default)."""
    if variant == "gbk-header":
        return "text/html; charset=GBK"
    if variant in {"gbk-meta", "gbk-sniff"}:
        return "text/html"  # no charset in the header: the page (or a detector) must tell
    return None


# ----------------------------------------------------------------------------- home and channel pages


def render_channel_page(
    *,
    title: str,
    crumbs: Sequence[tuple[str, str]],
    boxes: Sequence[tuple[ColumnSpec, Sequence[ListEntry]]],
    site: SiteSpec = SITE,
) -> str:
    """A simple channel page (home, 政务公开, 解读回应): a box of newest items per column."""
    crumb_html = "&nbsp;&gt;&nbsp;".join(f'<a href="/{p}">{_esc(n)}</a>' for n, p in crumbs)
    box_html = []
    for column, entries in boxes:
        items = "\n".join(
            f'            <li><a href="{_esc(e.href)}" title="{_esc(e.title)}" target="_blank">{_esc(e.title)}</a>'
            f'<span class="time">{e.date.isoformat()}</span></li>'
            for e in entries
        )
        box_html.append(
            '      <div class="channel-box">\n'
            f'        <div class="channel-title"><h3><a href="/{column.path}">{_esc(column.name)}</a></h3>'
            f'<a class="more" href="/{column.path}">更多&gt;&gt;</a></div>\n'
            f"        <ul>\n{items}\n        </ul>\n"
            "      </div>"
        )
    values = {
        "head_common": _template("head_common.html").rstrip("\n"),
        "title": _esc(title),
        "site_name": _esc(site.name),
        "site_domain": _esc(site.domain),
        "site_id_code": _esc(site.id_code),
        "header": _template("header.html").rstrip("\n"),
        "footer": _template("footer.html").rstrip("\n"),
        "breadcrumb": crumb_html,
        "boxes": "\n".join(box_html),
    }
    return _fill(_template("channel.html"), values)


# ----------------------------------------------------------------------------- PDF attachments


def make_pdf(title: str, lines: Sequence[str], *, font_size: int = 12) -> bytes:
    """A tiny valid one-page PDF with Chinese text (Adobe's STSong-Light CID font, not embedded).

    Deterministic: no dates, no random ids. Every line must fit on the page (≤ 36 characters,
    ≤ 52 lines) and every character must be in the Basic Multilingual Plane.
    """
    all_lines = [title, "", *lines]
    if len(all_lines) > 52 or any(len(s) > 36 for s in all_lines):
        raise ValueError(f"PDF text for {title!r} does not fit one page (≤52 lines of ≤36 characters)")

    def hexstr(s: str) -> str:
        if any(ord(c) > 0xFFFF for c in s):
            raise ValueError(f"character outside the BMP in {s!r}")
        return "<" + s.encode("utf-16-be").hex().upper() + ">"

    ops = ["BT", f"/F1 {font_size + 4} Tf", "72 770 Td", f"{hexstr(title)} Tj", f"/F1 {font_size} Tf"]
    leading = font_size * 1.6
    ops.append(f"0 -{leading * 1.5:.1f} Td")
    for s in lines:
        ops.append(f"{hexstr(s)} Tj")
        ops.append(f"0 -{leading:.1f} Td")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    info_title = "<FEFF" + title.encode("utf-16-be").hex().upper() + ">"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Title " + info_title.encode("ascii") + b" /Producer (dg-publicity sample site) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# ----------------------------------------------------------------------------- consistency checks

_WEEKDAYS = "一二三四五六日"
_DATE_WITH_WEEKDAY = re.compile(
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日[^，。；（(]{0,4}[（(](?:周|星期)(?P<w>[一二三四五六日天])[）)]"
)


def check_weekdays(release: ReleaseSpec) -> list[str]:
    """Every "M月D日（周X）" in the body names the right weekday (year: stated, else the nearest
    date not more than 60 days before publication). Returns the problems found."""
    problems = []
    for m in _DATE_WITH_WEEKDAY.finditer(body_text(release)):
        month, day = int(m["m"]), int(m["d"])
        if m["y"]:
            year = int(m["y"])
        else:
            year = release.published.year
            if (date(year, month, day) - release.date).days < -60:
                year += 1
        actual = date(year, month, day).weekday()
        named = _WEEKDAYS.index("日" if m["w"] == "天" else m["w"])
        if actual != named:
            problems.append(f"post_{release.post_id}: {m.group(0)} is a {_WEEKDAYS[actual]}, not 周{m['w']}")
    return problems


def check_release(release: ReleaseSpec) -> list[str]:
    """Data problems in one release: evidence not in the body, weekdays wrong, bad asset refs."""
    problems = check_weekdays(release)
    text = body_text(release)
    for ev in release.events:
        if not ev.evidence or ev.evidence not in text:
            problems.append(f"post_{release.post_id}: evidence of {ev.name!r} is not in the body")
        for value in (ev.start, ev.end, ev.postponed_from):
            if value:
                (datetime.fromisoformat if "T" in value else date.fromisoformat)(value)
    for n in re.findall(r"\{\{img:(\d+)\}\}", release.body):
        if not 1 <= int(n) <= len(release.images):
            problems.append(f"post_{release.post_id}: {{{{img:{n}}}}} has no image")
    for n in _INLINE_ATT.findall(release.body):
        if not 1 <= int(n) <= len(release.attachments):
            problems.append(f"post_{release.post_id}: {{{{att:{n}}}}} has no attachment")
    for n in re.findall(r"\{\{raw:(\d+)\}\}", release.body):
        if not 1 <= int(n) <= len(release.raw):
            problems.append(f"post_{release.post_id}: {{{{raw:{n}}}}} has no raw block")
    return problems
