"""The poll's steps against the sample site on a real local server with injected faults, and a real
SQLite store. Each fault gives its clear reason; nothing already stored is lost or doubled; the next
run repairs what failed.

These call tasks/crawl.py directly (no Prefect); tests/test_poll_flow.py runs the same steps in the
flow.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tasks import crawl
from tasks.sample_server import Fault, SampleServer
from tasks.settings import SiteProfile
from tasks.site import Fetcher
from tasks.store import Store, open_store
from tests.conftest import sample_article_files

LIST = "/zwgk/jdhy/xwfbh/"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'publicity.db'}")


def _fetcher(profile: SiteProfile) -> Fetcher:
    return Fetcher(
        profile=profile, min_request_interval=0, retries=2, retry_backoff=0.01,
        read_timeout=0.5, connect_timeout=2, total_timeout=5,
    )


def _poll(server: SampleServer, profile: SiteProfile, store: Store, **kw) -> crawl.PollSummary:
    summary = crawl.PollSummary(source=server.url)
    with _fetcher(profile) as fetcher:
        walks = [
            crawl.walk_column(fetcher, store, column_url=url, profile=profile, max_pages=10)
            for _, url in profile.column_urls()
        ]
        failure = crawl.site_failure_message(walks)
        if failure:
            raise RuntimeError(failure)
        planned = crawl.plan_articles(
            store, walks, recheck_after=kw.get("recheck_after"), recheck_window=timedelta(days=10**5)
        )
        for result in crawl.fetch_articles(fetcher, planned, profile=profile, concurrency=4):
            summary.add(crawl.store_article(store, result))
    return summary


def _path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _article_paths(site: Path) -> list[str]:
    return ["/" + p.relative_to(site).as_posix() for p in sample_article_files(site)]


def test_full_poll_stores_every_release_once(sample_server, sample_profile, store, site_copy):
    summary = _poll(sample_server, sample_profile, store)
    paths = _article_paths(site_copy)
    assert summary.new == len(paths) and summary.failed == []
    assert sorted(_path_of(s.release.url) for s in store.latest_releases()) == sorted(paths)
    again = _poll(sample_server, sample_profile, store)
    assert (again.new, again.updated, again.failed) == (0, 0, [])
    assert store.release_count() == len(paths)


@pytest.mark.parametrize(
    ("fault", "reason_has", "retried_ok"),
    [
        (Fault("status", status=500, times=1), None, True),  # retried within the run, succeeds
        (Fault("status", status=503, times=10), "503", False),
        (Fault("status", status=404, times=10), "404", False),
        (Fault("slow", delay=1.5, times=10), "timeout", False),
        (Fault("truncate", fraction=0.4, times=10), "truncated", False),
        (Fault("challenge", status=412, times=10), "challenge", False),
        (Fault("reset", times=10), None, False),
    ],
    ids=["500-then-ok", "503", "404", "timeout", "truncated", "challenge-412", "reset"],
)
def test_article_fault_is_recorded_and_repaired_next_run(
    sample_server, sample_profile, store, site_copy, fault, reason_has, retried_ok
):
    paths = _article_paths(site_copy)
    victim = paths[3]
    sample_server.add_fault(victim, fault)
    first = _poll(sample_server, sample_profile, store)
    if retried_ok:
        assert first.failed == [] and first.new == len(paths)
        assert sum(1 for _, p, _ in sample_server.requests if p == victim) == 2
        return
    assert [_path_of(f.url) for f in first.failed] == [victim]
    assert first.new == len(paths) - 1
    reason = first.failed[0].reason
    assert reason and (reason_has is None or reason_has in reason.lower()), reason
    state = store.get_fetch_state(first.failed[0].url)
    assert state.last_error == reason and state.attempts == 1
    # The fault is gone at the next run: the release is fetched again and stored once.
    sample_server.faults.clear()
    second = _poll(sample_server, sample_profile, store)
    assert second.new == 1 and second.failed == []
    assert store.release_count() == len(paths)
    assert store.failed_articles() == []


def test_off_host_redirect_is_refused_and_named(sample_server, sample_profile, store, site_copy):
    victim = _article_paths(site_copy)[5]
    sample_server.add_fault(victim, Fault("redirect", location="https://evil.example.com/x.html", times=10))
    summary = _poll(sample_server, sample_profile, store)
    (failure,) = summary.failed
    assert "evil.example.com" in failure.reason and "host" in failure.reason.lower()
    assert not any("evil" in p for _, p, _ in sample_server.requests)


def test_challenge_on_the_list_page_fails_the_site_with_its_cause(
    sample_server, sample_profile, store
):
    for _, url in sample_profile.column_urls():
        sample_server.add_fault(_path_of(url), Fault("challenge", status=412, times=10))
    with pytest.raises(RuntimeError, match="(?i)challenge") as info:
        _poll(sample_server, sample_profile, store)
    assert "PUBLICITY_COOKIE" in str(info.value)
    assert store.release_count() == 0


def test_list_page_500_then_ok_is_retried(sample_server, sample_profile, store, site_copy):
    sample_server.add_fault(LIST, Fault("status", status=500, times=1))
    summary = _poll(sample_server, sample_profile, store)
    assert summary.new == len(_article_paths(site_copy)) and summary.failed == []


def test_faults_never_lose_what_was_stored(sample_server, sample_profile, store, site_copy):
    first = _poll(sample_server, sample_profile, store)
    before = {s.release.url: s.release.content_hash for s in store.latest_releases()}
    # Every article now fails; a re-check run must keep every stored release as it was.
    for path in _article_paths(site_copy):
        sample_server.add_fault(path, Fault("status", status=500, times=100))
    again = _poll(sample_server, sample_profile, store, recheck_after=timedelta(0))
    assert len(again.failed) == first.new
    after = {s.release.url: s.release.content_hash for s in store.latest_releases()}
    assert after == before


def test_edited_release_updates_in_place(sample_server, sample_profile, store, site_copy):
    _poll(sample_server, sample_profile, store)
    target = sample_article_files(site_copy)[7]
    raw = target.read_bytes()
    target.write_bytes(raw.replace(b"</p>", "<p>补充说明：活动时间不变。</p>".encode() + b"</p>", 1)
                       if b"charset=gbk" not in raw.lower() else raw)
    summary = _poll(sample_server, sample_profile, store, recheck_after=timedelta(0))
    assert summary.updated == 1 and summary.new == 0
    assert summary.unchanged == len(_article_paths(site_copy)) - 1
