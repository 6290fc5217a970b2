"""OUT/review/index.html: the review board, generated from the store.

Every draft waiting for a reviewer (pending, or invalid: over a limit and needing an edit), grouped
by release: its posters, its text per platform, character counts against the limits, its state and
its history; then the approved drafts not yet posted. Readable on a phone; no scripts at all (a
Content-Security-Policy forbids them), every value escaped by Jinja2's autoescape, and links only
when they are http(s) (a ``javascript:`` URL from a hostile page is shown as text).

Deterministic: the page changes only when a draft does (its "updated" time is the last change).

    html = render_board(board_view(drafts, history, platforms, office="…"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from tasks.drafts import FIELD_LABELS, Platform, field_counts
from tasks.html_templates import html_environment
from tasks.models import SHANGHAI
from tasks.review import (
    ACTION_LABELS,
    OPEN_STATES,
    STATE_LABELS,
    Draft,
    DraftState,
    HistoryEntry,
)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "assets" / "review"
TEMPLATE = "index.html.j2"
# Posters live in OUT/public; the board in OUT/review: links are relative so both folders can be
# served (or opened) together.
PUBLIC_FROM_BOARD = "../public/"
SAFE_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class BoardInfo:
    office: str
    title: str = "新媒体草稿审核"


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL with a host, else None (shown as text, never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    return url.strip()


def _time(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _image_src(path: str) -> str | None:
    # Poster paths come from the store (relative to OUT/public); refuse anything that climbs out.
    if not path or path.startswith(("/", "\\")) or ".." in Path(path).parts or ":" in path:
        return None
    return PUBLIC_FROM_BOARD + quote(path)


def _history_view(entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
    return [
        {
            "at": _time(e.at),
            "at_iso": e.at.astimezone(SHANGHAI).isoformat(),
            "actor": e.actor,
            "action": ACTION_LABELS[e.action],
            "from": STATE_LABELS[e.from_state] if e.from_state else "",
            "to": STATE_LABELS[e.to_state],
            "note": e.note,
            "changes": e.changes,
        }
        for e in entries
    ]


def _draft_view(draft: Draft, platform: Platform | None, history: Sequence[HistoryEntry]) -> dict[str, Any]:
    content = draft.content
    counts = []
    if platform is not None:
        counts = [
            {"label": FIELD_LABELS[c.field], "count": c.count, "max": c.max, "over": c.over,
             "unit": c.unit}
            for c in field_counts(content, platform)
        ]
        if platform.max_images:
            counts.append({"label": "图片", "count": len(content.images), "max": platform.max_images,
                           "over": len(content.images) > platform.max_images, "unit": "张"})
    return {
        "id": draft.id,
        "platform": platform.label if platform else draft.platform,
        "platform_key": draft.platform,
        "version": draft.version,
        "state": draft.state.value,
        "state_label": STATE_LABELS[draft.state],
        "title": content.title,
        "digest": content.digest,
        "body": content.body,
        "body_is_html": bool(platform and platform.body_is_html),
        "counts": counts,
        "notes": list(content.notes),
        "invalid": content.invalid,
        "images": [
            {"src": _image_src(i.path), "path": i.path, "format": i.format, "width": i.width,
             "height": i.height}
            for i in content.images
        ],
        "created_by": draft.created_by,
        "history": _history_view(history),
    }


def board_view(
    drafts: Sequence[Draft],
    history: Mapping[int, Sequence[HistoryEntry]],
    platforms: Mapping[str, Platform],
    *,
    info: BoardInfo,
) -> dict[str, Any]:
    """The page's data: open drafts grouped by release, then approved ones awaiting posting."""
    open_groups: dict[str, dict[str, Any]] = {}
    approved: list[dict[str, Any]] = []
    order = list(platforms)
    for draft in sorted(drafts, key=lambda d: (d.release_url,
                                               order.index(d.platform) if d.platform in order else 99)):
        view = _draft_view(draft, platforms.get(draft.platform), history.get(draft.id, ()))
        if draft.state in OPEN_STATES:
            group = open_groups.setdefault(draft.release_url, {
                "release_title": draft.release_title,
                "release_url": draft.release_url,
                "href": safe_href(draft.release_url),
                "events_end": draft.events_end.isoformat() if draft.events_end else None,
                "drafts": [],
                "images": [],
            })
            group["drafts"].append(view)
            for image in view["images"]:
                if image["src"] and image["path"] not in {i["path"] for i in group["images"]}:
                    group["images"].append(image)
        elif draft.state == DraftState.APPROVED:
            view["release_title"] = draft.release_title
            view["href"] = safe_href(draft.release_url)
            view["release_url"] = draft.release_url
            approved.append(view)
    changed = [d.updated or d.created for d in drafts]
    updated = max(changed) if changed else None
    open_count = sum(len(g["drafts"]) for g in open_groups.values())
    return {
        "page": {
            "title": info.title,
            "office": info.office,
            "updated": _time(updated) if updated else "—",
            "updated_iso": updated.astimezone(SHANGHAI).isoformat() if updated else "",
            "open_count": open_count,
            "invalid_count": sum(1 for g in open_groups.values() for d in g["drafts"]
                                 if d["state"] == DraftState.INVALID.value),
            "approved_count": len(approved),
        },
        "groups": sorted(open_groups.values(), key=lambda g: (g["events_end"] or "", g["release_url"])),
        "approved": approved,
    }


def render_board(view: Mapping[str, Any]) -> bytes:
    return html_environment(TEMPLATES_DIR).get_template(TEMPLATE).render(**view).encode("utf-8")
