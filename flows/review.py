"""The ``review`` flow: the news office decides on each waiting draft in the Prefect UI.

For each open draft (pending, or invalid: over a limit) the flow publishes a markdown artifact (its
text, character counts against the limits, its posters) and pauses for a typed decision
(``ReviewDecision``: approve / reject / edit / skip, the reviewer's name, a note, the edited text).
The UI shows the form; a script can answer the same way through the API
(``prefect.flow_runs.resume_flow_run(run_id, run_input={...})``). An edit stores a new version and
the flow then asks about that version. Decisions go through the same state machine and store
methods as the command line (flows/drafting.py), so both can be used at once: a draft decided on
the command line while the flow waits is skipped, nothing is overwritten.

Waiting: ``pause_flow_run`` keeps the run's process alive while it waits. Prefect's default pause
timeout (3,600 s) is too short for an office, so ``timeout_seconds`` (default: the
``PUBLICITY_REVIEW_TIMEOUT`` setting, 7 days) is one deadline for the whole run. Prefect accepts any
non-negative whole number of seconds (the deadline is stored as a timestamp; there is no other
cap); the setting caps it at 366 days. When it passes, the drafts not yet decided simply stay
pending, and the run ends Completed with a note: Prefect's server would otherwise refuse any state
after an expired pause and mark the run Failed, so the flow sets its own state back to Running
first (``_recover_from_timeout``).

Why pause and not ``suspend_flow_run``: suspending frees the process, but it needs a deployment
and a worker to re-run the flow from the top after each decision (a new process each time), and
nothing enforces its timeout while suspended (a forgotten run stays Suspended until someone
resumes it, then fails). A paused run works the same from ``publicity review``, a deployment or a
test, and ends on its own. The loop is written so that suspending would be a small change: it
reads the open drafts from the store each time and uses a deterministic pause key per draft
version.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urljoin

from flows.runtime import configure_prefect_offline, out_dir

configure_prefect_offline()

from prefect import flow, get_run_logger  # noqa: E402 - offline settings come first
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.exceptions import FlowPauseTimeout  # noqa: E402
from prefect.flow_runs import pause_flow_run  # noqa: E402
from prefect.input import RunInput  # noqa: E402
from pydantic import ConfigDict, Field, ValidationError, model_validator  # noqa: E402

from flows import drafting  # noqa: E402
from tasks.drafts import Platform, draft_text, field_counts, load_platforms  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.review import OPEN_STATES, STATE_LABELS, Draft  # noqa: E402
from tasks.settings import Settings, load_profile, load_settings  # noqa: E402
from tasks.store import Store, open_store  # noqa: E402

DEFAULT_POLL_INTERVAL = 10  # seconds between two checks of the paused run (Prefect's default)
MAX_ASKS_PER_DRAFT = 5  # a draft whose answers keep failing (e.g. edits over a limit) is left pending


_NOT_BLANK = r"\S"
# The server checks an answer against the JSON schema before it resumes the run (and the UI shows
# its message), so the rules that involve two fields are written into the schema too: a model
# validator alone would only fail inside the flow, after the run had resumed.
_CROSS_FIELD_RULES = [
    {"if": {"properties": {"decision": {"const": "reject"}}, "required": ["decision"]},
     "then": {"properties": {"note": {"type": "string", "pattern": _NOT_BLANK}}, "required": ["note"]}},
    {"if": {"properties": {"decision": {"const": "edit"}}, "required": ["decision"]},
     "then": {"properties": {"edited_text": {"type": "string", "pattern": _NOT_BLANK}},
              "required": ["edited_text"]}},
]


class ReviewDecision(RunInput):
    """What a reviewer answers for one draft (the form the Prefect UI shows)."""

    model_config = ConfigDict(**{**RunInput.model_config, "json_schema_extra": {"allOf": _CROSS_FIELD_RULES}})

    decision: Literal["approve", "reject", "edit", "skip"] = Field(
        description="approve 通过 / reject 退回（需填写理由）/ edit 修改（填写修改后的全文）/ skip 暂不处理"
    )
    reviewer: str = Field(min_length=1, max_length=64, pattern=_NOT_BLANK, description="审核人姓名")
    note: str = Field("", max_length=2000, description="说明（退回时必填）")
    edited_text: str = Field(
        "", max_length=60000,
        description="修改后的全文（decision=edit 时使用；格式同草稿：标题：… / 正文：…）",
    )

    @model_validator(mode="after")
    def _check(self) -> ReviewDecision:
        if not self.reviewer.strip():
            raise ValueError("reviewer: 请填写审核人姓名")
        if self.decision == "reject" and not self.note.strip():
            raise ValueError("note: 退回需要说明理由")
        if self.decision == "edit" and not self.edited_text.strip():
            raise ValueError("edited_text: 修改需要填写修改后的全文")
        return self


def _md_escape(text: str) -> str:
    """Inline text for markdown: HTML and markdown syntax neutralised (portal text is untrusted)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+!|~])", r"\\\1", " ".join(text.split()))


