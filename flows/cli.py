"""The ``publicity`` command line.

Commands that run a flow (run, demo) import Prefect only when called: its import and temporary
server cost seconds (../shared/FACTS.md), which the other commands (extract, serve, status …) must
not pay. Every command that reads or writes outputs takes ``--out`` (default: PUBLICITY_OUT, "out").

    publicity demo                      # the sample site on 127.0.0.1 -> out/
    publicity run --source URL --out DIR --max-pages 3
    publicity status
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from tasks.errors import ExtractError, PublicityError
from tasks.models import SHANGHAI

app = typer.Typer(
    name="publicity",
    help="东莞市人民政府新闻办 publicity pipeline: portal releases → events → posters, feeds, drafts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

OutOption = Annotated[
    Optional[Path],
    typer.Option("--out", help="Output folder (default: $PUBLICITY_OUT or 'out')."),
]


def _fail(message: str, *, code: int = 1) -> NoReturn:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def _settings(out: Path | None):  # noqa: ANN202 - Settings, imported lazily with pydantic
    from tasks.settings import load_settings

    try:
        return load_settings(out=out)
    except PublicityError as exc:
        _fail(str(exc))


def _run_flow(module: str, name: str, **params: object) -> dict:
    """Run one of flows/<module>.py's flows in this process (Prefect imported only now)."""
    import importlib

    from flows.runtime import configure_prefect_offline

    configure_prefect_offline()
    flow = getattr(importlib.import_module(f"flows.{module}"), name)
    state = flow(**params, return_state=True)
    if state.is_failed():
        try:
            state.result()
        except PublicityError as exc:
            _fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - Prefect wraps crashes; show the cause
            _fail(f"the {name} flow failed: {exc}")
    return state.result()


def _print_summary(summary: dict, out: Path) -> None:
    typer.echo(
        f"new {summary['new']}, updated {summary['updated']}, unchanged {summary['unchanged']}, "
        f"failed {len(summary['failed'])}, events {summary['events_found']}"
    )
    for failure in summary["failed"]:
        typer.echo(f"  failed: {failure['url']}: {failure['reason']}")
    typer.echo(f"posters rendered {summary.get('posters_rendered', 0)}")
    for failure in summary.get("poster_failures", []):
        typer.echo(f"  poster failed: {failure['url']}: {failure['reason']}")
    typer.echo(f"outputs in {out}/public (changed: {', '.join(summary['feeds_written']) or 'none'})")


@app.command()
def run(
    source: Annotated[
        Optional[str],
        typer.Option(help="A list page URL to poll (default: the site profile's columns)."),
    ] = None,
    out: OutOption = None,
    max_pages: Annotated[int, typer.Option(min=1, help="List pages to walk per column.")] = 3,
    site: Annotated[
        Optional[str], typer.Option(help="Site profile in assets/sites/ (default: $PUBLICITY_SITE).")
    ] = None,
    recheck_hours: Annotated[
        float, typer.Option(min=0, help="Re-check known releases for edits after this many hours.")
    ] = 6.0,
) -> None:
    """Run the poll flow once: fetch new and edited releases, store them, write the feeds."""
    from flows.runtime import resolve_profile

    settings = _settings(out)
    try:  # bad input is refused before Prefect's seconds-long start-up
        resolve_profile(settings, site=site, source=source)
    except PublicityError as exc:
        _fail(str(exc), code=2)
    summary = _run_flow(
        "poll", "poll", source=source, max_pages=max_pages, out=str(settings.out), site=site,
        recheck_hours=recheck_hours,
    )
    _print_summary(summary, settings.out)


@app.command()
def demo(
    out: OutOption = None,
    max_pages: Annotated[int, typer.Option(min=1, help="List pages to walk per column.")] = 10,
) -> None:
    """Serve the bundled sample site on 127.0.0.1 and run the poll flow against it (no internet)."""
    from tasks.sample_server import SampleServer
    from tasks.settings import SAMPLE_SITE_DIR

    settings = _settings(out)
    with SampleServer(SAMPLE_SITE_DIR) as server:
        typer.echo(f"sample site served at {server.url}")
        summary = _run_flow(
            "poll", "poll", max_pages=max_pages, out=str(settings.out), site="sample",
            base_url=server.url,
        )
    _print_summary(summary, settings.out)
    typer.echo(f"database: {settings.resolved_database_url()}")


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="A URL, a saved article .html, or a .txt file.")],
    published: Annotated[
        Optional[str],
        typer.Option(help="Publication time (ISO 8601); required for .txt, read from pages."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the events as JSON.")] = False,
) -> None:
    """Print the upcoming events a release announces (what, when, where)."""
    from flows.extract_source import events_from_source

    try:
        published_at = _parse_published(published) if published else None
        events = events_from_source(source, published=published_at)
    except (ExtractError, PublicityError, OSError) as exc:
        _fail(str(exc), code=2)
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in events], ensure_ascii=False, indent=2))
        return
    if not events:
        typer.echo("No upcoming events found.")
    for event in events:
        end = f" – {event.end.isoformat()}" if event.end else ""
        tod = f" ({event.time_of_day.value})" if event.time_of_day else ""
        typer.echo(f"{event.name}: {event.start.isoformat()}{end}{tod} @ {event.venue or '—'}")


