"""The store on a real SQLite file: identity, edits in place, events replaced, fetch state, runs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tasks.errors import StoreError
from tasks.models import SHANGHAI, Event, Release, TimeOfDay
from tasks.store import SCHEMA_VERSION, open_store


def _release(url: str = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1000001.html", **kw):
    base = dict(
        url=url,
        post_id="1000001",
        title="2024东莞高层次人才活动周新闻发布会",
        published=datetime(2024, 12, 12, 17, 14, 51, tzinfo=SHANGHAI),
        text="12月12日上午，新闻发布会召开。\n开幕式将于12月20日举行。",
        html="<p>12月12日上午，新闻发布会召开。</p>",
        source="本网",
        column="新闻发布会",
    )
    base.update(kw)
    return Release(**base)


@pytest.fixture
def store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'publicity.db'}")


def test_new_then_unchanged_then_updated_keeps_one_row(store):
    release = _release()
    assert store.upsert_release(release) == "new"
    assert store.upsert_release(release) == "unchanged"
    edited = _release(text=release.text + "\n（更新）")
    assert store.upsert_release(edited) == "updated"
    assert store.release_count() == 1
    stored = store.get_release(release.url)
    assert stored is not None and stored.release.text.endswith("（更新）")
    assert stored.updated >= stored.first_seen


def test_round_trip_keeps_every_field_and_zone(store):
    release = _release(keywords=("人才", "活动周"), description="摘要")
    store.upsert_release(release)
    back = store.get_release(release.url).release
    assert back == release
    assert back.published.utcoffset() == timedelta(hours=8)


def test_events_are_replaced_with_the_release_in_one_step(store):
    release = _release()
    first = [
        Event(name="开幕式", start=date(2024, 12, 20), sentence="开幕式将于12月20日举行。"),
        Event(
            name="新年音乐会",
            start=datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI),
            time_of_day=TimeOfDay.EVENING,
            venue="市中心广场东草坪",
            sentence="…",
        ),
    ]
    store.upsert_release(release, events=first)
    assert store.events_for(release.url) == tuple(first)
    # unchanged release: events untouched even if a different list is passed
    store.upsert_release(release, events=[])
    assert len(store.events_for(release.url)) == 2
    edited = _release(text="改期。")
    store.upsert_release(edited, events=first[:1])
    assert store.events_for(release.url) == (first[0],)
    assert store.event_count() == 1


def test_latest_releases_newest_first_with_limit(store):
    for i in range(5):
        store.upsert_release(
            _release(
                url=f"https://x/post_{i}.html",
                published=datetime(2024, 1, 1 + i, tzinfo=SHANGHAI),
            )
        )
    latest = store.latest_releases(limit=3)
    assert [s.release.url for s in latest] == [f"https://x/post_{i}.html" for i in (4, 3, 2)]


def test_fetch_state_keeps_validators_across_304_and_counts_failures(store):
    url = "https://x/list/index.html"
    store.record_fetch_success(url, kind="list", status=200, etag='"a"', last_modified="Mon")
    store.record_fetch_success(url, kind="list", status=304, etag=None, last_modified=None)
    state = store.get_fetch_state(url)
    assert (state.etag, state.last_modified, state.status) == ('"a"', "Mon", 304)
    store.record_fetch_failure(url, kind="list", reason="timeout: slow", status=None)
    store.record_fetch_failure(url, kind="list", reason="timeout: slow", status=None)
    state = store.get_fetch_state(url)
    assert state.attempts == 2 and state.last_error == "timeout: slow"
    store.record_fetch_success(url, kind="list", status=200, etag='"b"', last_modified=None)
    state = store.get_fetch_state(url)
    assert state.attempts == 0 and state.last_error is None and state.etag == '"b"'


def test_failed_articles_are_listed_until_stored(store):
    url = "https://x/post_9.html"
    store.record_fetch_failure(url, kind="article", reason="not a release page: no body",
                               listed_title="标题")
    assert [s.url for s in store.failed_articles()] == [url]
    store.upsert_release(_release(url=url))
    assert store.failed_articles() == []


def test_runs_are_recorded(store):
    run_id = store.start_run("poll", source="http://x/")
    store.finish_run(run_id, state="completed", summary={"new": 3, "failed": []})
    (record,) = store.recent_runs()
    assert record.state == "completed" and record.summary["new"] == 3 and record.finished


def test_schema_version_and_reopen(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    open_store(url).upsert_release(_release())
    again = open_store(url)
    assert again.schema_version() == SCHEMA_VERSION and again.release_count() == 1


def test_newer_schema_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="newer than this code"):
        open_store(url)


def test_naive_time_is_refused(store):
    with pytest.raises(StoreError, match="timezone-aware"):
        store.upsert_release(_release(published=datetime(2024, 12, 12)))


def test_integrity_problems_empty_on_consistent_store(store):
    store.upsert_release(_release(), events=[Event(name="开幕式", start=date(2024, 12, 20))])
    assert store.integrity_problems() == []


def test_posters_saved_replaced_and_pruned(store):
    from tasks.store import StoredPoster

    url = "https://x/post_1.html"
    def poster(seq, fmt, sha="a" * 64):
        return StoredPoster(release_url=url, event_seq=seq, format=fmt, template="formal-red",
                            path=f"posters/1-{seq}-{fmt}.png", sha256=sha, size_bytes=10,
                            width=1080, height=1440, input_key="k")
    store.save_poster(poster(0, "portrait"))
    store.save_poster(poster(1, "portrait"))
    store.save_poster(poster(0, "portrait", sha="b" * 64))
    got = store.posters_for([url])[url]
    assert [(p.event_seq, p.sha256[0]) for p in got] == [(0, "b"), (1, "a")]
    assert store.delete_posters(url, keep_events=1) == ["posters/1-1-portrait.png"]
    assert len(store.posters_for([url])[url]) == 1
