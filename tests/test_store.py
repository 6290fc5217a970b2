"""The store on a real SQLite file and on a real PostgreSQL server: identity, edits in place,
events replaced, fetch state, runs, and concurrent writers (the multi-worker setup).

Every test that takes ``db_url`` or ``store`` runs on both backends. PostgreSQL is a throwaway
cluster started once per session (tests/pg_cluster.py, Debian's ``postgresql`` package; .ci/run
installs it); without its binaries those cases are skipped, saying why.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import itertools
import threading
from collections.abc import Iterator

import pytest

from tasks.errors import StoreError
from tasks.models import SHANGHAI, Event, Release, TimeOfDay
from tasks.store import SCHEMA_VERSION, Store, open_store
from tests.pg_cluster import PostgresCluster

BACKENDS = ("sqlite", "postgresql")
_database_names = (f"store_test_{n}" for n in itertools.count(1))


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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    reason = PostgresCluster.unavailable()
    if reason:
        pytest.skip(f"PostgreSQL not available: {reason}")
    cluster = PostgresCluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or a new database on the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'publicity.db'}"
    return request.getfixturevalue("pg_cluster").create_database(next(_database_names))


@pytest.fixture
def store(db_url) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.engine.dispose()


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


def test_schema_version_and_reopen(db_url):
    first = open_store(db_url)
    first.upsert_release(_release())
    again = open_store(db_url)
    assert again.schema_version() == SCHEMA_VERSION and again.release_count() == 1
    first.engine.dispose()
    again.engine.dispose()


def test_newer_schema_is_refused(db_url):
    store = open_store(db_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="newer than this code"):
        open_store(db_url)
    store.engine.dispose()


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


# ---- several workers on one store (README: poll, backfill and review runs may overlap) ----------

WORKERS = 4


def _run_workers(db_url: str, work) -> list[BaseException]:
    """Run ``work(store)`` in WORKERS threads at once, each with its own engine (as separate worker
    processes would have); returns what they raised."""
    stores = [open_store(db_url) for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def run(store: Store) -> None:
        barrier.wait()
        try:
            work(store)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for s in stores:
        s.engine.dispose()
    return errors


def test_concurrent_workers_store_each_release_once(store, db_url):
    releases = [_release(url=f"https://x/post_{i}.html", post_id=str(i)) for i in range(30)]
    events = [Event(name="开幕式", start=date(2024, 12, 20)), Event(name="闭幕式", start=date(2024, 12, 22))]
    outcomes: list[str] = []

    def work(worker: Store) -> None:
        worker.record_listed([(r.url, r.title, None) for r in releases], reason="listed, not fetched")
        for release in releases:
            outcomes.append(worker.upsert_release(release, events=events))
            worker.record_fetch_success(
                release.url, kind="article", status=200, etag='"e"', last_modified=None
            )

    assert _run_workers(db_url, work) == []
    assert outcomes.count("new") == len(releases)
    assert outcomes.count("unchanged") == len(releases) * (WORKERS - 1)
    assert store.release_count() == len(releases) and store.event_count() == 2 * len(releases)
    assert len(store.fetch_states(r.url for r in releases)) == len(releases)
    assert store.integrity_problems() == []


def test_concurrent_edits_leave_one_whole_version(store, db_url):
    """Workers storing different versions of one release: one version wins, with its own events."""
    versions = [
        (_release(text=f"第{n}版。"), [Event(name=f"活动{n}-{k}", start=date(2024, 12, 20)) for k in range(n + 1)])
        for n in range(WORKERS)
    ]

    def work(worker: Store) -> None:
        for _ in range(10):
            for release, events in versions:
                worker.upsert_release(release, events=events)

    assert _run_workers(db_url, work) == []
    stored = store.get_release(versions[0][0].url)
    n = int(stored.release.text[1])
    assert [e.name for e in stored.events] == [f"活动{n}-{k}" for k in range(n + 1)]
    assert store.release_count() == 1


def test_concurrent_failures_are_all_counted(store, db_url):
    url = "https://x/post_7.html"

    def work(worker: Store) -> None:
        for _ in range(10):
            worker.record_fetch_failure(url, kind="article", reason="http-500: Internal Server Error",
                                        status=500)

    assert _run_workers(db_url, work) == []
    state = store.get_fetch_state(url)
    assert state.attempts == WORKERS * 10 and state.status == 500


def test_bulk_reads_for_the_poster_step(store):
    from tasks.store import StoredPoster

    urls = [f"https://x/post_{i}.html" for i in range(3)]
    for i, url in enumerate(urls):
        events = [Event(name=f"活动{k}", start=date(2024, 12, 20)) for k in range(i)]
        store.upsert_release(
            _release(url=url, published=datetime(2024, 1, 1 + i, tzinfo=SHANGHAI)), events=events
        )
    got = store.get_releases([urls[2], "https://x/missing.html", urls[0]])
    assert [s.release.url for s in got] == [urls[2], urls[0]]
    assert [len(s.events) for s in got] == [2, 0]
    assert store.release_urls_with_events() == [urls[2], urls[1]]  # newest first, none without
    for seq in range(2):
        store.save_poster(StoredPoster(
            release_url=urls[2], event_seq=seq, format="portrait", template="t",
            path=f"posters/2-{seq}-portrait.png", sha256="a" * 64, size_bytes=1, width=1,
            height=1, input_key="k",
        ))
    assert store.prune_posters({urls[2]: 1, urls[1]: 1}) == ["posters/2-1-portrait.png"]
    assert [p.event_seq for p in store.posters_for([urls[2]])[urls[2]]] == [0]


# ---- owed articles, rechecks, and the parts of tasks/_store ---------------------------------------


def test_listed_articles_are_owed_until_stored_then_settled(store):
    owed = "https://x/post_1.html"
    stored_meanwhile = "https://x/post_2.html"
    store.record_fetch_failure("https://x/post_3.html", kind="article", reason="http-500")
    store.record_listed(
        [(owed, "标题一", date(2024, 12, 1)), (stored_meanwhile, None, None),
         ("https://x/post_3.html", "标题三", None)],
        reason="listed, not fetched",
    )
    state = store.get_fetch_state(owed)
    assert (state.attempts, state.last_error, state.listed_title, state.listed_date) == (
        0, "listed, not fetched", "标题一", date(2024, 12, 1)
    )
    assert store.get_fetch_state("https://x/post_3.html").last_error == "http-500"  # not overwritten
    store.upsert_release(_release(url=stored_meanwhile))
    assert store.settle_listed(reason="listed, not fetched") == 1
    assert store.get_fetch_state(stored_meanwhile).last_error is None
    assert [s.url for s in store.failed_articles()] == [owed, "https://x/post_3.html"]
    store.record_listed([], reason="listed, not fetched")  # nothing to record: no error


def test_recheck_candidates_and_forgotten_validators(store):
    old = datetime(2024, 12, 1, tzinfo=SHANGHAI)
    store.upsert_release(_release(), at=old)
    recent = _release(url="https://x/post_2.html", published=datetime(2024, 12, 13, tzinfo=SHANGHAI))
    store.upsert_release(recent, at=old)
    due = dict(checked_before=old + timedelta(days=1), published_after=old)
    assert store.releases_due_for_recheck(**due) == [recent.url, _release().url]
    store.mark_checked(recent.url, at=old + timedelta(days=2))
    assert store.releases_due_for_recheck(**due) == [_release().url]
    store.record_fetch_success(recent.url, kind="article", status=200, etag='"e"', last_modified="Mon")
    store.forget_validators(recent.url)
    state = store.get_fetch_state(recent.url)
    assert (state.etag, state.last_modified, state.status) == (None, None, 200)


def test_bulk_lookups_cross_the_in_list_chunks(store):
    """More URLs than one IN (…) list holds: every one is found, and only those that exist."""
    from tasks._store.sql import IN_CHUNK

    urls = [f"https://x/post_{n}.html" for n in range(2 * IN_CHUNK + 1)]
    store.record_listed([(u, None, None) for u in urls[::2]], reason="owed")
    assert set(store.fetch_states(urls)) == set(urls[::2])
    store.upsert_release(_release(url=urls[-1]))
    store.upsert_release(_release(url=urls[IN_CHUNK]))
    assert store.known_urls(urls + urls) == {urls[-1], urls[IN_CHUNK]}
    assert [s.release.url for s in store.get_releases(urls[::-1])] == [urls[-1], urls[IN_CHUNK]]


@pytest.mark.parametrize("chunk", [[], [1], [1, 2, 3], [1, 2, 3, 4]])
def test_chunked_keeps_order_and_size(chunk):
    from tasks._store.sql import chunked

    parts = list(chunked(chunk, 3))
    assert [x for part in parts for x in part] == chunk
    assert all(1 <= len(part) <= 3 for part in parts)


def test_dialects_without_on_conflict_get_the_same_results(store, monkeypatch):
    """The plain INSERT-or-UPDATE path (a backend with no ON CONFLICT), run on a real database."""
    from tasks._store import sql
    from tasks.store import StoredPoster

    monkeypatch.setattr(sql, "UPSERT_DIALECTS", frozenset())
    release = _release()
    assert store.upsert_release(release, events=[Event(name="开幕式", start=date(2024, 12, 20))]) == "new"
    assert store.upsert_release(release) == "unchanged"
    assert store.upsert_release(_release(text="改期。"), events=[]) == "updated"
    assert store.events_for(release.url) == ()
    url = "https://x/list/index.html"
    for _ in range(3):
        store.record_fetch_failure(url, kind="list", reason="timeout", status=None)
    assert store.get_fetch_state(url).attempts == 3
    store.record_fetch_success(url, kind="list", status=200, etag='"a"', last_modified=None)
    assert (store.get_fetch_state(url).attempts, store.get_fetch_state(url).etag) == (0, '"a"')
    store.record_listed([(url, None, None), ("https://x/post_5.html", "五", None)], reason="owed")
    assert store.get_fetch_state(url).last_error is None
    for sha in ("a", "b"):
        store.save_poster(StoredPoster(
            release_url=release.url, event_seq=0, format="square", template="t", path="p.png",
            sha256=sha * 64, size_bytes=1, width=1, height=1, input_key="k",
        ))
    assert [p.sha256[0] for p in store.all_posters()] == ["b"]


def test_bad_url_and_sql_errors_are_store_errors(tmp_path):
    with pytest.raises(StoreError, match="Cannot open database"):
        open_store("nosuchdialect://nowhere/db")
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    with pytest.raises(StoreError, match="Database error on"):
        with store._begin() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")
    store.engine.dispose()


def test_public_names_stay_importable_from_tasks_store():
    """What flows/, tasks/, tests/ and benchmarks/ import from tasks.store (the split moved the
    code into tasks/_store/, not the names)."""
    import tasks.store as store_module

    names = {
        "SCHEMA_VERSION", "FetchState", "RunRecord", "Store", "StoredPoster", "StoredRelease",
        "now", "open_store", "create_engine", "metadata", "drafts_table", "draft_history_table",
        "events_table", "fetch_state_table", "posters_table", "releases_table", "runs_table",
        "_release_row", "_replace_events",
    }
    assert names - set(dir(store_module)) == set()


def test_importing_the_store_stays_light():
    """No Prefect and no draft templating on import: pure modules load fast (tests/, scripts)."""
    import subprocess
    import sys

    code = (
        "import sys, tasks.store; "
        "print(sorted(m for m in ('prefect', 'jinja2', 'tasks.drafts', 'tasks.review') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