def _parse_published(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ExtractError(
            f"Invalid --published {text!r}: expected ISO 8601, e.g. 2024-12-12T17:14:51"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


@app.command()
def posters(
    out: OutOption = None,
    sheet: Annotated[
        Optional[Path], typer.Option(help="Also write a contact sheet (all formats) to this PNG.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="Events on the contact sheet.")] = 6,
) -> None:
    """Render the posters of every stored event that changed; optionally a contact sheet."""
    from flows.posters import render_posters
    from tasks.poster import poster_content_for, render_contact_sheet
    from tasks.settings import load_profile
    from tasks.store import open_store

    settings = _settings(out)
    try:
        store = open_store(settings.resolved_database_url())
        profile = load_profile(settings.site)
        result = render_posters(store, public_dir=settings.out / "public", office=profile.office)
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"posters: {result.rendered} rendered, {result.unchanged} unchanged, "
               f"{len(result.failed)} failed")
    for url, reason in result.failed:
        typer.echo(f"  failed: {url}: {reason}")
    for warning in result.warnings:
        typer.echo(f"  warning: {warning}")
    if sheet is None:
        return
    contents = [
        poster_content_for(event, stored.release, office=profile.office)
        for stored in store.latest_releases()
        for event in stored.events
    ][:limit]
    if not contents:
        _fail(f"No events in the store at {settings.out}: run `make demo` or `publicity run` first")
    try:
        warnings = render_contact_sheet(contents, out_path=sheet)
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"contact sheet: {sheet} ({len(contents)} events × 4 formats)")
    for warning in warnings:
        typer.echo(f"  warning: {warning}")


@app.command()
def serve(
    out: OutOption = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind (default loopback only).")] = "127.0.0.1",
) -> None:
    """Serve OUT/public (feeds, calendar, posters, landing page) with ETag and 304s."""
    from flows.serve import NothingToServe
    from flows.serve import serve as serve_public

    settings = _settings(out)
    typer.echo(f"serving {settings.out / 'public'} at http://{host}:{port}/")
    try:
        serve_public(settings.out / "public", host=host, port=port)
    except NothingToServe as exc:
        _fail(str(exc))


def _run_counts(store) -> dict[str, int]:  # noqa: ANN001 - tasks.store.Store, imported lazily
    """How many runs the store recorded in each state (running, completed, failed)."""
    import sqlalchemy as sa

    from tasks.store import runs_table

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(runs_table.c.state, sa.func.count()).group_by(runs_table.c.state)
        ).all()
    return {state: n for state, n in sorted(rows, key=lambda r: (-r[1], r[0]))}


def _describe_run(record) -> str:  # noqa: ANN001 - tasks.store.RunRecord
    """One line per run: when, how long, the state and what it did (or why it failed)."""
    took = ""
    if record.finished is not None:
        took = f" ({(record.finished - record.started).total_seconds():.0f} s)"
    s = record.summary
    if record.state == "failed":
        what = record.error or "no reason recorded"
    elif record.state == "running":
        what = "still running, or stopped without finishing"
    elif "new" in s:  # poll and backfill
        what = (
            f"new {s.get('new', 0)}, updated {s.get('updated', 0)}, unchanged {s.get('unchanged', 0)}, "
            f"failed {len(s.get('failed', []))}, events {s.get('events_found', 0)}, "
            f"posters {s.get('posters_rendered', 0)}"
        )
        if "drafts_waiting" in s:
            what += f", drafts waiting {s['drafts_waiting']}"
        failed = s.get("failed", [])
        if failed:
            what += "; " + "; ".join(f"{f['url']}: {f['reason']}" for f in failed[:3])
            what += f" (+{len(failed) - 3} more)" if len(failed) > 3 else ""
    elif "files_changed" in s:  # rebuild
        what = (
            f"posters drawn {s.get('posters_rendered', 0)}, files changed: "
            f"{', '.join(s['files_changed']) or 'none'}"
        )
    else:  # e.g. review: its counts as they are
        what = ", ".join(f"{k} {v}" for k, v in s.items() if isinstance(v, (int, float, str)))
    return f"#{record.id} {record.flow} {record.started:%Y-%m-%d %H:%M}{took} {record.state}: {what}"


@app.command()
def status(
    out: OutOption = None,
    runs: Annotated[int, typer.Option(min=1, help="How many recent runs to show.")] = 10,
) -> None:
    """The last runs, counts by state, failed runs and releases with their reasons (from the store)."""
    from tasks.store import open_store

    settings = _settings(out)
    try:
        store = open_store(settings.resolved_database_url())
        counts = _run_counts(store)
        recent = store.recent_runs(runs)
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"store: {settings.resolved_database_url()}")
    typer.echo(f"releases: {store.release_count()}, events: {store.event_count()}")
    typer.echo("runs by state: " + (", ".join(f"{state} {n}" for state, n in counts.items()) or "none yet"))
    typer.echo("recent runs:")
    for record in recent:
        typer.echo("  " + _describe_run(record))
    failed_runs = [r for r in recent if r.state == "failed"]
    if failed_runs:
        typer.echo("failed runs:")
        for record in failed_runs:
            typer.echo(f"  #{record.id} {record.flow} {record.started:%Y-%m-%d %H:%M}: {record.error}")
    failures = store.failures()
    if failures:
        typer.echo("failures (retried on the next run):")
        for f in failures:
            typer.echo(f"  {f.url} ({f.attempts} attempts): {f.last_error}")
    problems = store.integrity_problems()
    for problem in problems:
        typer.secho(f"inconsistent: {problem}", fg=typer.colors.RED)


