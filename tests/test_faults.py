"""The poll under a misbehaving site (tests/faults.py): for each fault mode, what is retried, what is
recorded as failed with which reason, what the run prints; and always: nothing already stored is
lost or doubled, the feeds stay valid, and the next healthy run repairs everything.

The poll runs in this process without Prefect (tests/poll_plain.py, the flow's own steps) against
one FaultySite for the module. A baseline store (every release of the sample site, feeds written) is
made once and copied for each test. Single-article faults are in tests/test_crawl.py and the
fetcher's own behaviour in tests/test_site.py; this file switches faults on for the whole site.

| mode (scope)               | retried in the run | outcome                                            |
|----------------------------|--------------------|----------------------------------------------------|
| 500 once per page          | yes, succeeds      | nothing failed                                     |
| 500 always (articles)      | yes, 3 attempts    | failed "http-500 … a server error … try again later" |
| 429 + Retry-After once     | yes, succeeds      | nothing failed                                     |
| 429 always                 | yes, 3 attempts    | failed "http-429 … PUBLICITY_MIN_REQUEST_INTERVAL" |
| slow past the read timeout | yes, 3 attempts    | failed "timeout: Timed out after 0.5 s reading …"  |
| reset mid-body once        | yes, succeeds      | nothing failed                                     |
| reset mid-body always      | yes, 3 attempts    | failed "truncated: … was cut off …"                |
| truncated HTML            | no                 | failed "truncated: … ends before </body></html>"   |
| 412 challenge              | no                 | failed "challenge: … PUBLICITY_COOKIE"             |
| GBK without any charset    | –                  | every release read the same (all unchanged)        |
| redirect to another host   | no                 | failed "host-not-allowed: … evil.example.com …"    |
| 50 MB page (announced)     | no                 | failed "too-large: … announces 50.0 MB …"          |
| 50 MB page (streamed)      | no                 | failed "too-large: … larger than the 10.0 MB limit" |
| gzip bomb (256 MB)         | no                 | failed "too-large: … (unpacked, it is larger)"     |
| list pages: 500, slow, redirect off-host, layout changed, truncated | as above | the run fails: "The site could not be read: <column>: <reason>" for each column |
| list pages: endless pager  | –                  | the walk stops at max_pages; nothing doubled       |
| list page 2 fails once     | –                  | the next run walks past page 1's 304 to page 2     |
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import feedparser
import icalendar
import pytest

from tasks.settings import SAMPLE_SITE_DIR, Settings, SiteProfile, load_profile, load_settings
from tasks.store import Store, open_store
from tests.conftest import sample_article_files
from tests.faults import FaultySite, Mode, Scope
from tests.poll_plain import PlainResult, SiteUnavailable, poll_plain, summary_lines

RETRIES = 2  # so a retried fault costs 3 requests
READ_TIMEOUT = 0.5  # s; the slow mode answers after 1.5 s
CAP = 10 * 1024 * 1024  # the default size cap


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultySite]:
    root = tmp_path_factory.mktemp("faulty") / "site"
    shutil.copytree(SAMPLE_SITE_DIR, root)
    with FaultySite(root, slow_delay=1.5, retry_after="1") as server:
        yield server


@pytest.fixture(autouse=True)
def healthy_after(site: FaultySite) -> Iterator[None]:
    site.clear()
    yield
    site.clear()


@pytest.fixture(scope="module")
def profile(site: FaultySite) -> SiteProfile:
    return load_profile("sample").with_base_url(site.url)


def settings_for(out: Path) -> Settings:
    return load_settings(
        out=out, min_request_interval=0, retries=RETRIES, retry_backoff=0.01,
        read_timeout=READ_TIMEOUT, connect_timeout=2, total_timeout=5, max_retry_after=0.2,
        max_response_bytes=CAP, concurrency=4, feed_items=500, database_url=None,
    )


def article_paths(site: FaultySite) -> list[str]:
    return ["/" + p.relative_to(site.root).as_posix() for p in sample_article_files(site.root)]


@pytest.fixture(scope="module")
def baseline(site: FaultySite, profile: SiteProfile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT of a healthy first poll: every release stored, feeds written (no posters: speed)."""
    out = tmp_path_factory.mktemp("baseline") / "out"
    settings = settings_for(out)
    store = open_store(settings.resolved_database_url())
    result = poll_plain(settings=settings, profile=profile, store=store, out=out, posters=False,
                        drafts=False)
    assert result.summary.failed == [] and result.summary.new == len(article_paths(site))
    store.engine.dispose()
    return out


