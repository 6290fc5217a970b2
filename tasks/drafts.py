"""Social-media drafts: a release with events → one draft per platform, within the platform's limits.

Pure: plain values in, ``DraftContent`` out; no Prefect, no database, no network. The platforms and
their limits are data (assets/drafts/platforms.toml, every number with its source); the text comes
from Jinja2 templates (assets/drafts/<platform>.j2, one block per field)::

    platforms = load_platforms()
    drafts = build_drafts(release, events, posters, platforms=platforms, hashtags=["东莞"])
    for d in drafts:
        print(d.platform, d.invalid or "ok", d.notes)

A draft never exceeds a limit. When the text is too long it is shortened, in this order, and a note
says so: the quoted release text is cut at a sentence end; then events beyond the first are
replaced by "另有N项活动"; then hashtags are dropped; then the headline is cut at a phrase boundary
(punctuation, else a BudouX phrase). A draft that still does not fit is returned with ``invalid``
set to the reason, and the review state machine keeps it out of approval until a reviewer edits it.

Counting rules (see platforms.toml): "weibo" counts U+0000–U+00FF as ½, other BMP characters as 1,
characters above U+FFFF as 2, rounded up; "utf16" counts UTF-16 code units (what a web form's
maxlength counts).

No events → no drafts: a draft announces something to attend.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from tasks.errors import DraftError, RenderError
from tasks.models import SHANGHAI, Event, Release

DRAFTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "drafts"
PLATFORMS_FILE = DRAFTS_DIR / "platforms.toml"
COUNTING_RULES = frozenset({"weibo", "utf16"})
HASHTAG_STYLES = frozenset({"weibo", "hash", "none"})
FIELD_LABELS = {"title": "标题", "digest": "摘要", "lead": "首段", "body": "正文"}
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
SELF_SOURCES = frozenset({"本网", "本站", "本网站"})
TAG_MAX_CHARS = 20  # a hashtag longer than this is not a topic anyone searches for
SENTENCE_ENDS = "。！？；!?;…\n"
PHRASE_BREAKS = "，、：,:）)》」』】 \u3000—·"
BRACKETS = {"（": "）", "(": ")", "“": "”", "《": "》", "【": "】", "「": "」", "‘": "’"}
DROPPABLE_ENDINGS = ("新闻发布会", "发布会")  # generic endings a short title can do without
JOINING_WORDS = "暨及与和"  # a cut just before one keeps a complete phrase
DANGLING_ENDS = ("的", "新闻", "暨", "及", "与", "和", "在", "于", "将", "对", "关于", "举办")
# Text fields of the edit/show format (draft_text / parse_draft_text), in order.
TEXT_HEADERS = {"title": "标题：", "digest": "摘要："}
BODY_HEADER = "正文："


@dataclass(frozen=True, slots=True)
class Limit:
    field: str  # title | digest | lead | body
    max: int
    source: str


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    label: str
    template: str
    counting: str
    hashtag_style: str
    poster_formats: tuple[str, ...]
    max_images: int
    limits: tuple[Limit, ...]
    tags: int = 0  # style: hashtags to add
    summary_chars: int = 0  # style: how much release text to quote
    max_tags: int | None = None
    body_is_html: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)  # max_images / max_tags sources

    def limit(self, name: str) -> Limit | None:
        return next((lim for lim in self.limits if lim.field == name), None)

    @property
    def fields(self) -> tuple[str, ...]:
        """The text fields this platform's drafts have (body always)."""
        names = [f for f in ("title", "digest") if self.limit(f) is not None]
        if self.name == "plain":
            names = ["title"]
        return (*names, "body")


@dataclass(frozen=True, slots=True)
class PosterRef:
    """A poster the store knows (tasks/store.py StoredPoster, reduced to what a draft needs)."""

    event_seq: int
    format: str
    path: str  # relative to OUT/public
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FieldCount:
    field: str
    count: int
    max: int | None
    unit: str

    @property
    def over(self) -> bool:
        return self.max is not None and self.count > self.max


@dataclass(frozen=True, slots=True)
class DraftContent:
    """One platform's draft of one release."""

    platform: str
    body: str
    title: str | None = None
    digest: str | None = None
    images: tuple[PosterRef, ...] = ()
    notes: tuple[str, ...] = ()  # what was shortened or left out, for the reviewer
    invalid: str | None = None  # why it cannot be posted as is

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "title": self.title,
            "digest": self.digest,
            "body": self.body,
            "images": [asdict(i) for i in self.images],
            "notes": list(self.notes),
            "invalid": self.invalid,
        }


