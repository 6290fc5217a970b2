"""Poster rendering speed: median ms per poster per format, posters per second.

Goals (issue 4): <= 60 ms median for a 1080x1440 poster with fonts loaded once, and the four
formats of 100 events within 30 s on 2 cores (a process pool of 2). Run by hand::

    .venv/bin/python benchmarks/posters.py [--events 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks._poster.draw import encode_png  # noqa: E402
from tasks.poster import (  # noqa: E402
    FORMATS,
    PosterContent,
    choose_template,
    default_fontbook,
    load_templates,
    qr_matrix,
    render_image,
    render_poster,
)

NAMES = (
    "2024东莞高层次人才活动周暨人才嘉年华系列活动开幕式", "“人才之夜”新年音乐会",
    "第十五届CBA全明星周末5G直播发布会", "《东莞市国土空间总体规划（2021—2035年）》新闻发布会",
    "“才聚莞邑 篮梦飞扬”——东莞高层次人才活动周篮球嘉年华", "松山湖第四届“优才杯”羽毛球友谊赛",
    "粤港澳大湾区博士博士后创新创业洽谈活动", "2025东莞马拉松", "东莞外向型经济高质量发展论坛",
    "莞邑国际友人镇街行活动",
)
VENUES = ("东莞玉兰大剧院", "东莞市民服务中心广场", "松山湖篮球公园", None,
          "东莞市人民政府新闻发布厅（市行政办事中心3楼）")


def events(count: int) -> list[PosterContent]:
    """``count`` distinct contents (a number makes each headline unique: no cache helps)."""
    return [
        PosterContent(
            headline=f"{NAMES[i % len(NAMES)]}（第{i + 1}场）" if i >= len(NAMES) else NAMES[i],
            date_line=f"2025年{i % 12 + 1}月{i % 28 + 1}日（周五）晚 19:30",
            venue=VENUES[i % len(VENUES)],
            office="东莞市人民政府新闻办公室",
            source="中国东莞政府门户网站",
            release_url=f"https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_{4300000 + i}.html",
        )
        for i in range(count)
    ]


def _render_all(contents: list[PosterContent]) -> int:
    templates = load_templates()
    for content in contents:
        template = choose_template(content, templates)
        for fmt in FORMATS:
            render_poster(content, template=template, fmt=fmt)
    return len(contents) * len(FORMATS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=40, help="posters per format, timed alone")
    args = parser.parse_args()

    started = time.perf_counter()
    templates = load_templates()
    default_fontbook()
    print(f"load templates + fonts: {(time.perf_counter() - started) * 1000:.0f} ms")
    contents = events(max(args.events, args.samples))
    # warm up: font sizes and cached backgrounds, as in a long-running worker
    for template in templates.values():
        for fmt in FORMATS:
            render_poster(contents[0], template=template, fmt=fmt)

    # Wall time suffers when other processes share the 2 cores; CPU time (process_time) much less.
    print(f"{'format':<14}{'template':<12}{'median ms':>10}{'p90 ms':>9}{'CPU ms':>8}"
          f"{'png ms':>8}{'KiB':>7}")
    for template in templates.values():
        for fmt in FORMATS:
            times, cpu, png_ms, sizes = [], [], [], []
            for content in contents[1 : args.samples + 1]:
                qr_matrix.cache_clear()  # every event has its own URL: pay for its QR code
                t0, c0 = time.perf_counter(), time.process_time()
                poster = render_poster(content, template=template, fmt=fmt)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                sizes.append(len(poster.png))
                image, _, _ = render_image(content, template=template, fmt=fmt)
                c1 = time.process_time()
                encode_png(image)
                png_ms.append((time.process_time() - c1) * 1000)
            times.sort()
            print(f"{fmt:<14}{template.name:<12}{statistics.median(times):>10.1f}"
                  f"{times[int(len(times) * 0.9)]:>9.1f}{statistics.median(cpu):>8.1f}"
                  f"{statistics.median(png_ms):>8.1f}{statistics.mean(sizes) / 1024:>7.0f}")

    batch = contents[: args.events]
    chunks = [batch[i :: args.workers] for i in range(args.workers)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        total = sum(pool.map(_render_all, chunks))
    elapsed = time.perf_counter() - t0
    print(f"{args.events} events x {len(FORMATS)} formats = {total} posters with "
          f"{args.workers} processes on {os.cpu_count()} cores: {elapsed:.1f} s "
          f"({total / elapsed:.1f} posters/s; goal: <= 30 s)")


if __name__ == "__main__":
    main()
