"""The poll flow's steps without Prefect: a fast stand-in for fault and crash tests.

It calls what flows/poll.py's ``run_poll`` calls, in the same order (walk each column, plan, fetch
in batches, store, render posters for changed releases and for releases a crash left short, write
the outputs), then prepares the drafts (flows/drafting.py) of the changed releases and of releases
a crash left without any. No Prefect import, so a run costs well under a second of start-up and a
test can SIGKILL it anywhere.

In a test::

    result = poll_plain(settings=settings, profile=profile, store=store, out=out)
    result.summary.new, result.summary.failed, result.site_error

As a script (tests/test_crash_safety.py runs it in a subprocess; settings from PUBLICITY_*)::

    .venv/bin/python tests/poll_plain.py --site PROFILE.toml --base-url URL --out DIR

It prints what ``publicity run`` prints (flows/cli.py ``_print_summary``), ``Error: …`` and exit
code 1 when the site cannot be read. Log lines (``publicity.*``) go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.drafting import DraftsSummary, prepare_drafts, releases_missing_drafts  # noqa: E402
from flows.outputs import publish_outputs  # noqa: E402
from flows.posters import releases_missing_posters, render_posters  # noqa: E402
from flows.runtime import make_fetcher, resolve_profile  # noqa: E402
from tasks import crawl  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.poster import FORMATS  # noqa: E402
from tasks.settings import Settings, SiteProfile, load_settings  # noqa: E402
from tasks.store import Store, open_store  # noqa: E402

ARTICLE_BATCH = 50  # as flows/poll.py
FOREVER = timedelta(days=100 * 365)


class SiteUnavailable(PublicityError):
    """No column could be read (flows/poll.py raises its own class with the same message)."""


@dataclass(slots=True)
class PlainResult:
    summary: crawl.PollSummary
    drafts: DraftsSummary | None = None


def poll_plain(
    *,
    settings: Settings,
    profile: SiteProfile,
    store: Store,
    out: Path,
    sources: list[str] | None = None,
    max_pages: int = 10,
    recheck_after: timedelta | None = None,
    recheck_window: timedelta = FOREVER,
    posters: bool = True,
    drafts: bool = True,
    today: date | None = None,
) -> PlainResult:
    """One poll, as flows/poll.py runs it; raises ``SiteUnavailable`` as the flow does."""
    sources = sources or [url for _, url in profile.column_urls()]
    summary = crawl.PollSummary(source=", ".join(sources))
    with make_fetcher(settings, profile) as fetcher:
        walks = [
            crawl.walk_column(fetcher, store, column_url=url, profile=profile, max_pages=max_pages)
            for url in sources
        ]
        for walk in walks:
            summary.list_pages_fetched += walk.pages_fetched
            summary.list_pages_not_modified += walk.pages_not_modified
            summary.skipped_off_site += len(walk.off_site)
            if walk.error:
                summary.column_errors.append(f"{walk.column_url}: {walk.error}")
        failure = crawl.site_failure_message(walks)
        if failure:
            raise SiteUnavailable(failure)
        planned = crawl.plan_articles(
            store, walks, recheck_after=recheck_after, recheck_window=recheck_window
        )
        for i in range(0, len(planned), ARTICLE_BATCH):
            results = crawl.fetch_articles(
                fetcher, planned[i : i + ARTICLE_BATCH], profile=profile,
                concurrency=settings.concurrency,
            )
            for result in results:
                summary.add(crawl.store_article(store, result))
    changed = [o.url for o in summary.outcomes if o.status in ("new", "updated")]
    if posters:
        short = releases_missing_posters(store, formats=len(FORMATS))
        drawn = render_posters(
            store, public_dir=out / "public", office=profile.office,
            release_urls=list(dict.fromkeys([*changed, *short])),
        )
        summary.posters_rendered = drawn.rendered
        summary.poster_failures = drawn.failed
    summary.feeds_written = publish_outputs(store, out=out, settings=settings, profile=profile, today=today)
    drafted = None
    if drafts:
        # Also the releases a crash (or a failed step) left without drafts: "changed" is only what
        # this run stored, so a run killed between storing and drafting would lose them for good.
        missing = releases_missing_drafts(store, today=today)
        drafted = prepare_drafts(
            store, out=out, settings=settings, profile=profile,
            release_urls=list(dict.fromkeys([*changed, *missing])), today=today,
        )
    return PlainResult(summary=summary, drafts=drafted)


def summary_lines(summary: crawl.PollSummary, out: Path) -> list[str]:
    """The lines ``publicity run`` prints (flows/cli.py ``_print_summary``), for tests to compare."""
    lines = [
        f"new {summary.new}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {len(summary.failed)}, events {summary.events_found}"
    ]
    lines += [f"  failed: {f.url}: {f.reason}" for f in summary.failed]
    lines.append(f"posters rendered {summary.posters_rendered}")
    lines += [f"  poster failed: {u}: {r}" for u, r in summary.poster_failures]
    lines += [f"  column failed: {e}" for e in summary.column_errors]
    lines.append(
        f"outputs in {out}/public (changed: {', '.join(summary.feeds_written) or 'none'})"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", default="sample", help="site profile name or .toml path")
    parser.add_argument("--base-url", default=None, help="rebase the profile (the sample server)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--max-pages", type=int, default=10)
    parser.add_argument("--recheck-hours", type=float, default=None)
    parser.add_argument("--no-posters", action="store_true")
    parser.add_argument("--no-drafts", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        settings = load_settings(out=args.out)
        profile = resolve_profile(settings, site=args.site)
        if args.base_url:
            profile = profile.with_base_url(args.base_url)
        store = open_store(settings.resolved_database_url())
        result = poll_plain(
            settings=settings, profile=profile, store=store, out=settings.out,
            max_pages=args.max_pages,
            recheck_after=(
                timedelta(hours=args.recheck_hours) if args.recheck_hours is not None else None
            ),
            posters=not args.no_posters, drafts=not args.no_drafts,
        )
    except PublicityError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(result.summary, settings.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
