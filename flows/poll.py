"""The ``poll`` flow: new and edited releases of the portal into the store and the feeds.

A short script of steps (see ../ARCHITECTURE.md): walk each column's list pages, fetch the articles
that are new, failed before, or due for an edit check, parse and extract their events, store them,
write the feeds, and leave a summary artifact. Each step is a thin task over a function in
tasks/crawl.py; the fetcher retries with backoff inside the fetch tasks, the only place retries live.

A failure is about one release: it is recorded and shown in the summary, and the run completes. The
run fails only when no column's first list page can be read, and then it says why.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flows.runtime import configure_prefect_offline, make_fetcher, out_dir, resolve_profile

configure_prefect_offline()

from prefect import flow, get_run_logger, task  # noqa: E402 - offline settings come first
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.outputs import publish_outputs  # noqa: E402
from flows.posters import PosterSummary, releases_missing_posters, render_posters  # noqa: E402
from tasks import crawl  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.poster import FORMATS  # noqa: E402
from tasks.report import poll_summary_markdown  # noqa: E402
from tasks.settings import Settings, SiteProfile, load_settings  # noqa: E402
from tasks.site import Fetcher  # noqa: E402
from tasks.store import Store, open_store  # noqa: E402

ARTICLE_BATCH = 50  # articles per task run: a task run costs ~5 ms, so batch (FACTS.md)


class SiteUnavailable(PublicityError):
    """No column of the site could be read: the run fails with this message."""


@task(name="walk-column", cache_policy=NO_CACHE, task_run_name="walk {column_url}")
def walk_column_task(
    fetcher: Fetcher, store: Store, *, column_url: str, profile: SiteProfile, max_pages: int
) -> crawl.ColumnWalk:
    return crawl.walk_column(
        fetcher, store, column_url=column_url, profile=profile, max_pages=max_pages
    )


@task(name="fetch-articles", cache_policy=NO_CACHE)
def fetch_articles_task(
    fetcher: Fetcher, tasks: list[crawl.ArticleTask], *, profile: SiteProfile, concurrency: int
) -> list[crawl.ArticleResult]:
    return crawl.fetch_articles(fetcher, tasks, profile=profile, concurrency=concurrency)


@task(name="store-articles", cache_policy=NO_CACHE)
def store_articles_task(
    store: Store, results: list[crawl.ArticleResult]
) -> list[crawl.ReleaseOutcome]:
    return [crawl.store_article(store, r) for r in results]


@task(name="render-posters", cache_policy=NO_CACHE)
def render_posters_task(
    store: Store, *, public_dir: Path, office: str, release_urls: list[str]
) -> PosterSummary:
    return render_posters(store, public_dir=public_dir, office=office, release_urls=release_urls)


@task(name="publish-outputs", cache_policy=NO_CACHE)
def publish_outputs_task(
    store: Store, *, out: Path, settings: Settings, profile: SiteProfile
) -> list[str]:
    return publish_outputs(store, out=out, settings=settings, profile=profile)


def run_poll(
    *,
    settings: Settings,
    profile: SiteProfile,
    store: Store,
    out: Path,
    sources: list[str],
    max_pages: int,
    recheck_after: timedelta | None,
    recheck_window: timedelta,
    on_log: Any = None,
) -> crawl.PollSummary:
    """The poll itself; the flow below only adds Prefect's logging and the summary artifact."""
    log = on_log or (lambda msg: None)
    summary = crawl.PollSummary(source=", ".join(sources))
    with make_fetcher(settings, profile) as fetcher:
        walks = [
            walk_column_task(
                fetcher, store, column_url=url, profile=profile, max_pages=max_pages
            )
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
        log(f"{len(planned)} articles to fetch")
        for i in range(0, len(planned), ARTICLE_BATCH):
            batch = planned[i : i + ARTICLE_BATCH]
            results = fetch_articles_task(
                fetcher, batch, profile=profile, concurrency=settings.concurrency
            )
            for outcome in store_articles_task(store, results):
                summary.add(outcome)
    changed = [o.url for o in summary.outcomes if o.status in ("new", "updated")]
    # Also releases a crash or a failure left without all their posters.
    short = releases_missing_posters(store, formats=len(FORMATS))
    posters = render_posters_task(
        store, public_dir=out / "public", office=profile.office,
        release_urls=list(dict.fromkeys([*changed, *short])),
    )
    summary.posters_rendered = posters.rendered
    summary.poster_failures = posters.failed
    summary.feeds_written = publish_outputs_task(
        store, out=out, settings=settings, profile=profile
    )
    return summary


@flow(name="poll", log_prints=True)
def poll(
    source: str | None = None,
    max_pages: int = 3,
    out: str | None = None,
    site: str | None = None,
    base_url: str | None = None,
    recheck_hours: float | None = 6.0,
    recheck_days: int = 30,
) -> dict[str, Any]:
    """Poll the portal's columns (or one list page URL) for new and edited releases.

    Args:
        source: a list page URL to poll instead of the site profile's columns.
        max_pages: list pages to walk per column at most.
        out: output folder (default: the PUBLICITY_OUT setting).
        site: site profile name in assets/sites/ (default: the PUBLICITY_SITE setting).
        base_url: serve the profile from another base URL (the sample site on a local port).
        recheck_hours: re-check known releases for edits when last checked this long ago;
            None never re-checks.
        recheck_days: only releases published within this many days are re-checked.
    """
    logger = get_run_logger()
    settings = load_settings(out=out)
    out_path = out_dir(settings, out)
    profile = resolve_profile(settings, site=site, base_url=base_url, source=source)
    sources = [source] if source else [url for _, url in profile.column_urls()]
    store = open_store(settings.resolved_database_url())
    run_id = store.start_run("poll", source=", ".join(sources))
    try:
        summary = run_poll(
            settings=settings,
            profile=profile,
            store=store,
            out=out_path,
            sources=sources,
            max_pages=max_pages,
            recheck_after=timedelta(hours=recheck_hours) if recheck_hours is not None else None,
            recheck_window=timedelta(days=recheck_days),
            on_log=logger.info,
        )
    except PublicityError as exc:
        store.finish_run(run_id, state="failed", summary={"source": sources}, error=str(exc))
        logger.error(str(exc))
        raise
    store.finish_run(run_id, state="completed", summary=summary.as_dict())
    create_markdown_artifact(
        key="poll-summary",
        markdown=poll_summary_markdown(summary),
        description="What this poll found: new, updated, unchanged, failed releases.",
    )
    logger.info(
        "Poll done: %d new, %d updated, %d unchanged, %d failed, %d events",
        summary.new, summary.updated, summary.unchanged, len(summary.failed), summary.events_found,
    )
    return summary.as_dict()