# ---- platforms ---------------------------------------------------------------------------------


def load_platforms(path: Path = PLATFORMS_FILE) -> dict[str, Platform]:
    """The platform table, validated; raises ``DraftError`` naming the bad entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DraftError(f"Cannot read the platform table {path}: {exc}") from exc
    return {name: _platform(name, entry, path) for name, entry in data.items()}


def _platform(name: str, entry: dict[str, Any], path: Path) -> Platform:
    try:
        limits = tuple(
            Limit(field=str(lim["field"]), max=int(lim["max"]), source=str(lim["source"]))
            for lim in entry.get("limits", [])
        )
        platform = Platform(
            name=name,
            label=str(entry["label"]),
            template=str(entry["template"]),
            counting=str(entry["counting"]),
            hashtag_style=str(entry["hashtag_style"]),
            poster_formats=tuple(entry["poster_formats"]),
            max_images=int(entry["max_images"]),
            limits=limits,
            tags=int(entry.get("tags", 0)),
            summary_chars=int(entry.get("summary_chars", 0)),
            max_tags=int(entry["max_tags"]) if "max_tags" in entry else None,
            body_is_html=bool(entry.get("body_is_html", False)),
            sources={k: str(v) for k, v in entry.items() if k.endswith("_source")},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DraftError(f"Invalid platform {name!r} in {path}: {exc!r}") from exc
    if platform.counting not in COUNTING_RULES:
        raise DraftError(f"Platform {name!r}: counting {platform.counting!r}; allowed: "
                         f"{', '.join(sorted(COUNTING_RULES))}")
    if platform.hashtag_style not in HASHTAG_STYLES:
        raise DraftError(f"Platform {name!r}: hashtag_style {platform.hashtag_style!r}; allowed: "
                         f"{', '.join(sorted(HASHTAG_STYLES))}")
    missing = [lim.field for lim in limits if not lim.source.strip()]
    if missing:
        raise DraftError(f"Platform {name!r}: limits without a source: {missing}")
    return platform


# ---- counting ----------------------------------------------------------------------------------


def weibo_length(text: str) -> int:
    """Sina Weibo's count: ½ for U+0000–U+00FF, 1 for the rest of the BMP, 2 above; rounded up."""
    halves = 0
    for ch in text:
        cp = ord(ch)
        halves += 1 if cp <= 0xFF else 2 if cp <= 0xFFFF else 4
    return math.ceil(halves / 2)


def utf16_length(text: str) -> int:
    """UTF-16 code units: a web form's maxlength (every character 1, above U+FFFF 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


COUNTERS: dict[str, Callable[[str], int]] = {"weibo": weibo_length, "utf16": utf16_length}
UNITS = {"weibo": "字（微博计数）", "utf16": "字"}


def count(text: str, platform: Platform) -> int:
    return COUNTERS[platform.counting](text)


def weibo_lead(body: str) -> str:
    """The first paragraph of a Weibo post: what must stand alone in the timeline."""
    return body.split("\n\n", 1)[0].strip()


def field_counts(content: DraftContent, platform: Platform) -> list[FieldCount]:
    """Each text field's length against its limit (and the lead for Weibo)."""
    out: list[FieldCount] = []
    unit = UNITS[platform.counting]
    values = {"title": content.title, "digest": content.digest, "body": content.body}
    if platform.limit("lead") is not None:
        values["lead"] = weibo_lead(content.body)
    for name in ("title", "digest", "lead", "body"):
        text = values.get(name)
        if text is None:
            continue
        lim = platform.limit(name)
        out.append(FieldCount(name, count(text, platform), lim.max if lim else None, unit))
    return out


def count_tags(body: str, platform: Platform) -> int:
    if platform.hashtag_style == "weibo":
        return len(re.findall(r"#[^#\s][^#\n]*#", body))
    if platform.hashtag_style == "hash":
        return len(re.findall(r"(?:^|\s)#[^\s#]+", body))
    return 0