def _fence(text: str) -> str:
    """A fenced code block that the text cannot close (a fence longer than any backtick run)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def draft_markdown(draft: Draft, platform: Platform | None, *, public_base_url: str,
                   problem: str | None = None) -> str:
    """The artifact a reviewer reads: the text, the counts against the limits, the posters."""
    label = platform.label if platform else draft.platform
    lines = [
        f"# 草稿 #{draft.id} · {_md_escape(label)} · 第 {draft.version} 版",
        "",
        f"**状态**：{STATE_LABELS[draft.state]}  ",
        f"**原文**：{_md_escape(draft.release_title)}  ",
        f"**链接**：`{draft.release_url.replace('`', '')}`  ",
    ]
    if draft.events_end:
        lines.append(f"**活动截至**：{draft.events_end}（之后未审核的草稿自动过期）")
    if problem:
        lines += ["", f"> ⚠️ 上一次的处理没有生效：{_md_escape(problem)}"]
    if draft.content.invalid:
        lines += ["", f"> ⚠️ {_md_escape(draft.content.invalid)}：请选择 edit 修改，或 reject"]
    text = draft_text(draft.content, platform) if platform else draft.content.body
    lines += ["", "## 文本", "", _fence(text), ""]
    if platform is not None:
        lines += ["## 字数", "", "| 项目 | 字数 | 上限 |", "|---|---:|---:|"]
        for c in field_counts(draft.content, platform):
            over = " ⚠️" if c.over else ""
            lines.append(f"| {c.field} | {c.count}{over} | {c.max if c.max is not None else '—'} |")
        lines.append(f"| 图片 | {len(draft.content.images)} | {platform.max_images} |")
        lines.append("")
    if draft.content.notes:
        lines += ["## 说明", ""] + [f"- {_md_escape(n)}" for n in draft.content.notes] + [""]
    lines += ["## 海报", ""]
    if draft.content.images:
        for image in draft.content.images:
            url = urljoin(public_base_url, quote(image.path))
            lines.append(f"![{image.format} {image.width}×{image.height}]({url})")
    else:
        lines.append("暂无海报。")
    lines += ["", "在“Resume”表单中选择 decision（approve / reject / edit / skip），填写审核人姓名。"]
    return "\n".join(lines)


def _artifact_key(draft: Draft) -> str:
    return f"draft-{draft.id}"  # keys: lowercase letters, digits and dashes


def _recover_from_timeout() -> None:
    """After an expired pause the server refuses every state but Failed; set Running again so the
    run can end Completed (drafts stay pending, which is the expected outcome of a timeout)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Running

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(context.flow_run.id, Running(message="review timed out"),
                                  force=True)


def _apply(store: Store, draft: Draft, answer: ReviewDecision, *, out: Path,
           office: str) -> tuple[str, Draft | None]:
    """Apply one answer; returns what happened and the new version for an edit."""
    by = answer.reviewer.strip()
    note = answer.note.strip() or None
    if answer.decision == "approve":
        drafting.approve(store, draft.id, by=by, note=note, out=out, office=office)
        return "approved", None
    if answer.decision == "reject":
        drafting.reject(store, draft.id, by=by, note=note, out=out, office=office)
        return "rejected", None
    if answer.decision == "edit":
        new = drafting.edit(store, draft.id, by=by, text=answer.edited_text, note=note, out=out,
                            office=office)
        return "edited", new
    return "skipped", None


