"""How long writing every output (RSS, Atom, JSON Feed, events.ics, index.html) takes for 1,000 and
10,000 releases in a real SQLite store. Goal: under 2 s for 10,000.

Releases (two events each, one poster file per release) are generated straight into a temporary
store with bulk inserts, so setting up 10,000 takes seconds, not the ~30 s of one upsert each.
Each size is timed three ways: the first run (every file written), a re-run with nothing changed
(every file rendered, compared, left alone), and a worst case whose calendar window holds every
event in the store. Phases are timed separately to show what dominates.

    .venv/bin/python benchmarks/feeds.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows import outputs  # noqa: E402
from flows.outputs import (  # noqa: E402
    calendar_info,
    feed_info,
    landing_page,
    load_calendar_sources,
    publish_outputs,
)
from tasks.calendar import calendar_entries, render_ics, upcoming  # noqa: E402
from tasks.feeds import build_feed_items, render_feeds  # noqa: E402
from tasks.landing import render_landing  # noqa: E402
from tasks.models import SHANGHAI, Event, Release, TimeOfDay  # noqa: E402
from tasks.settings import Settings, load_profile  # noqa: E402
from tasks.store import (  # noqa: E402
    _release_row,
    _replace_events,
    open_store,
    posters_table,
    releases_table,
)

START = datetime(2019, 1, 1, 10, 0, tzinfo=SHANGHAI)
STEP = timedelta(hours=8)  # three releases a day
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2a5a0e30000000049454e44ae426082"
)


def generate(folder: Path, count: int):
    store = open_store(f"sqlite:///{folder / 'publicity.db'}")
    public = folder / "public"
    (public / "posters").mkdir(parents=True)
    releases, posters, events = [], [], []
    for i in range(count):
        published = START + STEP * i
        text = f"东莞市人民政府新闻办公室定于近期召开第{i}场新闻发布会。" + "发布会将介绍有关工作情况，并回答记者提问。" * 30
        release = Release(
            url=f"https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_{4000000 + i}.html",
            post_id=str(4000000 + i), title=f"东莞市第{i}场新闻发布会", published=published,
            text=text, html="".join(f"<p>{p}</p>" for p in text.split("。") if p),
            column="新闻发布会", source="东莞市人民政府新闻办公室",
        )
        ts = published.isoformat()
        releases.append({**_release_row(release), "first_seen": ts, "updated": ts,
                         "last_checked": ts, "listed_in": None})
        day = (published + timedelta(days=5)).date()
        events.append((release.url, [
            Event(name=f"第{i}场新闻发布会", venue="东莞市民服务中心一楼新闻发布厅",
                  start=datetime(day.year, day.month, day.day, 15, 0, tzinfo=SHANGHAI),
                  time_of_day=TimeOfDay.AFTERNOON, sentence="定于下午3点举行。"),
            Event(name="配套展览", start=day, end=day + timedelta(days=2), venue="东莞展览馆"),
        ]))
        path = f"posters/{release.post_id}-0-portrait.png"
        (public / path).write_bytes(PNG)
        posters.append({
            "release_url": release.url, "event_seq": 0, "format": "portrait", "template": "bench",
            "path": path, "sha256": hashlib.sha256(PNG).hexdigest(), "size_bytes": len(PNG),
            "width": 1080, "height": 1440, "input_key": "k", "warnings": "[]", "rendered_at": ts,
        })
    with store.engine.begin() as conn:
        conn.execute(releases_table.insert(), releases)
        conn.execute(posters_table.insert(), posters)
        for url, evs in events:
            _replace_events(conn, url, evs)
    last_day = (START + STEP * (count - 1)).date()
    return store, public, last_day


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def phases(store, public, settings, profile, today: date) -> dict[str, float]:
    """The work of publish_outputs, phase by phase (rendering only, no writes)."""
    out: dict[str, float] = {}
    def load():
        latest = store.latest_releases(limit=settings.feed_items)
        return latest, store.posters_for([r.release.url for r in latest])

    (releases, posters), out["load latest + posters"] = timed(load)
    items, _ = timed(lambda: build_feed_items(releases, posters,
                                              public_base_url=settings.public_base_url,
                                              public_dir=public))
    info = feed_info(settings, profile)
    _, out["render RSS+Atom+JSON"] = timed(lambda: render_feeds(info, items))
    since = today - timedelta(days=settings.ics_past_days)
    sources, out["calendar query"] = timed(lambda: load_calendar_sources(store, since=since))
    entries, out["calendar entries"] = timed(lambda: calendar_entries(sources, since=since))
    ics, out["render ICS"] = timed(lambda: render_ics(calendar_info(settings, profile), entries))
    _, out["render index.html"] = timed(lambda: render_landing(
        landing_page(settings, profile), items,
        upcoming(entries, today=today)[:outputs.LANDING_AGENDA_ITEMS]))
    out["_events in calendar"] = len(entries)
    out["_ics bytes"] = len(ics)
    return out


def run(count: int) -> None:
    profile = load_profile("dongguan")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (store, public, today), gen = timed(lambda: generate(folder, count))
        settings = Settings(out=folder, public_base_url="https://feeds.example.org/dg/")
        print(f"\n{count:,} releases ({2 * count:,} events; generated in {gen:.1f} s), "
              f"feeds carry {settings.feed_items}, "
              f"calendar window {settings.ics_past_days} days back")
        changed, first = timed(lambda: publish_outputs(store, out=folder, settings=settings,
                                                       profile=profile, today=today))
        print(f"  first run (writes {len(changed)} files): {first:.3f} s")
        unchanged, rerun = timed(lambda: publish_outputs(store, out=folder, settings=settings,
                                                         profile=profile, today=today))
        assert unchanged == [], unchanged
        print(f"  re-run, nothing changed:      {rerun:.3f} s")
        for name, value in phases(store, public, settings, profile, today).items():
            if name.startswith("_"):
                print(f"    {name[1:]:<28} {value:,}")
            else:
                print(f"    {name:<28} {value:.3f} s")
        everything = settings.model_copy(update={"ics_past_days": 10_000})
        changed, worst = timed(lambda: publish_outputs(store, out=folder, settings=everything,
                                                       profile=profile, today=today))
        size = (public / "events.ics").stat().st_size
        print(f"  worst case, every event in the calendar: {worst:.3f} s "
              f"(events.ics {size / 1e6:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    for size in args.sizes:
        run(size)


if __name__ == "__main__":
    main()
