"""Notifications (tasks/notify.py) against a real webhook receiver on 127.0.0.1, through apprise's
json:// and form:// plugins; a refused or unreachable receiver is logged and never raised."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from flows.drafting import prepare_drafts
from tasks.notify import drafts_message, notify_reviewers, redact, split_urls
from tasks.settings import load_profile
from tests.test_feeds import fill_store, settings_for


class Receiver:
    """A webhook endpoint: records every POST, answers with ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append((self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json_url(self, path: str = "hook/SECRET-TOKEN") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_json_webhook_receives_title_and_body(receiver):
    result = notify_reviewers([receiver.json_url()], title="3 条新草稿待审核", body="· 发布会（微博）")
    assert result.ok and result.attempted == 1 and result.failed == ()
    path, headers, body = receiver.requests[0]
    assert path == "/hook/SECRET-TOKEN"
    payload = json.loads(body)
    assert payload["title"] == "3 条新草稿待审核" and payload["message"] == "· 发布会（微博）"


def test_form_webhook_too(receiver):
    url = f"form://127.0.0.1:{receiver.port}/form"
    assert notify_reviewers([url], title="标题", body="正文").ok
    fields = parse_qs(receiver.requests[0][2].decode())
    assert fields["title"] == ["标题"] and fields["message"] == ["正文"]


def test_a_refusing_receiver_is_logged_not_raised(receiver, caplog):
    receiver.status = 500
    with caplog.at_level(logging.WARNING, logger="publicity.notify"):
        result = notify_reviewers([receiver.json_url()], title="t", body="b")
    assert not result.ok and result.failed
    assert "Could not notify reviewers" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text and all("SECRET-TOKEN" not in f for f in result.failed)


def test_unreachable_and_unknown_urls_fail_quietly(caplog):
    with caplog.at_level(logging.WARNING, logger="publicity.notify"):
        dead = notify_reviewers([f"json://127.0.0.1:{_closed_port()}/x"], title="t", body="b",
                                timeout=2)
        unknown = notify_reviewers(["nosuchscheme://token@host"], title="t", body="b")
    assert not dead.ok and dead.attempted == 1
    assert not unknown.ok and unknown.attempted == 0
    assert unknown.failed == ("nosuchscheme://…: not a notification URL apprise knows",)
    assert notify_reviewers([], title="t", body="b").attempted == 0
    assert "token@host" not in caplog.text


def test_split_and_redact():
    assert split_urls("json://a/b, wecombot://KEY\nmailtos://u:p@h") == [
        "json://a/b", "wecombot://KEY", "mailtos://u:p@h"]
    assert split_urls(None) == []
    assert redact("wecombot://SECRETKEY") == "wecombot://…"
    assert redact("not a url") == "<invalid URL>"


def test_message_lists_releases_and_the_board():
    title, body = drafts_message([("发布会甲", "新浪微博"), ("发布会甲", "抖音图文"), ("发布会乙", "小红书")],
                                 board_url="https://review.example/", office="东莞市人民政府新闻办公室")
    assert title == "东莞市人民政府新闻办公室：3 条新草稿待审核"
    assert "· 发布会甲（新浪微博、抖音图文）" in body and "https://review.example/" in body


def test_prepare_drafts_notifies_once_per_new_batch_and_survives_a_dead_receiver(receiver, tmp_path):
    store, _public = fill_store(tmp_path, count=2)
    urls = [s.release.url for s in store.latest_releases()]
    settings = settings_for(tmp_path, notify_urls=SecretStr(receiver.json_url()),
                            review_url="https://review.example/board/")
    profile = load_profile("dongguan")
    first = prepare_drafts(store, out=tmp_path / "out", settings=settings, profile=profile,
                           release_urls=urls, today=date(2024, 12, 10))
    assert first.notified is True and len(receiver.requests) == 1
    message = json.loads(receiver.requests[0][2])
    assert "10 条新草稿待审核" in message["title"] and "https://review.example/board/" in message["message"]
    again = prepare_drafts(store, out=tmp_path / "out", settings=settings, profile=profile,
                           release_urls=urls, today=date(2024, 12, 10))
    assert again.notified is None and len(receiver.requests) == 1  # nothing new: no message

    dead = settings_for(tmp_path, notify_urls=SecretStr(f"json://127.0.0.1:{_closed_port()}/x"),
                        notify_timeout=2)
    store2, _ = fill_store(tmp_path / "second", count=1)
    summary = prepare_drafts(store2, out=tmp_path / "out2", settings=dead, profile=profile,
                             release_urls=[s.release.url for s in store2.latest_releases()],
                             today=date(2024, 12, 10))
    assert summary.created == 5 and summary.notified is False and summary.notify_failures