def run_review(
    *, settings: Settings, store: Store, out: Path, office: str, timeout_seconds: int,
    platforms: list[str] | None, limit: int, poll_interval: int, logger: Any,
) -> dict[str, Any]:
    table = load_platforms()
    seen: set[int] = set()

    def fresh_drafts() -> list[int]:
        """Open drafts not asked about yet (drafts that arrive while the run waits are included)."""
        ids = [d.id for d in store.list_drafts(states=OPEN_STATES)
               if (platforms is None or d.platform in platforms) and d.id not in seen]
        ids = ids[: max(0, limit - len(seen))]
        seen.update(ids)
        return ids

    queue: list[int] = fresh_drafts()
    counts = {"approved": 0, "rejected": 0, "edited": 0, "skipped": 0, "decided_elsewhere": 0,
              "failed_answers": 0}
    asked: dict[int, int] = {}
    problems: dict[int, str] = {}
    deadline = time.monotonic() + timeout_seconds
    timed_out = False
    logger.info("%d drafts wait for review; deadline in %d s", len(queue), timeout_seconds)
    while queue or (queue := fresh_drafts()):
        draft_id = queue.pop(0)
        draft = store.get_draft(draft_id)
        if draft is None or draft.state not in OPEN_STATES:
            counts["decided_elsewhere"] += 1
            continue
        remaining = int(deadline - time.monotonic())
        if remaining <= 0:
            timed_out = True
            break
        asked[draft_id] = asked.get(draft_id, 0) + 1
        platform = table.get(draft.platform)
        markdown = draft_markdown(draft, platform, public_base_url=settings.public_base_url,
                                  problem=problems.pop(draft_id, None))
        create_markdown_artifact(key=_artifact_key(draft), markdown=markdown,
                                 description=f"草稿 #{draft.id}（{draft.platform}）待审核")
        text = draft_text(draft.content, platform) if platform else draft.content.body
        # Only the text is pre-filled: with_initial_data re-declares the fields it fills without
        # their constraints (prefect 3.9.1), and the reviewer must choose and sign anyway.
        form = ReviewDecision.with_initial_data(description=markdown, edited_text=text)
        try:
            answer = pause_flow_run(
                wait_for_input=form, timeout=remaining, poll_interval=poll_interval,
                key=f"draft-{draft.id}-ask-{asked[draft_id]}",
            )
        except FlowPauseTimeout:
            timed_out = True
            _recover_from_timeout()
            break
        except ValidationError as exc:  # an answer the schema let through but the model refuses
            counts["failed_answers"] += 1
            problems[draft_id] = str(exc)
            if asked[draft_id] < MAX_ASKS_PER_DRAFT:
                queue.insert(0, draft_id)
            continue
        try:
            outcome, new = _apply(store, draft, answer, out=out, office=office)
        except PublicityError as exc:  # not allowed, over a limit, or decided meanwhile
            counts["failed_answers"] += 1
            logger.warning("Draft #%d: %s", draft.id, exc)
            if asked[draft_id] < MAX_ASKS_PER_DRAFT:
                problems[draft_id] = str(exc)
                queue.insert(0, draft_id)
            continue
        counts[outcome] += 1
        logger.info("Draft #%d %s by %s", draft.id, outcome, answer.reviewer)
        if new is not None:
            seen.add(new.id)
            queue.insert(0, new.id)  # ask about the reviewer's version next
    still_open = len(store.list_drafts(states=OPEN_STATES))
    drafting.refresh_outputs(store, out=out, platforms=table, office=office)
    if timed_out:
        logger.warning("Review timed out after %d s: %d drafts stay pending", timeout_seconds,
                       still_open)
    return {**counts, "timed_out": timed_out, "open_after": still_open}


@flow(name="review", log_prints=True)
def review(
    out: str | None = None,
    timeout_seconds: int | None = None,
    platforms: list[str] | None = None,
    limit: int = 50,
    poll_interval: int = DEFAULT_POLL_INTERVAL,
) -> dict[str, Any]:
    """Ask the news office about each waiting draft, one at a time.

    Args:
        out: output folder (default: the PUBLICITY_OUT setting).
        timeout_seconds: how long the whole review may wait for answers (default: the
            PUBLICITY_REVIEW_TIMEOUT setting, 7 days); then undecided drafts stay pending.
        platforms: only drafts for these platforms (weibo, wechat, douyin, xiaohongshu, plain).
        limit: at most this many drafts in one run.
        poll_interval: seconds between checks for an answer.
    """
    logger = get_run_logger()
    settings = load_settings(out=out)
    out_path = out_dir(settings, out)
    store = open_store(settings.resolved_database_url())
    try:
        office = load_profile(settings.site).office
    except PublicityError:
        office = "新闻办公室"
    timeout = int(timeout_seconds if timeout_seconds is not None else settings.review_timeout)
    if timeout < 1:
        raise ValueError(f"timeout_seconds must be at least 1, got {timeout}")
    summary = run_review(
        settings=settings, store=store, out=out_path, office=office, timeout_seconds=timeout,
        platforms=platforms, limit=limit, poll_interval=poll_interval, logger=logger,
    )
    create_markdown_artifact(
        key="review-summary",
        markdown="\n".join([
            "# 审核结果", "",
            f"- 通过 {summary['approved']}，退回 {summary['rejected']}，修改 {summary['edited']}，"
            f"暂不处理 {summary['skipped']}，已在别处处理 {summary['decided_elsewhere']}",
            f"- 未生效的回答 {summary['failed_answers']}",
            f"- 仍待审核 {summary['open_after']}"
            + ("（等待超时，草稿保持待审核）" if summary["timed_out"] else ""),
        ]),
        description="What this review run decided.",
    )
    return summary