@dataclass
class World:
    out: Path
    settings: Settings
    store: Store

    def poll(self, profile: SiteProfile, **kw: object) -> PlainResult:
        return poll_plain(settings=self.settings, profile=profile, store=self.store, out=self.out,
                          posters=False, drafts=False, **kw)  # type: ignore[arg-type]


@pytest.fixture
def stored(baseline: Path, tmp_path: Path) -> World:
    """A copy of the baseline: the store already holds every release."""
    out = tmp_path / "out"
    shutil.copytree(baseline, out)
    settings = settings_for(out)
    return World(out, settings, open_store(settings.resolved_database_url()))


@pytest.fixture
def empty(tmp_path: Path) -> World:
    out = tmp_path / "out"
    settings = settings_for(out)
    return World(out, settings, open_store(settings.resolved_database_url()))


def snapshot(store: Store) -> dict[str, tuple[str, int]]:
    return {s.release.url: (s.release.content_hash, len(s.events)) for s in store.latest_releases()}


def check_outputs(world: World, *, releases: int) -> None:
    """The store is consistent and every feed is valid and carries each release exactly once."""
    assert world.store.integrity_problems() == []
    assert world.store.release_count() == releases
    public = world.out / "public"
    urls = {s.release.url for s in world.store.latest_releases()}
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((public / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)) == releases and set(ids) == urls, name
    feed = json.loads((public / "feed.json").read_text(encoding="utf-8"))
    assert sorted(i["id"] for i in feed["items"]) == sorted(urls)
    icalendar.Calendar.from_ical((public / "events.ics").read_bytes())
    assert not list(public.rglob(".tmp-*"))


def requests_to(site: FaultySite, paths: list[str]) -> dict[str, int]:
    wanted = set(paths)
    counts = dict.fromkeys(paths, 0)
    for method, path, _ in list(site.requests):
        if method == "GET" and path in wanted:
            counts[path] += 1
    return counts


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# ------------------------------------------------------------------------------ article pages

@dataclass(frozen=True)
class ArticleCase:
    mode: Mode
    times: int | None = None  # faulty answers per page (None: always)
    victims: int | None = None  # articles affected (None: all); slow modes use a few
    kind: str | None = None  # failure kind leading the reason; None: nothing fails
    says: tuple[str, ...] = ()  # in the reason
    requests: int = 1  # GETs per affected article in the faulty run


ARTICLE_CASES = [
    ArticleCase(Mode.ERROR_500, times=1, requests=2),
    ArticleCase(Mode.ERROR_500, kind="http-500", says=("HTTP 500", "server error", "after 3 attempts"),
                requests=RETRIES + 1),
    ArticleCase(Mode.RATE_LIMITED, times=1, victims=6, requests=2),
    ArticleCase(Mode.RATE_LIMITED, victims=4, kind="http-429",
                says=("too many requests", "PUBLICITY_MIN_REQUEST_INTERVAL"), requests=RETRIES + 1),
    ArticleCase(Mode.SLOW, victims=3, kind="timeout", says=("Timed out after 0.5 s", "read timeout"),
                requests=RETRIES + 1),
    ArticleCase(Mode.RESET_MID_BODY, times=1, requests=2),
    ArticleCase(Mode.RESET_MID_BODY, victims=8, kind="truncated", says=("cut off",),
                requests=RETRIES + 1),
    ArticleCase(Mode.TRUNCATED_HTML, kind="truncated", says=("ends before its closing",)),
    ArticleCase(Mode.CHALLENGE, kind="challenge", says=("anti-bot challenge", "PUBLICITY_COOKIE")),
    ArticleCase(Mode.GBK_NO_CHARSET),
    ArticleCase(Mode.OFF_HOST_REDIRECT, kind="host-not-allowed",
                says=("evil.example.com", "redirect was refused")),
    ArticleCase(Mode.HUGE_PAGE, victims=6, kind="too-large",
                says=("announces 50.0 MB", "PUBLICITY_MAX_RESPONSE_BYTES")),
    ArticleCase(Mode.HUGE_STREAM, victims=3, kind="too-large", says=("larger than the 10.0 MB limit",)),
    ArticleCase(Mode.GZIP_BOMB, victims=3, kind="too-large", says=("unpacked, it is larger",)),
]