def limit_problems(content: DraftContent, platform: Platform) -> list[str]:
    """Every limit the draft breaks, in words ('正文 1203/1000 字'); empty when it fits."""
    problems = [
        f"{FIELD_LABELS[c.field]} {c.count}/{c.max} {c.unit}"
        for c in field_counts(content, platform)
        if c.over
    ]
    if platform.fields and "title" in platform.fields and platform.name != "plain":
        if not (content.title or "").strip():
            problems.append("标题为空")
    if not content.body.strip():
        problems.append("正文为空")
    if platform.max_tags is not None:
        tags = count_tags(content.body, platform)
        if tags > platform.max_tags:
            problems.append(f"话题标签 {tags}/{platform.max_tags} 个")
    if len(content.images) > platform.max_images:
        problems.append(f"图片 {len(content.images)}/{platform.max_images} 张")
    return problems


# ---- cutting at boundaries ---------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences, each with its closing mark; joined they give the text back."""
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"[。！？；!?;…]+[”’」』）)]*|\n+", text):
        parts.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        parts.append(text[start:])
    return [p for p in parts if p]


@lru_cache(maxsize=1)
def _budoux_parser() -> Any:
    import budoux  # light, pure Python; only needed when a phrase must be cut

    return budoux.load_default_simplified_chinese_parser()


def _balanced(text: str) -> bool:
    """No bracket or quote left open (a title cut inside （…） reads as broken)."""
    depth = {o: 0 for o in BRACKETS}
    for ch in text:
        if ch in BRACKETS:
            depth[ch] += 1
        for opening, closing in BRACKETS.items():
            if ch == closing:
                depth[opening] -= 1
    return all(v <= 0 for v in depth.values())


def _acceptable(candidate: str) -> bool:
    return bool(candidate) and _balanced(candidate) and not candidate.endswith(DANGLING_ENDS)


def phrase_groups(text: str) -> list[list[str]]:
    """Shorter versions of ``text``, in groups of falling preference, each group longest first:

    1. the text without a generic ending (新闻发布会, 发布会): the name of the event itself;
    2. cuts at punctuation, spaces and joining words (暨, 及): complete phrases;
    3. cuts at BudouX phrase boundaries (a model of where Chinese may break without splitting a
       word), skipping cuts that leave a bracket open or end on a dangling word (的, 新闻, 暨 …).
    """
    stripped = text.strip()
    whole = len(stripped)
    suffix = [stripped[: -len(end)].rstrip(" \u3000，、：,:—·")
              for end in DROPPABLE_ENDINGS if stripped.endswith(end) and len(stripped) > len(end)]
    punct: set[int] = set()
    for i, ch in enumerate(stripped):
        if ch in PHRASE_BREAKS or ch in SENTENCE_ENDS:
            punct.add(i if ch in " \u3000" else i + 1)
        elif ch in JOINING_WORDS:
            punct.add(i)
    model: set[int] = set()
    pos = 0
    for chunk in _budoux_parser().parse(stripped):
        pos += len(chunk)
        model.add(pos)

    def prefixes(cuts: set[int]) -> list[str]:
        out = []
        for cut in sorted(cuts, reverse=True):
            candidate = stripped[:cut].rstrip(" \u3000，、：,:—·")
            if 0 < len(candidate) < whole and _acceptable(candidate):
                out.append(candidate)
        return out

    groups = [[c for c in suffix if _acceptable(c)], prefixes(punct), prefixes(model - punct)]
    seen: set[str] = set()
    unique = []
    for group in groups:
        unique.append([c for c in group if not (c in seen or seen.add(c))])
    return unique


def phrase_prefixes(text: str) -> list[str]:
    """Every shorter version of ``text`` that ends at a phrase boundary, in order of preference."""
    return [c for group in phrase_groups(text) for c in group]


def excerpt(text: str, limit: int) -> list[str]:
    """The release text's first sentences up to ``limit`` characters (style, not a platform limit)."""
    if limit <= 0:
        return []
    flat = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    out: list[str] = []
    used = 0
    for sentence in split_sentences(flat):
        if used + len(sentence) > limit:
            break
        out.append(sentence)
        used += len(sentence)
    if not out and flat:  # one long first sentence: keep its first phrases
        fitting = [p for p in phrase_prefixes(flat[: limit + 20]) if len(p) <= limit - 1]
        if fitting:
            out = [fitting[0] + "…"]
    return out


# ---- templates ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _environment(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=False,  # text for pasting; the WeChat body block turns escaping on itself
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render_block(platform: Platform, block: str, context: Mapping[str, Any],
                 *, templates_dir: Path = DRAFTS_DIR) -> str:
    try:
        template = _environment(templates_dir).get_template(platform.template)
        fn = template.blocks[block]
        text = "".join(fn(template.new_context(dict(context))))
    except KeyError as exc:
        raise DraftError(f"Template {platform.template} has no block {block!r}") from exc
    except jinja2.TemplateError as exc:
        raise DraftError(f"Template {platform.template} failed: {exc}") from exc
    # Templates stay readable with their own line breaks; the output has at most one blank line.
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()


