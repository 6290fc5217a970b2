"""`publicity serve` against the running server (uvicorn in a thread on a free port): media types,
ETag and Last-Modified, 304 to If-None-Match and If-Modified-Since, stable ETags across a run that
changes nothing, and feedparser reading the feeds over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import feedparser
import httpx
import pytest
from icalendar import Calendar

from flows.outputs import publish_outputs
from flows.serve import NothingToServe, ServerThread, make_app, media_type_for
from tasks.settings import load_profile
from tests.test_feeds import CREATED, fill_store, make_release, read_json_feed, settings_for

TODAY = date(2024, 12, 20)
EXPECTED_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json",
    "events.ics": "text/calendar; charset=utf-8",
    "index.html": "text/html; charset=utf-8",
    "": "text/html; charset=utf-8",
}


@pytest.fixture
def published(tmp_path):
    store, public = fill_store(tmp_path, count=3)
    settings = settings_for(tmp_path)
    publish_outputs(store, out=tmp_path / "out", settings=settings,
                    profile=load_profile("dongguan"), today=TODAY)
    return store, public, settings


@pytest.fixture
def server(published):
    _store, public, _settings = published
    with ServerThread(public) as url:
        yield url


def test_media_types_and_validators(server, published):
    _store, public, _settings = published
    with httpx.Client(base_url=server) as client:
        for name, media_type in EXPECTED_TYPES.items():
            response = client.get(name)
            assert response.status_code == 200, name
            assert response.headers["content-type"] == media_type, name
            assert response.headers["etag"].startswith('"')
            assert response.headers["last-modified"].endswith(" GMT")
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.content == (public / (name or "index.html")).read_bytes()
        poster = next((public / "posters").iterdir()).name
        response = client.get(f"posters/{poster}")
        assert response.headers["content-type"] == "image/png"
        size = (public / "posters" / poster).stat().st_size
        assert int(response.headers["content-length"]) == size


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml", "feed.json", "events.ics", "index.html"])
def test_conditional_requests_answer_304(server, name):
    with httpx.Client(base_url=server) as client:
        first = client.get(name)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        by_etag = client.get(name, headers={"If-None-Match": etag})
        assert by_etag.status_code == 304 and by_etag.content == b""
        assert by_etag.headers["etag"] == etag
        assert client.get(name, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(name, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(name, headers={"If-None-Match": '"stale"'}).status_code == 200
        assert client.get(
            name, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
        ).status_code == 200


def test_etag_survives_a_run_without_changes_and_moves_on_a_change(published, tmp_path):
    store, public, settings = published
    profile = load_profile("dongguan")
    with ServerThread(public) as url, httpx.Client(base_url=url) as client:
        before = {n: client.get(n).headers["etag"] for n in ("rss.xml", "atom.xml", "feed.json")}
        assert publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile,
                               today=TODAY) == []
        assert {n: client.get(n, headers={"If-None-Match": e}).status_code
                for n, e in before.items()} == {n: 304 for n in before}
        store.upsert_release(make_release(1, text="内容更新。"), at=CREATED + timedelta(days=1))
        changed = publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile,
                                  today=TODAY)
        assert {"rss.xml", "atom.xml", "feed.json"} <= set(changed)
        for name, etag in before.items():
            response = client.get(name, headers={"If-None-Match": etag})
            assert response.status_code == 200 and response.headers["etag"] != etag


def test_feed_clients_read_the_served_feeds(server):
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(server + name)
        assert parsed.status == 200 and not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 3
        etag = parsed.etag
        again = feedparser.parse(server + name, etag=etag)  # what a polite reader sends
        assert again.status == 304 and again.entries == []
    response = httpx.get(server + "feed.json")
    assert len(response.json()["items"]) == 3
    cal = Calendar.from_ical(httpx.get(server + "events.ics").content)
    assert len(list(cal.walk("VEVENT"))) == 6


def test_head_missing_files_and_escapes(server, published, tmp_path):
    (tmp_path / "out" / "secret.txt").write_text("not public")
    with httpx.Client(base_url=server) as client:
        head = client.head("rss.xml")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == EXPECTED_TYPES["rss.xml"]
        assert client.get("missing.xml").status_code == 404
        assert client.get("../secret.txt").status_code == 404
        assert client.get("%2e%2e/secret.txt").status_code == 404
        assert client.get("..%2fsecret.txt").status_code == 404
        assert client.post("rss.xml").status_code == 405
    read_json_feed(published[1] / "feed.json")  # still intact


def test_nothing_to_serve_is_a_clear_error(tmp_path):
    with pytest.raises(NothingToServe, match="publicity run"):
        make_app(tmp_path / "missing")


def test_media_type_table():
    assert media_type_for("x/rss.xml") == "application/rss+xml; charset=utf-8"
    assert media_type_for("feed.json") == "application/feed+json"
    assert media_type_for("a.ICS") == "text/calendar; charset=utf-8"
    assert media_type_for("posters/a.png") == "image/png"
    assert media_type_for("other.xml") == "application/xml; charset=utf-8"
    assert media_type_for("blob.unknownext") == "application/octet-stream"
