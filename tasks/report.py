"""Human-readable reports of a run: the markdown summary artifact and `publicity status` text."""

from __future__ import annotations

from tasks.crawl import PollSummary

MAX_FAILURE_ROWS = 50


def _cell(text: str | None) -> str:
    """Markdown table cells must not break the table: escape pipes, flatten lines."""
    # Page text must not become markup: a title like "](javascript:…)" would make a link.
    escaped = (text or "").replace("\\", "\\\\")
    for char in "|[]()<>*_`":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("\n", " ").strip()


def poll_summary_markdown(
    summary: PollSummary, *, title: str = "Poll summary", drafts_waiting: int | None = None
) -> str:
    lines = [
        f"# {title}",
        "",
        f"Source: {_cell(summary.source)}",
        "",
        "| new | updated | unchanged | failed | events found | posters rendered "
        "| list pages (200 / 304) | off-site skipped |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {summary.new} | {summary.updated} | {summary.unchanged} | {len(summary.failed)} "
        f"| {summary.events_found} | {summary.posters_rendered} "
        f"| {summary.list_pages_fetched} / {summary.list_pages_not_modified} "
        f"| {summary.skipped_off_site} |",
        "",
    ]
    changed = [o for o in summary.outcomes if o.status in ("new", "updated")]
    if changed:
        lines += ["## New and updated", "", "| status | release | events |", "|---|---|---:|"]
        lines += [
            f"| {o.status} | [{_cell(o.title) or o.url}]({o.url}) | {o.events} |" for o in changed
        ]
        lines.append("")
    if summary.failed:
        lines += ["## Failed", "", "| release | reason |", "|---|---|"]
        for o in summary.failed[:MAX_FAILURE_ROWS]:
            lines.append(f"| [{_cell(o.title) or o.url}]({o.url}) | {_cell(o.reason)} |")
        if len(summary.failed) > MAX_FAILURE_ROWS:
            lines.append(f"| … | {len(summary.failed) - MAX_FAILURE_ROWS} more |")
        lines.append("")
    if summary.poster_failures:
        lines += ["## Posters that could not be drawn", "", "| release | reason |", "|---|---|"]
        lines += [f"| {u} | {_cell(r)} |" for u, r in summary.poster_failures[:MAX_FAILURE_ROWS]]
        lines.append("")
    if summary.column_errors:
        lines += ["## Columns that could not be read", ""]
        lines += [f"- {_cell(e)}" for e in summary.column_errors]
        lines.append("")
    lines.append(f"Files written: {', '.join(summary.feeds_written) or 'none (nothing changed)'}")
    if drafts_waiting is not None:
        lines += ["", f"Drafts created: {summary.drafts_created}; waiting for review: {drafts_waiting}"]
    return "\n".join(lines) + "\n"