def templates_key(templates_dir: Path = DRAFTS_DIR) -> str:
    """Hash of the templates and the platform table: a change re-drafts pending drafts."""
    digest = hashlib.sha256()
    for path in sorted(templates_dir.glob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---- building ----------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    from tasks._poster.content import clean_text  # shared with the posters; light import

    return clean_text(text or "")


def _event_when(event: Event) -> str:
    from tasks._poster.content import format_event_when

    try:
        return format_event_when(event)
    except RenderError:  # end before start (a bad extraction): show the start alone
        return format_event_when(Event(name=event.name, start=event.start,
                                       time_of_day=event.time_of_day))


def _hashtag(tag: str, style: str) -> str | None:
    word = re.sub(r"[#\s\[\]【】@]+", "", _clean(tag))
    if not word or len(word) > TAG_MAX_CHARS:
        return None
    return f"#{word}#" if style == "weibo" else f"#{word}"


def _tags(platform: Platform, hashtags: Sequence[str], keywords: Sequence[str]) -> list[str]:
    if platform.hashtag_style == "none" or platform.tags <= 0:
        return []
    wanted = platform.tags if platform.max_tags is None else min(platform.tags, platform.max_tags)
    out: list[str] = []
    for tag in [*hashtags, *keywords]:
        formatted = _hashtag(tag, platform.hashtag_style)
        if formatted and formatted not in out:
            out.append(formatted)
    return out[:wanted]


def _source(release: Release, office: str | None) -> str:
    source = _clean(release.source)
    if not source or source in SELF_SOURCES:
        source = _clean(release.site_name) or _clean(office) or source
    return source


def pick_images(platform: Platform, posters: Sequence[PosterRef], event_count: int) -> list[PosterRef]:
    """Per event, the first of the platform's preferred formats the poster step made.

    WeChat takes its covers from the first event only (a 2.35:1 cover and a 1:1 one).
    """
    by_key = {(p.event_seq, p.format): p for p in posters}
    chosen: list[PosterRef] = []
    if platform.name == "wechat":
        return [by_key[(0, f)] for f in platform.poster_formats if (0, f) in by_key]
    for seq in range(event_count):
        for fmt in platform.poster_formats:
            if (seq, fmt) in by_key:
                chosen.append(by_key[(seq, fmt)])
                break
    return chosen


def _first_day(events: Sequence[Event]) -> str:
    """The earliest day of the events, as 2024年12月20日 (the lead of a multi-event post)."""
    days = [e.start.astimezone(SHANGHAI).date() if isinstance(e.start, datetime) else e.start
            for e in events]
    day = min(days)
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True, slots=True)
class _Knobs:
    sentences: int  # release-text units quoted (sentences, or paragraphs for WeChat)
    events: int  # events shown
    tags: int  # hashtags kept
    headline: str


def _context(release: Release, events: Sequence[Event], units: Sequence[str], tags: Sequence[str],
             knobs: _Knobs, *, title: str, digest: str, source: str, site: str) -> dict[str, Any]:
    shown = events[: knobs.events]
    return {
        "headline": knobs.headline,
        "title": title,
        "digest": digest,
        "events": [
            {"name": _clean(e.name), "when": _event_when(e), "venue": _clean(e.venue) or None,
             "online": _clean(e.online) or None}
            for e in shown
        ],
        "more_events": len(events) - len(shown),
        "first_day": _first_day(events),
        "summary": "".join(units[: knobs.sentences]).strip(),
        "paragraphs": list(units[: knobs.sentences]),
        "truncated": knobs.sentences < len(units),
        "tags": list(tags[: knobs.tags]),
        "url": release.url,
        "source": source,
        "site": site,
        "release_title": _clean(release.title),
    }


