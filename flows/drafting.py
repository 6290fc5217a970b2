"""Drafts from the store, the review actions, and what they produce on disk. No Prefect.

The poll flow calls ``prepare_drafts`` with the releases it stored; the CLI (flows/cli_drafts.py)
and the review flow (flows/review.py) call the review actions, which go through the state machine
(tasks/review.py) and then rebuild the board and the exports::

    summary = prepare_drafts(store, out=out, settings=settings, profile=profile,
                             release_urls=[o.url for o in outcomes if o.status in ("new", "updated")])
    approve(store, 12, by="张三", out=out)        # → OUT/drafts/approved/weibo/post_1000001-v1/
    edit(store, 13, by="李四", text=Path("edit.txt").read_text(), out=out)

Outputs (all derived from the store, rewritten only when they change):
    OUT/review/index.html                          the review board
    OUT/drafts/approved/<platform>/<release>-v<N>/ draft.txt (ready to paste), body.html (WeChat),
                                                   and the posters, for every approved draft
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tasks.drafts import (
    DraftContent,
    DraftError,
    Platform,
    build_draft,
    draft_text,
    input_key,
    load_platforms,
    parse_draft_text,
    poster_refs,
    source_key,
    templates_key,
)
from tasks.files import remove_stale_temporaries, write_if_changed
from tasks.models import SHANGHAI, Event
from tasks.notify import NotifyResult, drafts_message, notify_reviewers, split_urls
from tasks.review import (
    OPEN_STATES,
    SYSTEM,
    Action,
    Draft,
    DraftState,
    NewDraft,
    ReviewError,
    Transition,
    initial_state,
    is_expired,
    transition,
)
from tasks.review import edit as plan_edit
from tasks.review_board import BoardInfo, board_view, render_board
from tasks.settings import Settings, SiteProfile
from tasks.store import Store, now

logger = logging.getLogger("publicity.drafts")

BOARD_FILE = Path("review") / "index.html"
APPROVED_DIR = Path("drafts") / "approved"
# A decided draft is superseded only when the release itself changed, not when a poster was
# re-rendered or a template changed: a reviewer's decision is not undone for cosmetics.
DECIDED = frozenset({DraftState.APPROVED, DraftState.REJECTED})
SUPERSEDABLE = frozenset({DraftState.PENDING, DraftState.INVALID, *DECIDED})
_SLUG = re.compile(r"[^0-9A-Za-z_.-]+")


@dataclass(slots=True)
class DraftsSummary:
    """What one ``prepare_drafts`` call did."""

    created: int = 0  # new draft versions stored (pending or invalid)
    invalid: int = 0  # of those, how many could not fit a limit
    superseded: int = 0  # old versions replaced because the release changed
    expired: int = 0  # open drafts whose events passed
    unchanged: int = 0  # (release, platform) pairs already drafted from the same input
    no_events: int = 0  # releases without events: no drafts
    past_events: int = 0  # releases whose events are all over: no new drafts
    open_drafts: int = 0  # pending + invalid in the whole store, after this call
    approved_exported: int = 0  # approved drafts in OUT/drafts/approved
    board_written: bool = False
    notified: bool | None = None  # None: nothing new, or no notification URL configured
    notify_failures: list[str] = field(default_factory=list)
    new_draft_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created, "invalid": self.invalid, "superseded": self.superseded,
            "expired": self.expired, "unchanged": self.unchanged, "no_events": self.no_events,
            "past_events": self.past_events, "open_drafts": self.open_drafts,
            "approved_exported": self.approved_exported, "board_written": self.board_written,
            "notified": self.notified, "notify_failures": list(self.notify_failures),
            "new_draft_ids": list(self.new_draft_ids),
        }


def today_in_shanghai() -> date:
    return datetime.now(SHANGHAI).date()


def events_end(events: Sequence[Event]) -> date | None:
    """The last day any of the events takes place on."""
    days = []
    for e in events:
        last = e.end if e.end is not None else e.start
        days.append(last.astimezone(SHANGHAI).date() if isinstance(last, datetime) else last)
    return max(days) if days else None


def hashtags_of(settings: Settings) -> list[str]:
    return [t.strip() for t in re.split(r"[,，、\s]+", settings.hashtags or "") if t.strip()]


def prepare_drafts(
    store: Store,
    *,
    out: Path,
    settings: Settings,
    profile: SiteProfile,
    release_urls: Sequence[str],
    today: date | None = None,
    at: datetime | None = None,
    notify: bool = True,
) -> DraftsSummary:
    """Make or update the drafts of ``release_urls``, expire the ones whose events passed, write the
    board and the exports, and tell the reviewers when new drafts wait.

    Idempotent: a release drafted from the same input (its content, events, posters, the
    templates) is left alone. An edit at the source makes new pending drafts and supersedes the
    old versions (pending, invalid, approved or rejected; posted ones stay posted and the new
    draft says so). Never raises for one release: a template or store problem with it is logged.
    """
    today = today or today_in_shanghai()
    at = at or now()
    summary = DraftsSummary()
    platforms = load_platforms()
    extra = templates_key() + "|" + ",".join(hashtags_of(settings))
    urls = list(dict.fromkeys(release_urls))
    posters = store.posters_for(urls) if urls else {}
    latest = store.latest_drafts(urls) if urls else {}
    waiting: list[tuple[str, str]] = []
    for url in urls:
        stored = store.get_release(url)
        if stored is None:
            logger.warning("No release %s in the store: no drafts", url)
            continue
        try:
            _draft_release(store, stored.release, stored.events, poster_refs(posters.get(url, ())),
                           platforms=platforms, latest=latest, settings=settings, profile=profile,
                           extra=extra, today=today, at=at, summary=summary, waiting=waiting)
        except (DraftError, ReviewError) as exc:
            logger.error("Drafts for %s failed: %s", url, exc)
    summary.expired = expire_drafts(store, today=today, at=at)
    written = refresh_outputs(store, out=out, profile=profile, platforms=platforms)
    summary.board_written, summary.approved_exported = written
    summary.open_drafts = len(store.list_drafts(states=OPEN_STATES))
    if notify and waiting:
        result = notify_new_drafts(waiting, settings=settings, profile=profile)
        if result is not None:
            summary.notified = result.ok
            summary.notify_failures = list(result.failed)
    return summary


def releases_missing_drafts(store: Store, *, today: date | None = None) -> list[str]:
    """Releases with an event not over yet (ending ``today`` or later) but no draft at all.

    Added for crash safety (issue 8): a poll drafts only the releases it stored in that run, so a
    run killed after storing a release and before drafting it would leave it undrafted for good;
    the next run passes these to ``prepare_drafts`` too (as it does with
    flows/posters.py ``releases_missing_posters``). Releases whose events are all over are left
    out: ``prepare_drafts`` would make nothing for them, and a large archive would cost a lookup
    per release on every run.
    """
    import sqlalchemy as sa

    from tasks.store import drafts_table, events_table

    cutoff = (today or today_in_shanghai()).isoformat()  # ISO text sorts like the dates it holds
    ev = events_table
    query = (
        sa.select(ev.c.release_url)
        .where(sa.func.coalesce(ev.c.end, ev.c.start) >= cutoff)
        .where(~sa.exists().where(drafts_table.c.release_url == ev.c.release_url))
        .distinct()
        .order_by(ev.c.release_url)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def _draft_release(
    store: Store, release: Any, events: Sequence[Event], posters: list[Any], *,
    platforms: dict[str, Platform], latest: dict[tuple[str, str], Draft], settings: Settings,
    profile: SiteProfile, extra: str, today: date, at: datetime, summary: DraftsSummary,
    waiting: list[tuple[str, str]],
) -> None:
    url = release.url
    if not events:
        summary.no_events += 1
        for name in platforms:  # the release lost its events: its open drafts go
            old = latest.get((url, name))
            if old is not None and old.state in SUPERSEDABLE:
                store.apply_transition(transition(old, Action.SUPERSEDE, actor=SYSTEM, at=at,
                                                  note="原文已无活动信息"))
                summary.superseded += 1
        return
    end = events_end(events)
    s_key = source_key(release, events)
    i_key = input_key(release, events, posters, extra=extra)
    past = end is not None and end < today
    if past:
        summary.past_events += 1
    for name, platform in platforms.items():
        old = latest.get((url, name))
        if old is not None and (old.input_key == i_key or (
                old.source_key == s_key and old.state not in OPEN_STATES)):
            summary.unchanged += 1
            continue
        if past:  # nothing to announce any more; old open drafts expire below
            continue
        content = build_draft(release, events, posters, platform=platform,
                              hashtags=hashtags_of(settings), office=profile.office)
        transitions: list[Transition] = []
        note = None
        if old is not None:
            if old.state in SUPERSEDABLE:
                reason = ("原文已更新，已生成新稿" if old.source_key != s_key
                          else "配图或模板已更新，已生成新稿")
                transitions.append(transition(old, Action.SUPERSEDE, actor=SYSTEM, at=at, note=reason))
                summary.superseded += 1
            elif old.state == DraftState.POSTED:
                note = f"第 {old.version} 版已发布；原文随后更新，请核对是否需要更正"
                content = DraftContent(**{**_content_fields(content),
                                          "notes": (*content.notes, note)})
        new = NewDraft(
            release_url=url, platform=name, content=content, state=initial_state(content),
            created=at, created_by=SYSTEM, release_title=release.title, events_end=end,
            input_key=i_key, source_key=s_key, note=note,
        )
        draft = store.add_draft(new, transitions=transitions)
        summary.created += 1
        summary.new_draft_ids.append(draft.id)
        if content.invalid:
            summary.invalid += 1
        waiting.append((release.title, platform.label))


def _content_fields(content: DraftContent) -> dict[str, Any]:
    return {"platform": content.platform, "body": content.body, "title": content.title,
            "digest": content.digest, "images": content.images, "notes": content.notes,
            "invalid": content.invalid}


def expire_drafts(store: Store, *, today: date, at: datetime | None = None) -> int:
    """Open drafts (pending, invalid) whose events are all over become expired."""
    at = at or now()
    count = 0
    for draft in store.list_drafts(states=OPEN_STATES, events_before=today):
        if is_expired(draft, today):
            store.apply_transition(transition(draft, Action.EXPIRE, actor=SYSTEM, at=at,
                                              note=f"活动已于 {draft.events_end} 结束，未经审核"))
            count += 1
    return count


def notify_new_drafts(
    waiting: Sequence[tuple[str, str]], *, settings: Settings, profile: SiteProfile
) -> NotifyResult | None:
    """One message for the reviewers; None when no notification URL is configured."""
    urls = split_urls(settings.notify_urls.get_secret_value() if settings.notify_urls else None)
    if not urls:
        return None
    title, body = drafts_message(waiting, board_url=settings.review_url, office=profile.office)
    result = notify_reviewers(urls, title=title, body=body, timeout=settings.notify_timeout)
    if result.ok:
        logger.info("Reviewers notified: %d new drafts", len(waiting))
    return result


# ---- outputs -----------------------------------------------------------------------------------


def refresh_outputs(
    store: Store, *, out: Path, profile: SiteProfile | None = None,
    platforms: dict[str, Platform] | None = None, office: str | None = None,
) -> tuple[bool, int]:
    """Rewrite the review board and the approved exports from the store.

    Returns (board changed, approved drafts exported).
    """
    platforms = platforms or load_platforms()
    office = office or (profile.office if profile else "新闻办公室")
    # A run killed mid-write leaves .tmp- files (tasks/files.py); publish_outputs sweeps public/,
    # the board's and the exports' folders are swept here (issue 8, crash safety).
    remove_stale_temporaries(out / BOARD_FILE.parent)
    remove_stale_temporaries(out / APPROVED_DIR)
    shown = store.list_drafts(states=[*OPEN_STATES, DraftState.APPROVED])
    history = store.draft_history([d.id for d in shown])
    html = render_board(board_view(shown, history, platforms, info=BoardInfo(office=office)))
    board_changed = write_if_changed(out / BOARD_FILE, html)
    approved = [d for d in shown if d.state == DraftState.APPROVED]
    export_approved(approved, out=out, platforms=platforms)
    return board_changed, len(approved)


def export_name(draft: Draft) -> str:
    """``post_1000001-v2``: the release's page name (or a hash of its URL) and the version."""
    stem = draft.release_url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _SLUG.sub("_", stem).strip("._") or "release"
    if len(stem) > 60 or stem in {"index", "release"}:
        import hashlib

        stem = hashlib.sha256(draft.release_url.encode()).hexdigest()[:16]
    return f"{stem}-v{draft.version}"


