"""events.ics from a real store, parsed back with icalendar: every event with the right times,
all-day ranges with exclusive ends, stable UIDs across runs and edits, identical bytes on a
re-run, and any text (hypothesis) surviving escaping and line folding."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from flows.outputs import load_calendar_sources, publish_outputs
from tasks.calendar import (
    CalendarInfo,
    CalendarSource,
    calendar_entries,
    event_times,
    event_uid,
    render_ics,
    sources_from_releases,
    upcoming,
)
from tasks.models import SHANGHAI, Event, TimeOfDay
from tasks.settings import load_profile
from tasks.store import open_store
from tests.test_feeds import CREATED, fill_store, make_events, make_release, settings_for

INFO = CalendarInfo(name="东莞市人民政府新闻办公室 · 活动日历", description="测试",
                    url="https://feeds.example.org/dg/events.ics")
URL = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_1.html"


def _source(event: Event, seq: int = 0, url: str = URL) -> CalendarSource:
    return CalendarSource(release_url=url, release_title="关于召开新闻发布会的通知",
                          release_updated=CREATED, seq=seq, event=event)


def _parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return cal


def _vevents(cal: Calendar) -> dict[str, object]:
    return {str(ev["SUMMARY"]): ev for ev in cal.walk("VEVENT")}


def test_store_events_round_trip_with_right_times(tmp_path):
    store, _public = fill_store(tmp_path, count=3, posters=False)
    entries = calendar_entries(load_calendar_sources(store, since=date(2024, 12, 1)))
    cal = _parse(render_ics(INFO, entries))
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == 6 == len({str(v["UID"]) for v in vevents})
    tz = [c for c in cal.walk("VTIMEZONE")]
    assert [str(t["TZID"]) for t in tz] == ["Asia/Shanghai"]
    for i in range(3):
        timed, exhibition = make_events(i)
        release = make_release(i)
        ours = [v for v in vevents if str(v["URL"]) == release.url]
        by_name = {str(v["SUMMARY"]): v for v in ours}
        start = by_name[timed.name].decoded("DTSTART")
        assert start == timed.start and start.tzinfo is not None
        assert by_name[timed.name]["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert "DTEND" not in by_name[timed.name]  # no end given: none invented
        assert str(by_name[timed.name]["LOCATION"]) == timed.venue
        all_day = by_name[exhibition.name]
        assert all_day.decoded("DTSTART") == exhibition.start  # a date, not a datetime
        assert not isinstance(all_day.decoded("DTSTART"), datetime)
        assert all_day.decoded("DTEND") == exhibition.end + timedelta(days=1)  # exclusive end
        assert release.url in str(all_day["DESCRIPTION"])
        assert all_day.decoded("DTSTAMP") == CREATED + timedelta(minutes=i)  # the release's change


def test_rerun_gives_identical_bytes_and_edits_keep_uids(tmp_path):
    store, _public = fill_store(tmp_path, count=2, posters=False)
    first = render_ics(INFO, calendar_entries(load_calendar_sources(store, since=date(2024, 12, 1))))
    again = render_ics(INFO, calendar_entries(load_calendar_sources(store, since=date(2024, 12, 1))))
    assert first == again
    uids = {str(v["SUMMARY"]) + str(v["URL"]): str(v["UID"]) for v in _parse(first).walk("VEVENT")}

    # The source corrects the date of the first event and the venue of the second; reorders them.
    timed, exhibition = make_events(1)
    moved = Event(name=timed.name, start=timed.start + timedelta(days=1, hours=-1),
                  venue="新的地点")
    store.upsert_release(make_release(1, text="改期通知。"), events=[exhibition, moved],
                         at=CREATED + timedelta(days=1))
    edited = _parse(render_ics(
        INFO, calendar_entries(load_calendar_sources(store, since=date(2024, 12, 1)))))
    after = {str(v["SUMMARY"]) + str(v["URL"]): v for v in edited.walk("VEVENT")}
    assert {k: str(v["UID"]) for k, v in after.items()} == uids
    corrected = after[timed.name + make_release(1).url]
    assert corrected.decoded("DTSTART") == moved.start
    assert str(corrected["LOCATION"]) == "新的地点"
    assert corrected.decoded("DTSTAMP") == CREATED + timedelta(days=1)


def test_same_named_events_get_distinct_uids():
    first = Event(name="新闻发布会", start=datetime(2024, 12, 27, 10, 0, tzinfo=SHANGHAI))
    second = Event(name="新闻 发布会", start=datetime(2024, 12, 28, 10, 0, tzinfo=SHANGHAI))
    entries = calendar_entries([_source(first, 0), _source(second, 1)])
    assert len({e.uid for e in entries}) == 2
    assert entries[0].uid == event_uid(URL, "新闻发布会", 0)
    assert entries[1].uid == event_uid(URL, "新闻发布会", 1)  # spacing does not matter
    assert entries[0].uid.endswith("@www.dg.gov.cn")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (Event(name="a", start=date(2024, 12, 20)), (date(2024, 12, 20), date(2024, 12, 21), True)),
        (Event(name="a", start=date(2024, 12, 30), end=date(2025, 1, 2)),
         (date(2024, 12, 30), date(2025, 1, 3), True)),
        (Event(name="a", start=date(2024, 12, 20), end=date(2024, 12, 19)),  # backwards: one day
         (date(2024, 12, 20), date(2024, 12, 21), True)),
        (Event(name="a", start=datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI),
               end=datetime(2024, 12, 27, 21, 0, tzinfo=SHANGHAI)),
         (datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI),
          datetime(2024, 12, 27, 21, 0, tzinfo=SHANGHAI), False)),
        (Event(name="a", start=datetime(2024, 12, 20, 9, 0, tzinfo=SHANGHAI),
               end=date(2024, 12, 22)),
         (datetime(2024, 12, 20, 9, 0, tzinfo=SHANGHAI),
          datetime(2024, 12, 23, 0, 0, tzinfo=SHANGHAI), False)),
        (Event(name="a", start=datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI),
               end=datetime(2024, 12, 27, 18, 0, tzinfo=SHANGHAI)),
         (datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI), None, False)),
    ],
)
def test_event_times(event, expected):
    assert event_times(event) == expected


def test_utc_times_are_written_in_shanghai_time():
    utc_start = datetime(2024, 12, 27, 3, 30, tzinfo=ZoneInfo("UTC"))
    cal = _parse(render_ics(INFO, calendar_entries([_source(Event(name="x", start=utc_start))])))
    [vevent] = cal.walk("VEVENT")
    assert vevent["DTSTART"].to_ical() == b"20241227T113000"
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"


def test_window_keeps_upcoming_and_recent_events_only():
    events = [
        Event(name="long ago", start=date(2024, 10, 1)),
        Event(name="recent", start=date(2024, 11, 25)),
        Event(name="still running", start=date(2024, 10, 1), end=date(2024, 12, 31)),
        Event(name="coming", start=datetime(2025, 1, 5, 9, 30, tzinfo=SHANGHAI),
              time_of_day=TimeOfDay.MORNING),
    ]
    entries = calendar_entries([_source(e, i) for i, e in enumerate(events)],
                               since=date(2024, 11, 15))
    assert [e.event.name for e in entries] == ["still running", "recent", "coming"]
    assert [e.event.name for e in upcoming(entries, today=date(2024, 12, 1))] == [
        "still running", "coming"]


def test_store_query_matches_the_releases_and_skips_old_releases(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    old = make_release(0, published=datetime(2023, 1, 1, tzinfo=SHANGHAI))
    store.upsert_release(old, events=[Event(name="旧活动", start=date(2023, 1, 5))], at=CREATED)
    for i in (1, 2):
        store.upsert_release(make_release(i), events=make_events(i), at=CREATED)
    since = date(2024, 12, 1)
    from_query = load_calendar_sources(store, since=since)
    from_releases = [s for s in sources_from_releases(store.latest_releases())
                     if s.release_url != old.url]
    key = lambda s: (s.release_url, s.seq)  # noqa: E731
    assert sorted(from_query, key=key) == sorted(from_releases, key=key)


def test_calendar_properties_for_subscribers(tmp_path):
    store, _public = fill_store(tmp_path, count=1, posters=False)
    out = tmp_path / "out"
    publish_outputs(store, out=out, settings=settings_for(tmp_path, feed_ttl=45),
                    profile=load_profile("dongguan"), today=date(2024, 12, 20))
    data = (out / "public" / "events.ics").read_bytes()
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    cal = _parse(data)
    assert str(cal["X-WR-CALNAME"]) == "东莞市人民政府新闻办公室 · 活动日历"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(minutes=45)
    assert str(cal["SOURCE"]) == "https://feeds.example.org/dg/events.ics"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert len(list(cal.walk("VEVENT"))) == 2


def test_no_events_gives_a_valid_empty_calendar():
    cal = _parse(render_ics(INFO, []))
    assert list(cal.walk("VEVENT")) == []


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(";,\\:\"\n\r\t 东莞市民服务中心（一楼）——“新闻”发布厅·🎉é")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    min_size=1, max_size=120,
)


def _clean(text: str) -> str:
    """What survives the calendar: control characters dropped, any newline written as \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or not (ord(c) < 0x20 or ord(c) == 0x7F))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_TEXT, venue=_TEXT, title=_TEXT)
def test_any_text_round_trips_through_icalendar(name, venue, title):
    source = CalendarSource(release_url=URL, release_title=title, release_updated=CREATED, seq=0,
                            event=Event(name=name, start=date(2024, 12, 20), venue=venue))
    data = render_ics(INFO, calendar_entries([source]))
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folding never splits a character
    [vevent] = Calendar.from_ical(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == _clean(name)
    assert str(vevent["LOCATION"]) == _clean(venue)
    assert str(vevent["DESCRIPTION"]).startswith(_clean(title))
