"""The synthetic portal of the scale benchmark: its shape, its pages, and a crawl over HTTP."""

from __future__ import annotations

import pytest

from tasks import crawl
from tasks.parse import parse_article, parse_list_page
from tasks.settings import SiteProfile
from tasks.site import Fetcher
from tasks.store import open_store
from tasks.synthetic_portal import FIRST_POST_ID, PER_PAGE, SyntheticPortal, profile_toml

BASE = "http://127.0.0.1:8/"


@pytest.fixture(scope="module")
def big() -> SyntheticPortal:
    return SyntheticPortal(10_000)


def _profile(portal: SyntheticPortal, base: str = BASE) -> SiteProfile:
    return SiteProfile(**portal.profile_data(base))


def test_ten_thousand_releases_make_five_hundred_list_pages(big):
    assert big.list_pages() == 500
    assert [len(big.column_indices(k)) for k in ("xwfbh", "zcjd")] == [5000, 5000]
    profile = _profile(big)
    first = parse_list_page(big.page("/zwgk/jdhy/xwfbh/")[0].decode(), url=BASE + "zwgk/jdhy/xwfbh/",
                            profile=profile)
    assert len(first.items) == PER_PAGE
    assert first.items[0].url == BASE + big.article_url_path(9998).lstrip("/")
    assert first.next_url == BASE + "zwgk/jdhy/xwfbh/index_2.html"
    last_url = BASE + "zwgk/jdhy/zcjd/index_250.html"
    last = parse_list_page(big.page("/zwgk/jdhy/zcjd/index_250.html")[0].decode(), url=last_url,
                           profile=profile)
    assert last.next_url is None
    assert last.items[-1].url == BASE + big.article_url_path(1).lstrip("/")
    assert big.page("/zwgk/jdhy/zcjd/index_251.html") is None
    assert big.page(f"/zwgk/jdhy/xwfbh/content/post_{FIRST_POST_ID + 1}.html") is None  # a zcjd id


def test_pages_are_deterministic_and_the_seed_varies_them():
    path = SyntheticPortal(50).article_url_path(7)
    assert SyntheticPortal(50).page(path) == SyntheticPortal(50).page(path)
    assert SyntheticPortal(50, seed=1).page(path)[0] != SyntheticPortal(50).page(path)[0]


def test_releases_are_valid_sample_data_with_events_in_their_text(big):
    """sitegen's own checks (weekdays right, evidence in the body) hold, and the parsed text of a
    release holds the sentences that announce its events."""
    profile = _profile(big)
    titles, with_events = set(), 0
    for i in range(9900, 10_000):
        spec = big.release(i)
        assert big.sitegen.check_release(spec) == []
        titles.add(spec.title)
        body, content_type, _ = big.page(big.article_url_path(i))
        encoding = "gbk" if spec.variant.startswith("gbk") else "utf-8"
        release = parse_article(body.decode(encoding), url=BASE + big.article_url_path(i).lstrip("/"),
                                profile=profile)
        assert release.title == spec.title and release.post_id == f"post_{spec.post_id}"
        if spec.events:
            with_events += 1
        for event in spec.events:
            assert event.evidence in release.text
    assert with_events >= 40  # most press conferences announce something
    assert len(titles) >= 60  # varied, not one page repeated


def test_a_crawl_over_http_then_a_poll_asks_once_per_column(tmp_path):
    with SyntheticPortal(45) as portal:
        profile = _profile(portal, portal.url)
        store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
        with Fetcher(profile=profile, min_request_interval=0) as fetcher:
            walks = [
                crawl.walk_column(fetcher, store, column_url=url, profile=profile, max_pages=10,
                                  stop_at_known=False)
                for _, url in profile.column_urls()
            ]
            assert [w.pages_fetched for w in walks] == [2, 2]
            planned = crawl.plan_articles(store, walks, recheck_after=None,
                                          recheck_window=crawl.timedelta(days=30))
            results = crawl.fetch_articles(fetcher, planned, profile=profile, concurrency=4)
            outcomes = [crawl.store_article(store, r) for r in results]
            assert [o.status for o in outcomes].count("new") == 45
            portal.reset_counts()
            again = [
                crawl.walk_column(fetcher, store, column_url=url, profile=profile, max_pages=3)
                for _, url in profile.column_urls()
            ]
        assert [w.pages_not_modified for w in again] == [1, 1]
        assert {p: portal.request_count(p) for p in portal.list_paths()} == {
            "/zwgk/jdhy/xwfbh/": 1, "/zwgk/jdhy/zcjd/": 1,
        }
        assert sum(portal.counts.values()) == 2
        assert store.release_count() == 45


def test_profile_toml_round_trips(tmp_path):
    import tomllib

    portal = SyntheticPortal(10)
    data = portal.profile_data(BASE)
    assert tomllib.loads(profile_toml(data)) == data
    assert SiteProfile(**data).min_request_interval == 0


def test_a_walk_since_a_day_stops_after_the_first_page_older_than_it(tmp_path):
    """A backfill ``since`` a day reads the list pages down to that day, not all ``max_pages``."""
    with SyntheticPortal(400) as portal:  # 10 list pages per column
        profile = _profile(portal, portal.url)
        column = profile.column_urls()[0][1]
        pages, url = [], column
        while url:  # the column's pages as the site serves them, to know where `since` falls
            path = "/" + url.split("/", 3)[3]
            page = parse_list_page(portal.page(path)[0].decode(), url=url, profile=profile)
            pages.append(page)
            url = page.next_url
        assert len(pages) == 10
        since = min(i.published for i in pages[3].items)  # a day listed on the 4th page
        expected = next(n for n, p in enumerate(pages, 1) if crawl.all_listed_before(p, since))
        assert 4 <= expected < 10
        store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
        with Fetcher(profile=profile, min_request_interval=0) as fetcher:
            walk = crawl.walk_column(fetcher, store, column_url=column, profile=profile,
                                     max_pages=10, stop_at_known=False, since=since)
            other = open_store(f"sqlite:///{tmp_path / 'full.db'}")  # no validators: all pages read
            full = crawl.walk_column(fetcher, other, column_url=column, profile=profile,
                                     max_pages=10, stop_at_known=False)
    assert walk.pages_fetched == expected and full.pages_fetched == 10
    # Nothing listed since that day is missed by stopping early.
    wanted = {i.url for i in full.items if i.published is None or i.published >= since}
    assert wanted <= {i.url for i in walk.items}


def test_pinned_old_items_do_not_stop_a_walk_since_a_day():
    from datetime import date

    from tasks.models import ListItem, ListPage

    old = ListItem("http://a/1", "置顶", date(2020, 1, 1))
    new = ListItem("http://a/2", "新", date(2024, 5, 1))
    undated = ListItem("http://a/3", "无日期", None)
    since = date(2024, 1, 1)
    assert not crawl.all_listed_before(ListPage("http://a/", (old, new), None), since)
    assert crawl.all_listed_before(ListPage("http://a/", (old, undated), None), since)
    assert not crawl.all_listed_before(ListPage("http://a/", (undated,), None), since)
    assert not crawl.all_listed_before(ListPage("http://a/", (), None), since)