def export_approved(drafts: Sequence[Draft], *, out: Path, platforms: dict[str, Platform]) -> list[Path]:
    """OUT/drafts/approved/<platform>/<name>/: the text ready to paste and its images.

    Folders of drafts no longer approved (posted, rejected, superseded) are removed: the folder is
    the office's to-do list, rebuilt from the store.
    """
    root = out / APPROVED_DIR
    public = out / "public"
    wanted: set[Path] = set()
    for draft in drafts:
        platform = platforms.get(draft.platform)
        if platform is None:
            continue
        folder = root / draft.platform / export_name(draft)
        wanted.add(folder)
        text = draft_text(draft.content, platform)
        images = []
        for n, image in enumerate(draft.content.images, start=1):
            source = public / image.path
            target = folder / f"{n:02d}-{image.format}{Path(image.path).suffix or '.png'}"
            if source.is_file() and ".." not in Path(image.path).parts:
                write_if_changed(target, source.read_bytes())
                images.append(target.name)
            else:
                images.append(f"{target.name}（缺失：{image.path}）")
        footer = "\n配图：" + "、".join(images) + "\n" if images else "\n配图：无\n"
        write_if_changed(folder / "draft.txt", (text + footer).encode("utf-8"))
        if platform.body_is_html:
            write_if_changed(folder / "body.html", draft.content.body.encode("utf-8"))
    if root.is_dir():
        for platform_dir in root.iterdir():
            if not platform_dir.is_dir():
                continue
            for folder in platform_dir.iterdir():
                if folder.is_dir() and folder not in wanted:
                    shutil.rmtree(folder)
    return sorted(wanted)


