"""One poll of the portal, as plain functions: walk list pages, fetch what is new, parse, store.

These are the steps the ``poll`` flow composes (flows/poll.py wraps each in a thin Prefect task) and
that benchmarks call directly without Prefect. Each takes plain values and typed records and never
raises for one bad release: that becomes a ``ReleaseOutcome`` with ``status="failed"`` and a reason.

The walk stops at the first list page that is unchanged (304) or that holds a release we already
know: the portal lists newest first, so older pages hold nothing new.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from tasks.errors import FetchError, ParseError, PublicityError, Truncated
from tasks.extract import extract_events
from tasks.models import Event, FetchResult, ListItem, ListPage, Release
from tasks.parse import parse_article, parse_list_page
from tasks.settings import SiteProfile
from tasks.site import describe_failure, failure_kind
from tasks.store import FetchState, Store, now

logger = logging.getLogger("publicity.crawl")

OutcomeStatus = Literal["new", "updated", "unchanged", "failed"]

# A page that opens <html> in its first bytes but never closes </body> nor </html> was cut off on
# the way (a proxy or an origin that gave up mid-file but sent a consistent Content-Length, which
# the fetcher cannot catch). Parsed, it would silently lose the rest of a list page or the end of a
# release's text, and a recheck would overwrite the full stored text with the partial one.
_HTML_OPEN = re.compile(r"<html[\s>]", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
HTML_HEAD_CHARS = 2048
# The fetch-state note of an article a list page listed and that is not fetched yet (see walk_column).
QUEUED = "queued: listed, not fetched yet"


class Fetches(Protocol):
    """What the crawl needs of tasks/site.py's fetcher."""

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


@dataclass(frozen=True, slots=True)
class ColumnWalk:
    """The result of walking one column's list pages."""

    column_url: str
    items: tuple[ListItem, ...]  # on-site items, newest first, deduplicated
    pages_fetched: int
    pages_not_modified: int
    off_site: tuple[ListItem, ...] = ()
    error: str | None = None  # the first list page could not be read: the reason


@dataclass(frozen=True, slots=True)
class ArticleTask:
    """An article to fetch, with what we knew of it before."""

    url: str
    listed_title: str | None = None
    listed_date: date | None = None
    listed_in: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    reason: str = "new"  # new | retry | recheck | retitled


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """A fetched and parsed article, or why not; produced in worker threads, stored by the caller."""

    task: ArticleTask
    fetch: FetchResult | None = None
    release: Release | None = None
    events: tuple[Event, ...] = ()
    error: str | None = None
    error_status: int | None = None


@dataclass(frozen=True, slots=True)
class ReleaseOutcome:
    url: str
    status: OutcomeStatus
    title: str | None = None
    reason: str | None = None
    events: int = 0


@dataclass(slots=True)
class PollSummary:
    """Counts and failures of one run: the summary artifact and `publicity status` show it."""

    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[ReleaseOutcome] = field(default_factory=list)
    events_found: int = 0
    list_pages_fetched: int = 0
    list_pages_not_modified: int = 0
    skipped_off_site: int = 0
    column_errors: list[str] = field(default_factory=list)
    feeds_written: list[str] = field(default_factory=list)
    posters_rendered: int = 0
    drafts_created: int = 0
    poster_failures: list[tuple[str, str]] = field(default_factory=list)  # (release url, reason)
    outcomes: list[ReleaseOutcome] = field(default_factory=list)

    def add(self, outcome: ReleaseOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.status == "failed":
            self.failed.append(outcome)
        else:
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)
            if outcome.status in ("new", "updated"):
                self.events_found += outcome.events

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"url": f.url, "title": f.title, "reason": f.reason} for f in self.failed],
            "events_found": self.events_found,
            "list_pages_fetched": self.list_pages_fetched,
            "list_pages_not_modified": self.list_pages_not_modified,
            "skipped_off_site": self.skipped_off_site,
            "column_errors": self.column_errors,
            "feeds_written": self.feeds_written,
            "posters_rendered": self.posters_rendered,
            "drafts_created": self.drafts_created,
            "poster_failures": [{"url": u, "reason": r} for u, r in self.poster_failures],
        }