@pytest.mark.parametrize(
    "case", ARTICLE_CASES,
    ids=lambda c: f"{c.mode.value}{'-once' if c.times else ''}{'-ok' if c.kind is None else ''}",
)
def test_article_fault_on_recheck_loses_nothing_and_is_repaired(
    site: FaultySite, profile: SiteProfile, stored: World, case: ArticleCase
) -> None:
    """Every stored release is re-checked while its page misbehaves: the stored copy survives."""
    paths = article_paths(site)
    victims = paths if case.victims is None else paths[5 : 5 + case.victims]
    before = snapshot(stored.store)
    site.requests.clear()
    site.set_mode(case.mode, scope=Scope.ARTICLES, times=case.times,
                  only=None if case.victims is None else victims)

    summary = stored.poll(profile, recheck_after=timedelta(0)).summary

    counts = requests_to(site, victims)
    assert set(counts.values()) == {case.requests}, counts
    lines = summary_lines(summary, stored.out)
    if case.kind is None:
        assert summary.failed == [] and summary.new == 0 and summary.updated == 0, lines
        assert summary.unchanged == len(paths)  # GBK: decoded to exactly the same release
    else:
        assert sorted(path_of(f.url) for f in summary.failed) == sorted(victims)
        for failure in summary.failed:
            assert failure.reason.startswith(f"{case.kind}: "), failure.reason
            for words in case.says:
                assert words in failure.reason, failure.reason
            assert f"  failed: {failure.url}: {failure.reason}" in lines
            state = stored.store.get_fetch_state(failure.url)
            assert state.last_error == failure.reason and state.attempts == 1
        assert lines[0].endswith(f"failed {len(victims)}, events 0")
    assert snapshot(stored.store) == before  # nothing lost, nothing changed
    check_outputs(stored, releases=len(paths))

    # The site is healthy again: the next run re-checks (a failed re-check keeps the release due)
    # and repairs every failure, still without a change.
    site.clear()
    again = stored.poll(profile, recheck_after=timedelta(0)).summary
    assert again.failed == [] and again.new == 0 and again.updated == 0
    assert again.unchanged == len(paths)
    assert stored.store.failures() == []
    assert snapshot(stored.store) == before
    check_outputs(stored, releases=len(paths))


def test_gzip_bomb_is_never_unpacked_past_the_cap(site: FaultySite, profile: SiteProfile) -> None:
    from flows.runtime import make_fetcher
    from tasks.errors import TooLarge

    victim = article_paths(site)[0]
    site.set_mode(Mode.GZIP_BOMB, scope=Scope.ARTICLES, only=[victim])
    with make_fetcher(settings_for(Path("unused")), profile) as fetcher:
        with pytest.raises(TooLarge, match="unpacked"):
            fetcher.fetch(site.url.rstrip("/") + victim)
        # Counted only for bodies that were kept: robots.txt's, none of the bomb's.
        assert fetcher.stats().bytes_received == len((site.root / "robots.txt").read_bytes())
    assert site.bomb_bytes > 20 * CAP


