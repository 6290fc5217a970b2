"""The poll flow end to end: the sample site on a real local server, Prefect's test harness, a real
SQLite file, feedparser reading the feeds.

First run stores every release; a second run fetches only list pages (304s), adds nothing and leaves
the feeds byte-identical; an edit at the source is picked up by the next run as exactly one update.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from tasks.sample_server import SampleServer
from tasks.store import open_store
from tests.conftest import sample_article_files

pytestmark = pytest.mark.prefect


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBLICITY_OUT", "PUBLICITY_DATABASE_URL", "PUBLICITY_SITE", "PUBLICITY_FEED_ITEMS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBLICITY_FEED_ITEMS", "200")


def _poll(server: SampleServer, out: Path, **params):
    from flows.poll import poll

    state = poll(site="sample", base_url=server.url, out=str(out), max_pages=10,
                 return_state=True, **params)
    assert state.is_completed(), state
    return state.result()


def _article_requests(server: SampleServer) -> list[str]:
    return [p for m, p, _ in server.requests if "/content/" in p]


def test_first_second_and_edited_runs(prefect_harness, clean_env, sample_server, site_copy, tmp_path):
    out = tmp_path / "out"
    expected = {f.relative_to(site_copy).as_posix() for f in sample_article_files(site_copy)}
    assert len(expected) >= 40

    first = _poll(sample_server, out)
    assert first["failed"] == [], first["failed"]
    assert first["new"] == len(expected)
    store = open_store(f"sqlite:///{out / 'publicity.db'}")
    stored = {s.release.url.split("/", 3)[3] for s in store.latest_releases()}
    assert stored == expected
    assert store.integrity_problems() == []
    assert first["events_found"] > 0 and store.event_count() == first["events_found"]

    feeds = {name: (out / "public" / name) for name in ("rss.xml", "atom.xml")}
    for name, path in feeds.items():
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert {e.id.split("/", 3)[3] for e in parsed.entries} == expected
    before = {name: (p.read_bytes(), p.stat().st_mtime_ns) for name, p in feeds.items()}

    # Second run: nothing new on the site.
    sample_server.requests.clear()
    second = _poll(sample_server, out)
    assert (second["new"], second["updated"], second["failed"]) == (0, 0, [])
    assert _article_requests(sample_server) == []
    assert second["list_pages_fetched"] == 0 and second["list_pages_not_modified"] >= 1
    assert {name: (p.read_bytes(), p.stat().st_mtime_ns) for name, p in feeds.items()} == before
    assert store.release_count() == len(expected)

    # Edit one release at the source; the next run re-checks known releases and updates just it.
    edited_rel = sorted(expected)[len(expected) // 2]
    edited_file = site_copy / edited_rel
    html = edited_file.read_bytes()
    marker = "本条稿件已于发布后更新。".encode("utf-8")
    if b'charset="gbk"' in html.lower() or b"charset=gbk" in html.lower():
        marker = "本条稿件已于发布后更新。".encode("gb18030")
    edited_file.write_bytes(html.replace(b"</p>", b"</p><p>" + marker + b"</p>", 1))
    sample_server.requests.clear()
    third = _poll(sample_server, out, recheck_hours=0, recheck_days=100000)
    assert third["updated"] == 1 and third["new"] == 0 and third["failed"] == []
    assert store.release_count() == len(expected)
    updated = [s for s in store.latest_releases() if s.release.url.endswith(edited_rel)]
    assert len(updated) == 1 and "本条稿件已于发布后更新" in updated[0].release.text
    rss = feedparser.parse(feeds["rss.xml"].read_bytes())
    ids = [e.id for e in rss.entries]
    assert len(ids) == len(set(ids)) == len(expected)


def test_one_broken_release_is_recorded_and_the_run_completes(
    prefect_harness, clean_env, sample_server, site_copy, tmp_path
):
    out = tmp_path / "out"
    victim = sample_article_files(site_copy)[0]
    victim.write_text("<html><body><div>页面维护中</div></body></html>", encoding="utf-8")
    result = _poll(sample_server, out)
    failed_urls = [f["url"] for f in result["failed"]]
    assert len(failed_urls) == 1 and failed_urls[0].endswith(victim.name)
    assert result["failed"][0]["reason"]
    store = open_store(f"sqlite:///{out / 'publicity.db'}")
    assert [s.url for s in store.failed_articles()] == failed_urls
    # Fixed at the source: the next run retries it and stores it, nothing doubled.
    (victim).write_bytes((Path(__file__).parent / ".." / "assets" / "sample_site" /
                          victim.relative_to(site_copy)).resolve().read_bytes())
    again = _poll(sample_server, out)
    assert again["new"] == 1 and again["failed"] == []
    assert store.failed_articles() == []


def test_site_down_fails_the_run_with_one_clear_message(prefect_harness, clean_env, tmp_path):
    from flows.poll import poll

    with SampleServer(tmp_path) as server:  # an empty folder: every list page is a 404
        state = poll(site="sample", base_url=server.url, out=str(tmp_path / "out"),
                     return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="could not be read") as info:
        state.result()
    assert "404" in str(info.value)


def test_a_backfill_makes_one_task_run_per_batch(
    prefect_harness, clean_env, sample_server, site_copy, tmp_path, monkeypatch
):
    """Prefect's cost grows with task runs, not releases (issue 8): each batch of articles is one
    fetch-and-store task run, and nothing fetched passes through Prefect as a separate result."""
    import math

    import flows.backfill
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    monkeypatch.setattr(flows.backfill, "BACKFILL_BATCH", 10)
    state = flows.backfill.backfill(
        site="sample", base_url=sample_server.url, out=str(tmp_path / "out"), pages=10,
        return_state=True,
    )
    assert state.is_completed(), state
    result = state.result()
    expected = len(sample_article_files(site_copy))
    assert result["new"] == expected and result["failed"] == []
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        )
    names = sorted(r.name for r in runs)
    batches = [n for n in names if n.startswith("fetch and store")]
    assert len(batches) == math.ceil(expected / 10), names
    assert f"fetch and store 1-10 of {expected}" in batches
    assert not any(n.startswith(("fetch-articles", "store-articles")) for n in names), names