def walk_column(
    fetcher: Fetches,
    store: Store,
    *,
    column_url: str,
    profile: SiteProfile,
    max_pages: int,
    stop_at_known: bool = True,
    since: date | None = None,
) -> ColumnWalk:
    """Walk a column's list pages newest first until nothing new can follow or ``max_pages``.

    A later list page that failed in an earlier run is still owed: until it has been read again,
    the walk neither stops at a 304 nor at a page of known releases (see ``_pending_pages``).
    With ``since``, the walk also stops after a page whose dated releases are all older than that
    day (the list is newest first; see ``all_listed_before``); the caller filters the items.
    """
    pending = _pending_pages(store, column_url) if stop_at_known else set()
    items: list[ListItem] = []
    off_site: list[ListItem] = []
    seen: set[str] = set()
    fetched = not_modified = 0
    url: str | None = column_url
    visited: set[str] = set()
    while url is not None and fetched + not_modified < max_pages and url not in visited:
        visited.add(url)
        state = store.get_fetch_state(url) if not (pending - visited) else None
        try:
            result = fetcher.fetch(
                url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
            if result.not_modified:
                not_modified += 1
                store.record_fetch_success(
                    url, kind="list", status=304, etag=None, last_modified=None
                )
                logger.info("List page unchanged (304): %s", url)
                break
            check_complete(result)
            page = parse_list_page(result.text, url=result.final_url, profile=profile)
        except (FetchError, ParseError) as exc:
            reason = describe_error(exc)
            store.record_fetch_failure(
                url, kind="list", reason=reason, status=getattr(exc, "status", None)
            )
            logger.warning("List page failed: %s: %s", url, reason)
            if fetched + not_modified == 0:
                return ColumnWalk(column_url, (), 0, 0, error=reason)
            break
        fetched += 1
        new_here = _collect(page, items, off_site, seen)
        known = store.known_urls(i.url for i in page.items if not i.off_site)
        # The page's new items are recorded as owed before its validators are stored: a run killed
        # after this walk but before fetching them gets a 304 for the page next time, and
        # failed_articles() still hands them to plan_articles (issue 8, crash safety). A backfill
        # (stop_at_known=False) reads every page in full again anyway, and may skip old items.
        if stop_at_known:
            store.record_listed(
                [(i.url, i.title, i.published) for i in new_here
                 if not i.off_site and i.url not in known],
                reason=QUEUED,
            )
        store.record_fetch_success(
            url, kind="list", status=result.status, etag=result.etag,
            last_modified=result.last_modified,
        )
        logger.info("List page %s: %d items, %d known", url, len(new_here), len(known))
        if stop_at_known and known and not (pending - visited):
            break
        if since is not None and all_listed_before(page, since):
            logger.info("List page %s: every release listed before %s, stopping", url, since)
            break
        url = page.next_url
    return ColumnWalk(column_url, tuple(items), fetched, not_modified, tuple(off_site))


def all_listed_before(page: ListPage, since: date) -> bool:
    """True when the page lists dated releases and every one is older than ``since``.

    Undated items do not count either way; pinned (置顶) older items at the top of a newer page
    do not stop the walk, since the newer items below them are dated ``since`` or later.
    """
    dated = [i.published for i in page.items if not i.off_site and i.published is not None]
    return bool(dated) and max(dated) < since


def _pending_pages(store: Store, column_url: str) -> set[str]:
    """The column's later list pages (not its first) whose last fetch failed.

    Added for issue 8: a walk that failed on page 2 had already stored page 1's validators, so the
    next run got a 304 for page 1 (or found known releases on it) and stopped there: the releases
    on page 2 and beyond were never read, lost for good. Owed pages make the walk go on.
    """
    folder = column_url.rsplit("/", 1)[0] + "/"
    return {
        s.url
        for s in store.failures()
        if s.kind == "list" and s.url != column_url and s.url.startswith(folder)
    }


def _collect(
    page: ListPage, items: list[ListItem], off_site: list[ListItem], seen: set[str]
) -> list[ListItem]:
    added = []
    for item in page.items:
        if item.url in seen:
            continue
        seen.add(item.url)
        (off_site if item.off_site else items).append(item)
        added.append(item)
    return added


def plan_articles(
    store: Store,
    walks: Sequence[ColumnWalk],
    *,
    recheck_after: timedelta | None,
    recheck_window: timedelta,
    at: datetime | None = None,
) -> list[ArticleTask]:
    """Which articles to fetch: new ones, earlier failures, retitled ones, and due edit checks."""
    at = at or now()
    store.settle_listed(reason=QUEUED)  # owed by a killed run, but stored after all
    tasks: dict[str, ArticleTask] = {}
    listed = {item.url: (item, walk.column_url) for walk in walks for item in walk.items}
    known = store.known_urls(listed)
    states = store.fetch_states(listed)
    for url, (item, column_url) in listed.items():
        state = states.get(url)
        if url not in known:
            failed_before = state is not None and state.last_error not in (None, QUEUED)
            reason = "retry" if failed_before else "new"
            tasks[url] = _task(item.url, item, column_url, None, reason)
        elif state and state.listed_title and item.title and state.listed_title != item.title:
            tasks[url] = _task(url, item, column_url, state, "retitled")
    for state in store.failed_articles():
        if state.url not in tasks:
            tasks[state.url] = ArticleTask(
                url=state.url, listed_title=state.listed_title, listed_date=state.listed_date,
                reason="retry",
            )
    if recheck_after is not None:
        due = store.releases_due_for_recheck(
            checked_before=at - recheck_after, published_after=at - recheck_window
        )
        due_states = store.fetch_states(due)
        for url in due:
            if url not in tasks:
                item = listed.get(url, (None, None))[0]
                tasks[url] = _task(url, item, None, due_states.get(url), "recheck")
    return list(tasks.values())


def _task(
    url: str,
    item: ListItem | None,
    column_url: str | None,
    state: FetchState | None,
    reason: str,
) -> ArticleTask:
    return ArticleTask(
        url=url,
        listed_title=item.title if item else (state.listed_title if state else None),
        listed_date=item.published if item else (state.listed_date if state else None),
        listed_in=column_url,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        reason=reason,
    )


def fetch_article(fetcher: Fetches, task: ArticleTask, *, profile: SiteProfile) -> ArticleResult:
    """Fetch, parse and extract one article; any failure comes back as ``error``, never raised."""
    try:
        result = fetcher.fetch(task.url, etag=task.etag, last_modified=task.last_modified)
        if result.not_modified:
            return ArticleResult(task=task, fetch=result)
        check_complete(result)
        release = parse_article(
            result.text,
            url=result.final_url,
            profile=profile,
            listed_title=task.listed_title,
            listed_date=task.listed_date,
        )
        events = tuple(extract_events(release.text, published=release.published))
        return ArticleResult(task=task, fetch=result, release=release, events=events)
    except PublicityError as exc:
        return ArticleResult(
            task=task, error=describe_error(exc), error_status=getattr(exc, "status", None)
        )
    except Exception as exc:  # noqa: BLE001 - one odd page must never end the run
        logger.exception("Unexpected error on %s", task.url)
        return ArticleResult(task=task, error=f"unexpected {type(exc).__name__}: {exc}")


def fetch_articles(
    fetcher: Fetches,
    tasks: Sequence[ArticleTask],
    *,
    profile: SiteProfile,
    concurrency: int,
    on_result: Callable[[ArticleResult], None] | None = None,
) -> list[ArticleResult]:
    """Fetch many articles with ``concurrency`` threads (the fetcher keeps the per-host rate)."""
    if not tasks:
        return []
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="fetch") as pool:
        results = []
        for result in pool.map(lambda t: fetch_article(fetcher, t, profile=profile), tasks):
            if on_result is not None:
                on_result(result)
            results.append(result)
    return results