# ---- review actions (CLI and review flow) ------------------------------------------------------


def _get(store: Store, draft_id: int) -> Draft:
    draft = store.get_draft(draft_id)
    if draft is None:
        raise ReviewError(f"草稿 #{draft_id} 不存在（publicity drafts list 可列出草稿）")
    return draft


def decide(
    store: Store, draft_id: int, action: Action, *, by: str, note: str | None = None,
    out: Path | None = None, at: datetime | None = None, office: str | None = None,
) -> Draft:
    """Approve, reject or mark posted; rebuilds the board and exports when ``out`` is given."""
    if action not in (Action.APPROVE, Action.REJECT, Action.POST):
        raise ReviewError(f"Not a decision: {action.value}")
    draft = _get(store, draft_id)
    changed = store.apply_transition(transition(draft, action, actor=by, at=at or now(), note=note))
    logger.info("Draft #%d %s by %s", draft_id, action.value, by)
    if out is not None:
        refresh_outputs(store, out=out, office=office)
    return changed


def approve(store: Store, draft_id: int, *, by: str, note: str | None = None,
            out: Path | None = None, at: datetime | None = None,
            office: str | None = None) -> Draft:
    return decide(store, draft_id, Action.APPROVE, by=by, note=note, out=out, at=at, office=office)