def _fit_single(platform: Platform, block: str, name: str, text: str,
                base: Mapping[str, Any]) -> tuple[str, str | None]:
    """Render a one-line field (title, digest); shorten its text at a phrase boundary to fit."""
    lim = platform.limit(name)
    rendered = render_block(platform, block, {**base, name: text})
    if lim is None or count(rendered, platform) <= lim.max:
        return rendered, None
    groups = phrase_groups(text)
    for n, group in enumerate(groups):
        for prefix in group:  # longest first: the first that fits
            candidate = render_block(platform, block, {**base, name: prefix})
            size = count(candidate, platform)
            if size > lim.max:
                continue
            # A complete phrase is preferred, unless it throws away more than half the room.
            if n < len(groups) - 1 and size < lim.max // 2 and any(groups[n + 1:]):
                break
            note = (f"{FIELD_LABELS[name]}超过 {lim.max} 字上限，已在词组处截短"
                    f"（原 {count(text, platform)} 字）")
            return candidate, note
    return rendered, None


def build_draft(
    release: Release,
    events: Sequence[Event],
    posters: Sequence[PosterRef],
    *,
    platform: Platform,
    hashtags: Sequence[str] = (),
    office: str | None = None,
    templates_dir: Path = DRAFTS_DIR,
) -> DraftContent:
    """One platform's draft; shortened to fit, or marked invalid with the reason."""
    if not events:
        raise DraftError("A draft needs at least one event")
    notes: list[str] = []
    source = _source(release, office)
    site = _clean(release.site_name) or source
    headline = _clean(events[0].name) if len(events) == 1 else _clean(release.title)
    title_text = _clean(release.title) if platform.name in ("wechat", "plain") else headline
    if platform.body_is_html:
        units = [p.strip() for p in release.text.splitlines() if p.strip()]
    else:
        units = excerpt(release.text, platform.summary_chars)
    tags = _tags(platform, hashtags, release.keywords)
    digest_text = "".join(excerpt(release.text, 120)) or _clean(release.title)

    base = _context(release, events, units, tags, _Knobs(len(units), len(events), len(tags), headline),
                    title="", digest="", source=source, site=site)
    title = digest = None
    if "title" in platform.fields:
        title, note = _fit_single(platform, "title", "title", title_text, base)
        notes += [note] if note else []
    if "digest" in platform.fields:
        digest, note = _fit_single(platform, "digest", "digest", digest_text, base)
        notes += [note] if note else []

    images = pick_images(platform, posters, len(events))
    if not posters:
        notes.append("海报尚未生成：本稿暂无配图")
    elif len(images) > platform.max_images:
        notes.append(f"海报 {len(images)} 张，超过 {platform.max_images} 张上限，只取前 "
                     f"{platform.max_images} 张")
        images = images[: platform.max_images]
    elif not images:
        notes.append(f"没有适合{platform.label}的海报尺寸（需要 {'/'.join(platform.poster_formats)}）")

    def render(knobs: _Knobs) -> DraftContent:
        ctx = _context(release, events, units, tags, knobs, title=title or "", digest=digest or "",
                       source=source, site=site)
        if platform.limit("lead") is not None:
            ctx["lead"] = render_block(platform, "lead", ctx, templates_dir=templates_dir)
        body = render_block(platform, "body", ctx, templates_dir=templates_dir)
        return DraftContent(platform=platform.name, body=body, title=title, digest=digest,
                            images=tuple(images))

    best, steps = _shrink(render, platform, units=units, events=events, tags=tags, headline=headline)
    notes += steps
    problems = limit_problems(best, platform)
    invalid = None
    if problems:
        invalid = "无法在平台上限内成稿：" + "；".join(problems)
    return DraftContent(platform=best.platform, body=best.body, title=best.title,
                        digest=best.digest, images=best.images, notes=tuple(notes), invalid=invalid)


def _body_fits(content: DraftContent, platform: Platform) -> bool:
    for c in field_counts(content, platform):
        if c.field in ("lead", "body") and c.over:
            return False
    return not (platform.max_tags is not None and count_tags(content.body, platform) > platform.max_tags)