@app.command()
def backfill(
    pages: Annotated[int, typer.Option(min=1, max=1000, help="List pages to read per column.")] = 10,
    since: Annotated[
        Optional[datetime],
        typer.Option(formats=["%Y-%m-%d"], help="Only releases published on or after this day."),
    ] = None,
    source: Annotated[
        Optional[str], typer.Option(help="One list page URL instead of the profile's columns.")
    ] = None,
    out: OutOption = None,
    site: Annotated[
        Optional[str], typer.Option(help="Site profile in assets/sites/ (default: $PUBLICITY_SITE).")
    ] = None,
    recheck_known: Annotated[
        bool, typer.Option(help="Also re-check stored releases (since --since) for edits.")
    ] = False,
) -> None:
    """Run the backfill flow once: older releases, by list pages or since a date."""
    from flows.params import BackfillParams, validate_params
    from flows.runtime import resolve_profile

    settings = _settings(out)
    params = dict(pages=pages, since=since.date() if since else None, source=source,
                  out=str(settings.out), site=site, recheck_known=recheck_known)
    try:  # bad input is refused before Prefect's seconds-long start-up
        validate_params(BackfillParams, params)
        resolve_profile(settings, site=site, source=source)
    except PublicityError as exc:
        _fail(str(exc), code=2)
    _print_summary(_run_flow("backfill", "backfill", **params), settings.out)


@app.command()
def rebuild(
    out: OutOption = None,
    site: Annotated[
        Optional[str], typer.Option(help="Site profile in assets/sites/ (default: $PUBLICITY_SITE).")
    ] = None,
    posters: Annotated[bool, typer.Option(help="Draw missing or changed posters too.")] = True,
) -> None:
    """Run the rebuild flow once: every output regenerated from the store, nothing fetched."""
    settings = _settings(out)
    result = _run_flow("rebuild", "rebuild", out=str(settings.out), site=site, posters=posters)
    typer.echo(
        f"releases {result['releases']}, posters drawn {result['posters_rendered']} "
        f"({result['posters_unchanged']} unchanged, {len(result['poster_failures'])} failed)"
    )
    typer.echo(f"outputs in {settings.out}/public (changed: {', '.join(result['files_changed']) or 'none'})")


from flows.cli_drafts import drafts_app  # noqa: E402 - a sub-app, no Prefect import

app.add_typer(drafts_app, name="drafts", help="Review the social-media drafts: list, show, approve …")


def main() -> None:
    try:
        app()
    except PublicityError as exc:  # anything a command did not turn into a message itself
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(1)


if __name__ == "__main__":
    main()
