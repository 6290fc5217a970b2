"""The review of drafts: states, the transitions between them, and the record of every change.

Pure functions over typed records; the store applies what they decide (tasks/store.py, drafts
section) and the CLI, the review flow and the drafting glue (flows/drafting.py) call them.

States::

    pending ──approve──► approved ──posted──► posted
       │  ╲                 │  ▲
       │   reject           │  └──approve── rejected (with a note)
       │     ╲              reject
       │      ► rejected ◄──┘
       ├──edit──► edited   (the reviewer's text becomes a new version, pending)
       ├──expire──► expired   (the events passed before approval)
       └──supersede──► superseded   (the release was edited at the source: new pending drafts)
    invalid (did not fit the platform's limits) ──edit / reject / expire / supersede──►

Every change is a ``HistoryEntry``: who, when, the action, from and to, the note and, for an
edit, a summary of what changed. Nothing is deleted: an edited draft stays as its old version.
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass
from datetime import date, datetime

from tasks.drafts import DraftContent
from tasks.errors import ReviewError

SYSTEM = "system"  # the actor of automatic changes (drafting, expiry, supersession)


class DraftState(str, enum.Enum):
    PENDING = "pending"
    INVALID = "invalid"  # drafted, but it could not fit a limit: needs an edit (or a reject)
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"  # replaced by a reviewer's new version
    EXPIRED = "expired"
    POSTED = "posted"
    SUPERSEDED = "superseded"


class Action(str, enum.Enum):
    CREATE = "create"
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"
    POST = "post"
    EXPIRE = "expire"
    SUPERSEDE = "supersede"


S = DraftState
# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[DraftState], DraftState]] = {
    Action.APPROVE: (frozenset({S.PENDING, S.REJECTED}), S.APPROVED),
    Action.REJECT: (frozenset({S.PENDING, S.INVALID, S.APPROVED}), S.REJECTED),
    Action.EDIT: (frozenset({S.PENDING, S.INVALID, S.APPROVED, S.REJECTED}), S.EDITED),
    Action.POST: (frozenset({S.APPROVED}), S.POSTED),
    Action.EXPIRE: (frozenset({S.PENDING, S.INVALID}), S.EXPIRED),
    Action.SUPERSEDE: (frozenset({S.PENDING, S.INVALID, S.APPROVED, S.REJECTED}), S.SUPERSEDED),
}
REVIEWER_ACTIONS = frozenset({Action.APPROVE, Action.REJECT, Action.EDIT, Action.POST})
OPEN_STATES = frozenset({S.PENDING, S.INVALID})  # waiting for a reviewer
FINAL_STATES = frozenset({S.EDITED, S.EXPIRED, S.POSTED, S.SUPERSEDED})
STATE_LABELS = {
    S.PENDING: "待审核",
    S.INVALID: "超出上限（需修改）",
    S.APPROVED: "已通过",
    S.REJECTED: "已退回",
    S.EDITED: "已修改（有新版本）",
    S.EXPIRED: "已过期",
    S.POSTED: "已发布",
    S.SUPERSEDED: "已被新稿取代",
}
ACTION_LABELS = {
    Action.CREATE: "生成",
    Action.APPROVE: "通过",
    Action.REJECT: "退回",
    Action.EDIT: "修改",
    Action.POST: "标记已发布",
    Action.EXPIRE: "过期",
    Action.SUPERSEDE: "被取代",
}


@dataclass(frozen=True, slots=True)
class Draft:
    """One version of one platform's draft of one release, as stored."""

    id: int
    release_url: str
    platform: str
    version: int
    state: DraftState
    content: DraftContent
    created: datetime
    created_by: str  # "system" or the reviewer who wrote this version
    release_title: str
    events_end: date | None  # the last day of the release's events: after it, the draft expires
    input_key: str = ""
    source_key: str = ""
    parent_id: int | None = None  # the version this one was edited from
    updated: datetime | None = None  # the last change of state


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    draft_id: int | None  # None for a draft not stored yet (its creation)
    at: datetime
    actor: str
    action: Action
    from_state: DraftState | None
    to_state: DraftState
    note: str | None = None
    changes: str | None = None  # for an edit: what changed, in words


@dataclass(frozen=True, slots=True)
class Transition:
    """A state change for the store to apply, only if the draft is still in ``expected``."""

    draft_id: int
    expected: DraftState
    entry: HistoryEntry