def _shrink(render: Callable[[_Knobs], DraftContent], platform: Platform, *, units: Sequence[str],
            events: Sequence[Event], tags: Sequence[str], headline: str) -> tuple[DraftContent, list[str]]:
    """The fullest draft whose body fits, and notes on what was cut to get there."""
    knobs = _Knobs(len(units), len(events), len(tags), headline)
    draft = render(knobs)
    if _body_fits(draft, platform):
        return draft, []
    unit_word = "段" if platform.body_is_html else "句"
    notes: list[str] = []
    # 1. Fewer quoted sentences (binary search: the length grows with the count).
    lo, hi = 0, len(units)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _body_fits(render(_Knobs(mid, len(events), len(tags), headline)), platform):
            lo = mid
        else:
            hi = mid - 1
    knobs = _Knobs(lo, len(events), len(tags), headline)
    if lo < len(units):
        notes.append(f"为符合正文上限，原文引用在句末截短：保留 {lo}/{len(units)} {unit_word}")
    draft = render(knobs)
    if _body_fits(draft, platform):
        return draft, notes
    # 2. Fewer events, the rest summed up as "另有N项活动".
    for shown in range(len(events) - 1, 0, -1):
        draft = render(_Knobs(0, shown, len(tags), headline))
        if _body_fits(draft, platform):
            return draft, [*notes, f"活动较多：正文列出 {shown}/{len(events)} 项，其余见原文"]
    knobs = _Knobs(0, 1, len(tags), headline)
    if len(events) > 1:
        notes.append(f"活动较多：正文列出 1/{len(events)} 项，其余见原文")
    # 3. No hashtags.
    if tags:
        draft = render(_Knobs(0, 1, 0, headline))
        if _body_fits(draft, platform):
            return draft, [*notes, "为符合上限，去掉了话题标签"]
        notes.append("为符合上限，去掉了话题标签")
    # 4. A shorter headline, cut at a phrase boundary.
    for shorter in phrase_prefixes(headline):
        draft = render(_Knobs(0, 1, 0, shorter))
        if _body_fits(draft, platform):
            return draft, [*notes, f"标题在词组处截短为“{shorter}”"]
    return render(_Knobs(0, 1, 0, headline)), notes


def build_drafts(
    release: Release,
    events: Sequence[Event],
    posters: Sequence[PosterRef] = (),
    *,
    platforms: Mapping[str, Platform],
    hashtags: Sequence[str] = (),
    office: str | None = None,
) -> list[DraftContent]:
    """A draft per platform; none when the release announces no event."""
    if not events:
        return []
    return [
        build_draft(release, events, posters, platform=p, hashtags=hashtags, office=office)
        for p in platforms.values()
    ]


def input_key(release: Release, events: Sequence[Event], posters: Sequence[PosterRef],
              *, extra: str = "") -> str:
    """What a draft was made from: a change (an edit at the source, a new poster) re-drafts it."""
    payload = json.dumps(
        [release.content_hash, [e.to_json() for e in events],
         sorted(asdict(p).__repr__() for p in posters), extra],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def source_key(release: Release, events: Sequence[Event]) -> str:
    """The release's content and events only: a change here supersedes even decided drafts."""
    payload = json.dumps([release.content_hash, [e.to_json() for e in events]], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# ---- the text form: show, edit, export ---------------------------------------------------------


def draft_text(content: DraftContent, platform: Platform) -> str:
    """The draft as one text: header lines for title/digest, then ``正文：`` and the body.

    This is what ``publicity drafts show`` prints, what a reviewer edits, and what the export
    writes; ``parse_draft_text`` reads it back.
    """
    lines = []
    for name, header in TEXT_HEADERS.items():
        if name in platform.fields:
            lines.append(header + (getattr(content, name) or ""))
    if not lines:
        return content.body + "\n"
    return "\n".join([*lines, BODY_HEADER, content.body]) + "\n"


def parse_draft_text(text: str, platform: Platform, *, base: DraftContent) -> DraftContent:
    """A reviewer's edited text → the draft's new content (fields not given keep their value).

    Raises ``DraftError`` when the result breaks a limit, naming each one.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    values: dict[str, str | None] = {"title": base.title, "digest": base.digest}
    body = text
    lines = text.split("\n")
    if any(line.strip() == BODY_HEADER for line in lines):
        idx = next(i for i, line in enumerate(lines) if line.strip() == BODY_HEADER)
        for line in lines[:idx]:
            for name, header in TEXT_HEADERS.items():
                if line.startswith(header) and name in platform.fields:
                    values[name] = line[len(header):].strip()
        body = "\n".join(lines[idx + 1 :]).strip("\n")
    content = DraftContent(platform=platform.name, body=body.strip(), title=values["title"],
                           digest=values["digest"], images=base.images)
    problems = limit_problems(content, platform)
    if problems:
        raise DraftError(f"{platform.label}稿件超出上限：" + "；".join(problems))
    return content


def poster_refs(posters: Iterable[Any]) -> list[PosterRef]:
    """``StoredPoster`` records (tasks/store.py) → ``PosterRef``."""
    return [PosterRef(event_seq=p.event_seq, format=p.format, path=p.path, width=p.width,
                      height=p.height) for p in posters]