def store_article(store: Store, result: ArticleResult) -> ReleaseOutcome:
    """Record one fetched article in the store and say what happened to it."""
    task = result.task
    if result.error is not None:
        store.record_fetch_failure(
            task.url, kind="article", reason=result.error, status=result.error_status,
            listed_title=task.listed_title, listed_date=task.listed_date,
        )
        store.forget_validators(task.url)
        logger.warning("Release failed: %s (%s): %s", task.listed_title or "", task.url, result.error)
        return ReleaseOutcome(task.url, "failed", task.listed_title, result.error)
    assert result.fetch is not None
    if result.release is None:  # 304: unchanged since we stored it
        store.mark_checked(task.url)
        store.record_fetch_success(
            task.url, kind="article", status=304, etag=None, last_modified=None,
            listed_title=task.listed_title, listed_date=task.listed_date,
        )
        return ReleaseOutcome(task.url, "unchanged", task.listed_title)
    release = result.release
    outcome = store.upsert_release(release, events=result.events, listed_in=task.listed_in)
    store.record_fetch_success(
        task.url, kind="article", status=result.fetch.status, etag=result.fetch.etag,
        last_modified=result.fetch.last_modified, listed_title=task.listed_title,
        listed_date=task.listed_date,
    )
    logger.info("Release %s: %s (%s), %d events", outcome, release.title, release.url, len(result.events))
    return ReleaseOutcome(release.url, outcome, release.title, events=len(result.events))


def check_complete(result: FetchResult) -> None:
    """Raise ``Truncated`` for a page whose HTML ends before it closes (see ``_HTML_CLOSE``).

    Added for issue 8 (fault "truncated HTML"): the fetcher already refuses a body shorter than
    its Content-Length; this catches a page cut before it was sent. Pages that never open
    ``<html>`` (fragments, hand-written pages) are not judged.
    """
    text = result.text
    if _HTML_OPEN.search(text[:HTML_HEAD_CHARS]) and not _HTML_CLOSE.search(text):
        raise Truncated(
            f"The page {result.final_url} ends before its closing </body></html> tags: it was cut "
            f"off on the way (truncated, {len(text)} characters arrived); it was not used.",
            url=result.url,
            status=result.status,
        )


def describe_error(exc: BaseException) -> str:
    """A one-line reason a person can act on, led by its kind (timeout, http-500, NotARelease …)."""
    return f"{failure_kind(exc)}: {describe_failure(exc)}"


def site_failure_message(walks: Sequence[ColumnWalk]) -> str | None:
    """When no column could be read at all, the one message that says why; else None."""
    if walks and all(w.error is not None for w in walks):
        reasons = "; ".join(f"{w.column_url}: {w.error}" for w in walks)
        return f"The site could not be read: {reasons}"
    return None


__all__ = [
    "ArticleResult",
    "ArticleTask",
    "ColumnWalk",
    "PollSummary",
    "ReleaseOutcome",
    "check_complete",
    "describe_error",
    "fetch_article",
    "fetch_articles",
    "plan_articles",
    "site_failure_message",
    "store_article",
    "walk_column",
]