@dataclass(frozen=True, slots=True)
class NewDraft:
    """A version to store: a fresh draft, a re-draft after an edit at the source, or an edit."""

    release_url: str
    platform: str
    content: DraftContent
    state: DraftState
    created: datetime
    created_by: str
    release_title: str
    events_end: date | None
    input_key: str = ""
    source_key: str = ""
    parent_id: int | None = None
    note: str | None = None
    changes: str | None = None


def initial_state(content: DraftContent) -> DraftState:
    return DraftState.INVALID if content.invalid else DraftState.PENDING


def allowed_actions(state: DraftState) -> list[Action]:
    return [a for a, (sources, _to) in TRANSITIONS.items() if state in sources]


def transition(
    draft: Draft,
    action: Action,
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    changes: str | None = None,
) -> Transition:
    """The state change ``action`` makes to ``draft``; raises ``ReviewError`` when not allowed."""
    if action == Action.CREATE:
        raise ReviewError("A draft is created by storing a NewDraft, not by a transition")
    sources, target = TRANSITIONS[action]
    actor = (actor or "").strip()
    note = (note or "").strip() or None
    if action in REVIEWER_ACTIONS and (not actor or actor == SYSTEM):
        raise ReviewError(f"{ACTION_LABELS[action]}需要审核人姓名（--by NAME）")
    if action == Action.REJECT and not note:
        raise ReviewError("退回需要说明理由（--note …）")
    if draft.state not in sources:
        allowed = "、".join(ACTION_LABELS[a] for a in allowed_actions(draft.state)) or "无"
        raise ReviewError(
            f"草稿 #{draft.id} 当前状态为“{STATE_LABELS[draft.state]}”，不能{ACTION_LABELS[action]}"
            f"（此状态可：{allowed}）"
        )
    if action == Action.APPROVE and draft.content.invalid:
        raise ReviewError(f"草稿 #{draft.id} 超出平台上限，不能直接通过：{draft.content.invalid}；"
                          "请先修改")
    entry = HistoryEntry(draft_id=draft.id, at=at, actor=actor, action=action,
                         from_state=draft.state, to_state=target, note=note, changes=changes)
    return Transition(draft_id=draft.id, expected=draft.state, entry=entry)


def edit(
    draft: Draft, content: DraftContent, *, actor: str, at: datetime, note: str | None = None
) -> tuple[Transition, NewDraft]:
    """A reviewer's new version: the old one becomes ``edited``, the new one is pending."""
    changes = diff_summary(draft.content, content)
    if changes is None:
        raise ReviewError(f"草稿 #{draft.id} 的修改稿与原稿相同，没有可保存的修改")
    old = transition(draft, Action.EDIT, actor=actor, at=at, note=note, changes=changes)
    new = NewDraft(
        release_url=draft.release_url,
        platform=draft.platform,
        content=content,
        state=initial_state(content),
        created=at,
        created_by=old.entry.actor,
        release_title=draft.release_title,
        events_end=draft.events_end,
        input_key=draft.input_key,
        source_key=draft.source_key,
        parent_id=draft.id,
        note=old.entry.note,
        changes=changes,
    )
    return old, new


def is_expired(draft: Draft, today: date) -> bool:
    """Whether the release's last event is over (its last day is before ``today``)."""
    return draft.events_end is not None and draft.events_end < today


FIELD_NAMES = {"title": "标题", "digest": "摘要", "body": "正文"}


def diff_summary(old: DraftContent, new: DraftContent) -> str | None:
    """What changed between two versions, in words; None when nothing did.

    >>> diff_summary(DraftContent("weibo", body="甲乙丙"), DraftContent("weibo", body="甲乙丁戊"))
    '正文：+2 −1 字（3 → 4 字）'
    """
    parts: list[str] = []
    for name, label in FIELD_NAMES.items():
        before = getattr(old, name) or ""
        after = getattr(new, name) or ""
        if before == after:
            continue
        added = removed = 0
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after,
                                                          autojunk=False).get_opcodes():
            if op in ("replace", "delete"):
                removed += i2 - i1
            if op in ("replace", "insert"):
                added += j2 - j1
        parts.append(f"{label}：+{added} −{removed} 字（{len(before)} → {len(after)} 字）")
    return "；".join(parts) or None


def unified_diff(old: DraftContent, new: DraftContent) -> str:
    """A line diff of the text fields, for ``publicity drafts show`` and the review board."""
    def lines(c: DraftContent) -> list[str]:
        out = []
        for name, label in FIELD_NAMES.items():
            value = getattr(c, name)
            if value is not None:
                out += [f"[{label}]", *value.splitlines()]
        return out

    return "\n".join(difflib.unified_diff(lines(old), lines(new), "旧版", "新版", lineterm=""))