def test_first_run_under_a_challenge_records_each_release_and_the_next_run_stores_them(
    site: FaultySite, profile: SiteProfile, empty: World
) -> None:
    paths = article_paths(site)
    site.set_mode(Mode.CHALLENGE, scope=Scope.ARTICLES)
    first = empty.poll(profile).summary
    assert first.new == 0 and len(first.failed) == len(paths)
    assert {f.title for f in first.failed} >= {"2024东莞高层次人才活动周新闻发布会"}  # listed titles
    assert len(empty.store.failed_articles()) == len(paths)
    check_outputs(empty, releases=0)
    site.clear()
    second = empty.poll(profile).summary
    assert second.new == len(paths) and second.failed == []
    check_outputs(empty, releases=len(paths))


# ------------------------------------------------------------------------------ list pages

LIST_CASES = [
    (Mode.ERROR_500, "http-500: The site answered HTTP 500"),
    (Mode.SLOW, "timeout: Timed out after 0.5 s"),
    (Mode.OFF_HOST_REDIRECT, "host-not-allowed: "),
    (Mode.LAYOUT_CHANGED, "LayoutNotRecognised: No release list on"),
    (Mode.TRUNCATED_HTML, "truncated: "),
    (Mode.CHALLENGE, "challenge: "),
]


@pytest.mark.parametrize(("mode", "says"), LIST_CASES, ids=lambda v: getattr(v, "value", ""))
def test_list_fault_fails_the_run_with_its_cause_and_keeps_everything(
    site: FaultySite, profile: SiteProfile, stored: World, mode: Mode, says: str
) -> None:
    before = snapshot(stored.store)
    feeds = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (stored.out / "public").iterdir()
             if p.is_file()}
    # Forget the list pages' validators so the faulty answer is not a 304 that hides it.
    for _, url in profile.column_urls():
        stored.store.forget_validators(url)
    site.set_mode(mode, scope=Scope.LISTS)
    with pytest.raises(SiteUnavailable) as info:
        stored.poll(profile)
    message = str(info.value)
    assert message.startswith("The site could not be read: ")
    for _, url in profile.column_urls():
        assert f"{url}: {says}" in message, message
    assert snapshot(stored.store) == before
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (stored.out / "public").iterdir()
            if p.is_file()} == feeds  # a failed run writes nothing
    site.clear()
    again = stored.poll(profile).summary
    assert again.failed == [] and again.new == 0 and again.column_errors == []
    check_outputs(stored, releases=len(before))


def test_endless_pager_stops_at_max_pages_without_doubling(
    site: FaultySite, profile: SiteProfile, empty: World
) -> None:
    paths = article_paths(site)
    site.set_mode(Mode.ENDLESS_PAGER, scope=Scope.LISTS)
    site.requests.clear()
    summary = empty.poll(profile, max_pages=7).summary
    assert summary.failed == [] and summary.new == len(paths)
    assert summary.list_pages_fetched == 7 * len(profile.column_urls())
    lists = [p for m, p, _ in site.requests if m == "GET" and "/content/" not in p and p.endswith(
        (".html", "/")) and p.startswith("/zwgk/jdhy/")]
    assert len(lists) == 7 * len(profile.column_urls())
    assert "/zwgk/jdhy/xwfbh/index_7.html" in lists and "/zwgk/jdhy/xwfbh/index_8.html" not in lists
    check_outputs(empty, releases=len(paths))


def test_a_later_list_page_that_failed_is_read_on_the_next_run(
    site: FaultySite, profile: SiteProfile, empty: World
) -> None:
    """Page 2 fails in the first run; the next run must not stop at page 1's 304 (or its known
    releases) but read page 2 and on: the releases listed there are stored, none twice."""
    paths = article_paths(site)
    page2 = "/zwgk/jdhy/xwfbh/index_2.html"
    site.set_mode(Mode.ERROR_500, scope=Scope.LISTS, only=[page2])
    first = empty.poll(profile).summary
    assert 0 < first.new < len(paths) and first.failed == []
    site.clear()
    second = empty.poll(profile).summary
    assert first.new + second.new == len(paths) and second.failed == []
    third = empty.poll(profile).summary  # nothing owed any more: one 304 per column
    assert third.new == 0 and third.list_pages_fetched == 0
    check_outputs(empty, releases=len(paths))
