"""``publicity drafts …``: list, read and decide drafts from the command line. No Prefect import.

Mounted by flows/cli.py with ``app.add_typer(drafts_app, name="drafts")``::

    publicity drafts list [--status pending]
    publicity drafts show 12
    publicity drafts approve 12 --by 张三 [--note …]
    publicity drafts reject 12 --by 张三 --note "时间有误"
    publicity drafts show 12 --text > edit.txt                 # just the text, to edit
    publicity drafts edit 12 --by 张三 --text-file edit.txt
    publicity drafts posted 12 --by 张三

Each decision is stored with who and when (tasks/review.py), then the review board
(OUT/review/index.html) and the approved exports (OUT/drafts/approved/) are rebuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from tasks.errors import PublicityError

drafts_app = typer.Typer(
    name="drafts",
    help="社交媒体草稿：列出、查看、通过、退回、修改、标记已发布（系统从不自动发布）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

OutOption = Annotated[
    Optional[Path], typer.Option("--out", help="Output folder (default: $PUBLICITY_OUT or 'out').")
]
ByOption = Annotated[str, typer.Option("--by", help="The reviewer's name (recorded with the decision).")]
IdArgument = Annotated[int, typer.Argument(help="Draft id, as `publicity drafts list` shows it.")]


def _fail(message: str, *, code: int = 1) -> NoReturn:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _open(out: Path | None):  # noqa: ANN202 - (Settings, Store, SiteProfile | None)
    from tasks.settings import load_profile, load_settings
    from tasks.store import open_store

    try:
        settings = load_settings(out=out)
        store = open_store(settings.resolved_database_url())
    except PublicityError as exc:
        _fail(str(exc))
    try:
        office = load_profile(settings.site).office
    except PublicityError:
        office = None
    return settings, store, office


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@drafts_app.command("list")
def list_drafts(
    status: Annotated[
        Optional[str],
        typer.Option(help="Only drafts in this state: pending, invalid, approved, rejected, "
                          "edited, expired, posted, superseded."),
    ] = None,
    platform: Annotated[Optional[str], typer.Option(help="Only this platform (weibo, wechat, …).")] = None,
    out: OutOption = None,
) -> None:
    """List drafts: id, state, platform, version, release."""
    from tasks.review import STATE_LABELS, DraftState

    states = None
    if status is not None:
        try:
            states = [DraftState(status.strip().lower())]
        except ValueError:
            _fail(f"Unknown status {status!r}. Allowed: {', '.join(s.value for s in DraftState)}",
                  code=2)
    _settings, store, _office = _open(out)
    drafts = store.list_drafts(states=states, platform=platform)
    if not drafts:
        typer.echo("No drafts." if status is None else f"No {status} drafts.")
        return
    for d in drafts:
        flag = " !" if d.content.invalid else ""
        typer.echo(f"#{d.id:<5} {d.state.value:<10} {d.platform:<11} v{d.version:<3} "
                   f"{_short(d.release_title, 40)}{flag}")
    counts: dict[str, int] = {}
    for d in drafts:
        counts[STATE_LABELS[d.state]] = counts.get(STATE_LABELS[d.state], 0) + 1
    typer.echo(f"{len(drafts)} drafts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@drafts_app.command("show")
def show(
    draft_id: IdArgument,
    text_only: Annotated[
        bool, typer.Option("--text", help="Print only the text, ready to edit: show 12 --text > f.txt")
    ] = False,
    out: OutOption = None,
) -> None:
    """One draft: its text (in the form `edit` accepts), counts against the limits, history."""
    from tasks.drafts import FIELD_LABELS, draft_text, field_counts, load_platforms
    from tasks.review import ACTION_LABELS, STATE_LABELS, unified_diff

    _settings, store, _office = _open(out)
    draft = store.get_draft(draft_id)
    if draft is None:
        _fail(f"No draft #{draft_id} (publicity drafts list shows them)")
    platform = load_platforms().get(draft.platform)
    if text_only:
        typer.echo(draft_text(draft.content, platform) if platform else draft.content.body, nl=False)
        return
    label = platform.label if platform else draft.platform
    typer.echo(f"# 草稿 #{draft.id} · {label} · 第 {draft.version} 版 · {STATE_LABELS[draft.state]}")
    typer.echo(f"# 原文：{draft.release_title} {draft.release_url}")
    if draft.events_end:
        typer.echo(f"# 活动截至：{draft.events_end}")
    if draft.content.invalid:
        typer.secho(f"# 无效：{draft.content.invalid}", fg=typer.colors.RED)
    typer.echo("")
    if platform is not None:
        typer.echo(draft_text(draft.content, platform), nl=False)
        typer.echo("")
        for c in field_counts(draft.content, platform):
            limit = f"/{c.max}" if c.max is not None else ""
            typer.echo(f"# {FIELD_LABELS[c.field]}：{c.count}{limit} {c.unit}"
                       f"{'  超出上限' if c.over else ''}")
    else:
        typer.echo(draft.content.body)
    for note in draft.content.notes:
        typer.echo(f"# 说明：{note}")
    for image in draft.content.images:
        typer.echo(f"# 配图：{image.path}（{image.format} {image.width}×{image.height}）")
    if not draft.content.images:
        typer.echo("# 配图：无")
    typer.echo("# 记录：")
    for entry in store.draft_history([draft.id]).get(draft.id, []):
        arrow = f"{entry.from_state.value} → " if entry.from_state else ""
        extra = "；".join(x for x in (entry.note, entry.changes) if x)
        typer.echo(f"#   {entry.at:%Y-%m-%d %H:%M} {entry.actor} {ACTION_LABELS[entry.action]} "
                   f"{arrow}{entry.to_state.value}{'：' + extra if extra else ''}")
    if draft.parent_id is not None:
        parent = store.get_draft(draft.parent_id)
        if parent is not None:
            typer.echo(f"# 与上一版（#{parent.id}）的差异：")
            for line in unified_diff(parent.content, draft.content).splitlines():
                typer.echo(f"#   {line}")


def _decide(action_name: str, draft_id: int, *, by: str, note: str | None, out: Path | None) -> None:
    from flows import drafting
    from tasks.review import STATE_LABELS

    settings, store, office = _open(out)
    act = {"approve": drafting.approve, "reject": drafting.reject, "posted": drafting.mark_posted}
    try:
        draft = act[action_name](store, draft_id, by=by, note=note, out=settings.out, office=office)
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"草稿 #{draft.id}：{STATE_LABELS[draft.state]}（{by}）")


@drafts_app.command("approve")
def approve(
    draft_id: IdArgument,
    by: ByOption,
    note: Annotated[Optional[str], typer.Option(help="A note kept with the decision.")] = None,
    out: OutOption = None,
) -> None:
    """Approve a draft: it is exported to OUT/drafts/approved/<platform>/ ready to paste."""
    _decide("approve", draft_id, by=by, note=note, out=out)


@drafts_app.command("reject")
def reject(
    draft_id: IdArgument,
    by: ByOption,
    note: Annotated[str, typer.Option(help="Why (required).")],
    out: OutOption = None,
) -> None:
    """Reject a draft, with the reason."""
    _decide("reject", draft_id, by=by, note=note, out=out)


@drafts_app.command("posted")
def posted(
    draft_id: IdArgument,
    by: ByOption,
    note: Annotated[Optional[str], typer.Option(help="E.g. where or when it was posted.")] = None,
    out: OutOption = None,
) -> None:
    """Mark an approved draft as posted (the software never posts anything itself)."""
    _decide("posted", draft_id, by=by, note=note, out=out)


@drafts_app.command("edit")
def edit(
    draft_id: IdArgument,
    by: ByOption,
    text_file: Annotated[
        Path, typer.Option("--text-file", help="The new text: as `show` prints it, or just the body.")
    ],
    note: Annotated[Optional[str], typer.Option(help="A note kept with the edit.")] = None,
    out: OutOption = None,
) -> None:
    """Replace a draft's text: a new version (pending) is stored, the old one kept as edited."""
    from flows import drafting

    try:
        text = text_file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"Cannot read {text_file}: {exc}", code=2)
    settings, store, office = _open(out)
    try:
        draft = drafting.edit(store, draft_id, by=by, text=text, note=note, out=settings.out,
                              office=office)
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"草稿 #{draft_id} 已修改：新版本 #{draft.id}（第 {draft.version} 版，待审核）")
