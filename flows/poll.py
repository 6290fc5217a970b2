"""The ``poll`` flow: new and edited releases of the portal into the store and the feeds.

A short script of steps (see ../ARCHITECTURE.md): walk each column's list pages, fetch the articles
that are new, failed before, or due for an edit check, parse and extract their events, store them,
write the feeds, and leave a summary artifact. Each step is a thin task over a function in
tasks/crawl.py; the fetcher retries with backoff inside the fetch tasks, the only place retries live.

A failure is about one release: it is recorded and shown in the summary, and the run completes. The
run fails only when no column's first list page can be read, and then it says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flows.runtime import configure_prefect_offline, make_fetcher, out_dir, resolve_profile

configure_prefect_offline()

from prefect import flow, get_run_logger, task  # noqa: E402 - offline settings come first
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.drafting import DraftsSummary, prepare_drafts, releases_missing_drafts  # noqa: E402
from flows.outputs import publish_outputs  # noqa: E402
from flows.params import PollParams, param, validate_params  # noqa: E402
from flows.posters import PosterSummary, releases_missing_posters, render_posters  # noqa: E402
from flows.secret_settings import with_secrets  # noqa: E402
from tasks import crawl  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.models import FetchResult  # noqa: E402
from tasks.poster import FORMATS  # noqa: E402
from tasks.report import poll_summary_markdown  # noqa: E402
from tasks.review import OPEN_STATES  # noqa: E402
from tasks.settings import Settings, SiteProfile, load_settings  # noqa: E402
from tasks.site import Fetcher  # noqa: E402
from tasks.store import Store, now, open_store  # noqa: E402

ARTICLE_BATCH = 50  # articles per task run: a task run costs ~5 ms, so batch (FACTS.md)
WALK_SHARE = 0.1  # of a run's progress: walking the list pages; fetching takes FETCH_SHARE
FETCH_SHARE = 0.8
# The event a run emits when it added drafts; the review deployment's trigger waits for it.
DRAFTS_EVENT = "publicity.drafts.waiting"
DRAFTS_RESOURCE = "publicity.drafts"

ProgressHook = Callable[[float, str], None]


class SiteUnavailable(PublicityError):
    """No column of the site could be read: the run fails with this message."""


@task(name="walk-column", cache_policy=NO_CACHE, task_run_name="walk {column_url}")
def walk_column_task(
    fetcher: crawl.Fetches, store: Store, *, column_url: str, profile: SiteProfile,
    max_pages: int, stop_at_known: bool = True, since: date | None = None,
) -> crawl.ColumnWalk:
    return crawl.walk_column(
        fetcher, store, column_url=column_url, profile=profile, max_pages=max_pages,
        stop_at_known=stop_at_known, since=since,
    )


@task(name="fetch-and-store", cache_policy=NO_CACHE, task_run_name="fetch and store {label}")
def fetch_and_store_task(
    fetcher: Fetcher, store: Store, tasks: list[crawl.ArticleTask], *, profile: SiteProfile,
    concurrency: int, label: str = "articles",
) -> list[crawl.ReleaseOutcome]:
    # One task for both: the fetched pages (the batch's largest data) then never pass through
    # Prefect as a task result, and each batch costs one task run, not two (issue 8's overhead).
    results = crawl.fetch_articles(fetcher, tasks, profile=profile, concurrency=concurrency)
    return [crawl.store_article(store, r) for r in results]


@task(name="render-posters", cache_policy=NO_CACHE)
def render_posters_task(
    store: Store, *, public_dir: Path, office: str, release_urls: list[str]
) -> PosterSummary:
    return render_posters(store, public_dir=public_dir, office=office, release_urls=release_urls)


@task(name="prepare-drafts", cache_policy=NO_CACHE)
def prepare_drafts_task(
    store: Store, *, out: Path, settings: Settings, profile: SiteProfile, release_urls: list[str]
) -> DraftsSummary:
    return prepare_drafts(
        store, out=out, settings=settings, profile=profile, release_urls=release_urls
    )


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
    stop_at_known: bool = True,
    conditional: bool = True,
    since: date | None = None,
    batch: int = ARTICLE_BATCH,
    on_progress: ProgressHook | None = None,
) -> crawl.PollSummary:
    """One crawl of the site into the store and the outputs; ``poll`` and ``backfill`` share it.

    A poll walks each column until nothing new can follow; a backfill (``stop_at_known=False``,
    ``conditional=False``) reads ``max_pages`` pages whatever they hold, and ``since`` keeps only
    the releases listed as published on or after that day. ``on_progress(fraction, message)`` is
    told after the walk and after each batch of ``batch`` articles.
    """
    log = on_log or (lambda msg: None)
    progress = on_progress or (lambda fraction, message: None)
    summary = crawl.PollSummary(source=", ".join(sources))
    with make_fetcher(settings, profile) as fetcher:
        walker = fetcher if conditional else UnconditionalFetcher(fetcher)
        walks = [
            walk_column_task(
                walker, store, column_url=url, profile=profile, max_pages=max_pages,
                stop_at_known=stop_at_known, since=since,
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
        if since is not None:
            walks = [listed_since(walk, since) for walk in walks]
        planned = crawl.plan_articles(
            store, walks, recheck_after=recheck_after, recheck_window=recheck_window
        )
        log(f"{len(planned)} articles to fetch")
        progress(WALK_SHARE, f"{summary.list_pages_fetched} list pages read, {len(planned)} articles to fetch")
        for i in range(0, len(planned), batch):
            chunk = planned[i : i + batch]
            outcomes = fetch_and_store_task(
                fetcher, store, chunk, profile=profile, concurrency=settings.concurrency,
                label=f"{i + 1}-{i + len(chunk)} of {len(planned)}",
            )
            for outcome in outcomes:
                summary.add(outcome)
            done = i + len(chunk)
            progress(
                WALK_SHARE + FETCH_SHARE * done / len(planned),
                f"{done} of {len(planned)} articles fetched",
            )
    changed = [o.url for o in summary.outcomes if o.status in ("new", "updated")]
    # Also releases a crash or a failure left without all their posters.
    short = releases_missing_posters(store, formats=len(FORMATS))
    posters = render_posters_task(
        store, public_dir=out / "public", office=profile.office,
        release_urls=list(dict.fromkeys([*changed, *short])),
    )
    summary.posters_rendered = posters.rendered
    summary.poster_failures = posters.failed
    # After the posters, so the drafts carry them; every run, so drafts whose events passed expire.
    drafts = prepare_drafts_task(
        store, out=out, settings=settings, profile=profile,
        # Also releases a killed run stored but never drafted.
        release_urls=list(dict.fromkeys([*changed, *releases_missing_drafts(store)])),
    )
    summary.drafts_created = drafts.created
    summary.feeds_written = publish_outputs_task(
        store, out=out, settings=settings, profile=profile
    )
    progress(1.0, "done")
    return summary


class UnconditionalFetcher:
    """A fetcher that sends no validators, so a backfill reads every list page in full (a poll
    stops at the first page answered 304)."""

    def __init__(self, fetcher: crawl.Fetches) -> None:
        self._fetcher = fetcher

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        return self._fetcher.fetch(url)


def listed_since(walk: crawl.ColumnWalk, since: date) -> crawl.ColumnWalk:
    """The walk without the items listed as published before ``since`` (undated ones stay)."""
    kept = tuple(i for i in walk.items if i.published is None or i.published >= since)
    return replace(walk, items=kept)


def drafts_waiting(store: Store, *, created_since: datetime | None = None) -> int:
    """Drafts waiting for a reviewer (pending or invalid).

    ``created_since``: count only the drafts created since then (the ones this run added).
    """
    drafts = store.list_drafts(states=OPEN_STATES)
    if created_since is not None:
        drafts = [d for d in drafts if d.created >= created_since]
    return len(drafts)


def drafts_event(*, waiting: int, new: int, source: str, out: Path) -> dict[str, Any]:
    """The event announcing new drafts: the review deployment's trigger (prefect.yaml) starts a
    review run with ``out`` from its payload, so it reviews the store this run wrote to."""
    return {
        "event": DRAFTS_EVENT,
        "resource": {"prefect.resource.id": DRAFTS_RESOURCE, "prefect.resource.name": "drafts"},
        "payload": {"new": new, "waiting": waiting, "source": source, "out": str(out.resolve())},
    }


def announce_drafts(*, waiting: int, new: int, source: str, out: Path) -> None:
    """Emit ``drafts_event`` when this run added drafts.

    Only then: a review run already waiting for answers re-reads the open drafts, so announcing the
    same drafts every 30 minutes would only queue idle review runs.
    """
    if new <= 0:
        return
    from prefect.events import emit_event

    emit_event(**drafts_event(waiting=waiting, new=new, source=source, out=out))


@flow(name="poll", log_prints=True)
def poll(
    source: str | None = param(PollParams, "source"),
    max_pages: int = param(PollParams, "max_pages"),
    out: str | None = param(PollParams, "out"),
    site: str | None = param(PollParams, "site"),
    base_url: str | None = param(PollParams, "base_url"),
    recheck_hours: float | None = param(PollParams, "recheck_hours"),
    recheck_days: int = param(PollParams, "recheck_days"),
) -> dict[str, Any]:
    """Poll the portal's columns (or one list page URL) for new and edited releases.

    The parameters, their defaults and limits are flows/params.py's ``PollParams``.
    """
    params = validate_params(PollParams, dict(
        source=source, max_pages=max_pages, out=out, site=site, base_url=base_url,
        recheck_hours=recheck_hours, recheck_days=recheck_days,
    ))
    logger = get_run_logger()
    settings = with_secrets(load_settings(out=params.out), log=logger.info)
    out_path = out_dir(settings, params.out)
    profile = resolve_profile(
        settings, site=params.site, base_url=params.base_url, source=params.source
    )
    sources = [params.source] if params.source else [url for _, url in profile.column_urls()]
    store = open_store(settings.resolved_database_url())
    started = now()
    run_id = store.start_run("poll", source=", ".join(sources))
    try:
        summary = run_poll(
            settings=settings,
            profile=profile,
            store=store,
            out=out_path,
            sources=sources,
            max_pages=params.max_pages,
            recheck_after=(
                timedelta(hours=params.recheck_hours) if params.recheck_hours is not None else None
            ),
            recheck_window=timedelta(days=params.recheck_days),
            on_log=logger.info,
        )
    except PublicityError as exc:
        store.finish_run(run_id, state="failed", summary={"source": sources}, error=str(exc))
        logger.error(str(exc))
        raise
    return finish_crawl(
        store, run_id, summary, flow_name="poll", title="Poll summary", started=started,
        out=out_path, logger=logger,
    )


def finish_crawl(
    store: Store, run_id: int, summary: crawl.PollSummary, *, flow_name: str, title: str,
    started: datetime, out: Path, logger: Any,
) -> dict[str, Any]:
    """Record the run, leave its summary artifact, announce new drafts; the run's result dict."""
    waiting = drafts_waiting(store)
    result = {**summary.as_dict(), "drafts_waiting": waiting}
    store.finish_run(run_id, state="completed", summary=result)
    create_markdown_artifact(
        key=f"{flow_name}-summary",
        markdown=poll_summary_markdown(summary, title=title, drafts_waiting=waiting),
        description=f"What this {flow_name} found: new, updated, unchanged, failed releases.",
    )
    if waiting:
        announce_drafts(
            waiting=waiting, new=drafts_waiting(store, created_since=started) or 0,
            source=summary.source, out=out,
        )
    logger.info(
        "%s done: %d new, %d updated, %d unchanged, %d failed, %d events, %d posters%s",
        title.split()[0], summary.new, summary.updated, summary.unchanged, len(summary.failed),
        summary.events_found, summary.posters_rendered,
        f", {summary.drafts_created} drafts new, {waiting} waiting",
    )
    return result
