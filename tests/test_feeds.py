"""RSS and Atom from a real store, read back with feedparser (the real feed client)."""

from __future__ import annotations

import os
from datetime import datetime

import feedparser
import pytest

from tasks.feeds import FeedInfo, summary_of, write_feeds
from tasks.files import remove_stale_temporaries, write_if_changed
from tasks.models import SHANGHAI, Release
from tasks.store import open_store

INFO = FeedInfo(
    title="中国东莞政府门户网站 · 新闻发布",
    site_url="https://www.dg.gov.cn/",
    public_base_url="https://feeds.example.org/dg/",
    description="测试",
    author="东莞市人民政府新闻办公室",
)


def _release(i: int, **kw) -> Release:
    base = dict(
        url=f"https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_{1000000 + i}.html",
        post_id=str(1000000 + i),
        title=f"第{i}场新闻发布会 <b>&</b>",
        published=datetime(2024, 12, 1 + i, 10, 0, tzinfo=SHANGHAI),
        text=f"第{i}场发布会召开。" * 40,
        html=f"<p>第{i}场发布会召开。</p><p><a href='https://www.dg.gov.cn/x'>链接</a></p>",
        column="新闻发布会",
    )
    base.update(kw)
    return Release(**base)


@pytest.fixture
def filled_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    for i in range(5):
        store.upsert_release(_release(i))
    return store


def test_rss_and_atom_parse_cleanly_with_every_release(tmp_path, filled_store):
    items = filled_store.latest_releases()
    write_feeds(tmp_path / "public", INFO, items)
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((tmp_path / "public" / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 5
        assert {e.id for e in parsed.entries} == {s.release.url for s in items}
        assert parsed.entries[0].title == "第4场新闻发布会 <b>&</b>"
        assert parsed.entries[0].published_parsed is not None
    rss = feedparser.parse((tmp_path / "public" / "rss.xml").read_bytes())
    assert rss.feed.link == "https://www.dg.gov.cn/"  # not the self link (feedgen quirk)
    assert rss.feed.language == "zh-CN"
    raw = (tmp_path / "public" / "rss.xml").read_text(encoding="utf-8")
    assert "+0800" in raw and 'isPermaLink="true"' in raw
    assert 'href="https://feeds.example.org/dg/rss.xml" rel="self"' in raw


def test_rerun_leaves_files_untouched(tmp_path, filled_store):
    public = tmp_path / "public"
    first = write_feeds(public, INFO, filled_store.latest_releases())
    assert first == {"rss.xml": True, "atom.xml": True}
    mtimes = {p.name: p.stat().st_mtime_ns for p in public.iterdir()}
    again = write_feeds(public, INFO, filled_store.latest_releases())
    assert again == {"rss.xml": False, "atom.xml": False}
    assert {p.name: p.stat().st_mtime_ns for p in public.iterdir()} == mtimes


def test_edit_changes_the_item_not_its_identity(tmp_path, filled_store):
    public = tmp_path / "public"
    write_feeds(public, INFO, filled_store.latest_releases())
    before = feedparser.parse((public / "atom.xml").read_bytes())
    filled_store.upsert_release(_release(2, text="改期通知。"))
    write_feeds(public, INFO, filled_store.latest_releases())
    after = feedparser.parse((public / "atom.xml").read_bytes())
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    edited = next(e for e in after.entries if e.id.endswith("post_1000002.html"))
    assert edited.summary == "改期通知。"


def test_summary_cuts_at_a_sentence():
    text = "第一句话很长很长。" * 40
    summary = summary_of(text, limit=50)
    assert summary.endswith("。") and len(summary) <= 50


def test_write_if_changed_is_atomic_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "a" / "f.xml"
    assert write_if_changed(target, b"one") is True
    assert write_if_changed(target, b"one") is False
    assert write_if_changed(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.xml"]
    (target.parent / ".tmp-crashed.xml").write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == 1
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"
