"""Parse throughput: releases per second and list pages per second (bs4 + lxml).

Run by hand, from the project root:

    .venv/bin/python benchmarks/parse.py [--rounds 5] [--site assets/sample_site]

Reads the sample site's article pages (``**/content/post_*.html``) and list pages
(``**/index*.html`` holding a release list), decodes them once as the fetcher would (UTF-8, else
GB18030), then times ``parse_article`` and ``parse_list_page`` over several rounds. For scale it
also times the bare ``BeautifulSoup(html, "lxml")`` tree build and the real pages in
tests/fixtures/real_pages. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup  # noqa: E402

from tasks.errors import ParseError  # noqa: E402
from tasks.parse import parse_article, parse_list_page  # noqa: E402
from tasks.settings import SAMPLE_SITE_DIR, SiteProfile, load_profile  # noqa: E402

SAMPLE_BASE = "http://127.0.0.1:8765/"
REAL = ROOT / "tests" / "fixtures" / "real_pages"
REAL_LISTS = {
    "hrss_dg_list.html": "http://dghrss.dg.gov.cn/xwzx/gsgg/gkzp/index.html",
    "hrss_gd_list.html": "https://hrss.gd.gov.cn/zwgk/sydwzp/zpgg/index.html",
    "hrss_gz_list.html": "https://rsj.gz.gov.cn/ywzt/rszdgg/sydwgkzp/index.html",
    "hrss_sz_list.html": "https://hrss.sz.gov.cn/gzryzk/index.html",
    "gdcourts_list.html": "https://www.gdcourts.gov.cn/gsxx/fayuangonggao/index.html",
}
REAL_ARTICLES = {
    "drc_gd_article_post_4960402.html": "https://drc.gd.gov.cn/ywtz/content/post_4960402.html",
}

Page = tuple[str, str]  # (url, decoded html)


def decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def sample_pages(site: Path) -> tuple[list[Page], list[Page]]:
    articles = [
        (SAMPLE_BASE + p.relative_to(site).as_posix(), decode(p))
        for p in sorted(site.rglob("content/post_*.html"))
    ]
    lists = [
        (SAMPLE_BASE + p.relative_to(site).as_posix(), decode(p))
        for p in sorted(site.rglob("index*.html"))
        if "/content/" not in p.as_posix()
    ]
    return articles, lists


def time_rounds(pages: list[Page], work: Callable[[str, str], object], rounds: int) -> list[float]:
    """Seconds per round over all pages (after one warm-up round)."""
    for url, html in pages:
        work(url, html)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for url, html in pages:
            work(url, html)
        timings.append(time.perf_counter() - start)
    return timings


def report(label: str, pages: list[Page], timings: list[float]) -> None:
    best, median = min(timings), statistics.median(timings)
    size = sum(len(h) for _, h in pages) / max(1, len(pages)) / 1024
    print(
        f"  {label:<34} {len(pages):>4} pages  avg {size:5.1f} KiB  "
        f"{len(pages) / median:7.1f}/s median  {len(pages) / best:7.1f}/s best  "
        f"{median / max(1, len(pages)) * 1000:6.1f} ms/page"
    )


def tolerant(parse: Callable[[str, str], object]) -> Callable[[str, str], object]:
    def run(url: str, html: str) -> object:
        try:
            return parse(url, html)
        except ParseError as exc:  # counted as work done: a recorded failure costs parsing too
            return exc

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--site", type=Path, default=SAMPLE_SITE_DIR)
    args = parser.parse_args()

    print(
        f"parse benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"bs4 + lxml, {args.rounds} rounds (median and best round)"
    )
    profile = load_profile("dongguan").with_base_url(SAMPLE_BASE)

    def article(url: str, html: str) -> object:
        return parse_article(html, url=url, profile=profile)

    def listing(url: str, html: str) -> object:
        return parse_list_page(html, url=url, profile=profile)

    def tree(url: str, html: str) -> object:
        return BeautifulSoup(html, "lxml")

    if args.site.is_dir():
        articles, lists = sample_pages(args.site)
        failures = [u for u, h in articles if isinstance(tolerant(article)(u, h), ParseError)]
        print(f"sample site {args.site} ({len(failures)} article(s) raised ParseError)")
        if articles:
            report(
                "parse_article (releases)",
                articles,
                time_rounds(articles, tolerant(article), args.rounds),
            )
            report(
                "  of which BeautifulSoup(lxml)", articles, time_rounds(articles, tree, args.rounds)
            )
        if lists:
            report(
                "parse_list_page (list pages)",
                lists,
                time_rounds(lists, tolerant(listing), args.rounds),
            )
    else:
        print(f"sample site {args.site} missing: build it first; real pages only")

    print("real pages (tests/fixtures/real_pages)")
    real_articles = [(u, decode(REAL / n)) for n, u in REAL_ARTICLES.items()]
    real_lists = [(u, decode(REAL / n)) for n, u in REAL_LISTS.items()]

    def real_article(url: str, html: str) -> object:
        host = url.split("/")[2]
        return parse_article(html, url=url, profile=_profile(host))

    def real_listing(url: str, html: str) -> object:
        host = url.split("/")[2]
        return parse_list_page(html, url=url, profile=_profile(host))

    report(
        "parse_article (drc.gd.gov.cn)",
        real_articles,
        time_rounds(real_articles, real_article, args.rounds * 4),
    )
    report(
        "parse_list_page (5 sister sites)",
        real_lists,
        time_rounds(real_lists, real_listing, args.rounds),
    )
    return 0


def _profile(host: str) -> SiteProfile:
    return SiteProfile(
        name=host, title=host, office=host, base_url=f"https://{host}/", hosts=[host], columns=[]
    )


if __name__ == "__main__":
    raise SystemExit(main())