def reject(store: Store, draft_id: int, *, by: str, note: str | None,
           out: Path | None = None, at: datetime | None = None,
           office: str | None = None) -> Draft:
    return decide(store, draft_id, Action.REJECT, by=by, note=note, out=out, at=at, office=office)


def mark_posted(store: Store, draft_id: int, *, by: str, note: str | None = None,
                out: Path | None = None, at: datetime | None = None,
                office: str | None = None) -> Draft:
    return decide(store, draft_id, Action.POST, by=by, note=note, out=out, at=at, office=office)


def edit(
    store: Store, draft_id: int, *, by: str, text: str, note: str | None = None,
    out: Path | None = None, at: datetime | None = None, office: str | None = None,
) -> Draft:
    """A reviewer's text becomes the next version (pending); the old one is marked edited.

    ``text`` is in the form ``publicity drafts show`` prints (标题：…/正文：…), or just the body.
    Raises ``DraftError`` when the text breaks a limit (nothing is stored).
    """
    draft = _get(store, draft_id)
    platforms = load_platforms()
    platform = platforms.get(draft.platform)
    if platform is None:
        raise ReviewError(f"草稿 #{draft_id} 的平台 {draft.platform!r} 已不在平台表中")
    content = parse_draft_text(text, platform, base=draft.content)
    old, new = plan_edit(draft, content, actor=by, at=at or now(), note=note)
    stored = store.add_draft(new, transitions=[old])
    logger.info("Draft #%d edited by %s: new version #%d", draft_id, by, stored.id)
    if out is not None:
        refresh_outputs(store, out=out, platforms=platforms, office=office)
    return stored
