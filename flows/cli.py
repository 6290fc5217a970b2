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


def _run_poll_flow(**params: object) -> dict:
    from flows.runtime import configure_prefect_offline

    configure_prefect_offline()
    from flows.poll import poll

    state = poll(**params, return_state=True)
    if state.is_failed():
        try:
            state.result()
        except PublicityError as exc:
            _fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - Prefect wraps crashes; show the cause
            _fail(f"the poll flow failed: {exc}")
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
    summary = _run_poll_flow(
        source=source, max_pages=max_pages, out=str(settings.out), site=site,
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
        summary = _run_poll_flow(
            max_pages=max_pages, out=str(settings.out), site="sample", base_url=server.url
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


@app.command()
def status(
    out: OutOption = None,
    runs: Annotated[int, typer.Option(min=1, help="How many recent runs to show.")] = 10,
) -> None:
    """The last runs, counts in the store, and failures with their reasons."""
    from tasks.store import open_store

    settings = _settings(out)
    try:
        store = open_store(settings.resolved_database_url())
    except PublicityError as exc:
        _fail(str(exc))
    typer.echo(f"store: {settings.resolved_database_url()}")
    typer.echo(f"releases: {store.release_count()}, events: {store.event_count()}")
    typer.echo("recent runs:")
    for record in store.recent_runs(runs):
        s = record.summary
        counts = (
            f"new {s.get('new', 0)}, updated {s.get('updated', 0)}, "
            f"unchanged {s.get('unchanged', 0)}, failed {len(s.get('failed', []))}"
            if record.state == "completed"
            else (record.error or "")
        )
        typer.echo(f"  #{record.id} {record.flow} {record.started:%Y-%m-%d %H:%M} {record.state}: {counts}")
    failures = store.failures()
    if failures:
        typer.echo("failures (retried on the next run):")
        for f in failures:
            typer.echo(f"  {f.url} ({f.attempts} attempts): {f.last_error}")
    problems = store.integrity_problems()
    for problem in problems:
        typer.secho(f"inconsistent: {problem}", fg=typer.colors.RED)


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
