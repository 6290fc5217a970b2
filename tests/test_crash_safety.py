"""Crash safety: the poll is SIGKILLed at random points, then run again to completion.

After every kill: the store is consistent and every file in OUT is whole (each .xml parses, each
.png verifies, feed.json loads, events.ics parses, each page is complete); leftover ``.tmp-`` files
are allowed until the next run. After the final run: every release of the sample site is stored
once, every event has its posters, every release with an event to come has one open draft per
platform, the feeds carry each release once, and no temporary file is left anywhere in OUT.

The kills use tests/poll_plain.py (the flow's steps without Prefect: fast to start, so the random
points spread over the real work); one run goes through the real flow, ``publicity run``, killed
once it has stored some releases. The secrets set for that run (a cookie, a notification URL with
a token) must appear in no output, no log line and no file of OUT or of Prefect's home.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import feedparser
import icalendar
import pytest
from lxml import etree
from PIL import Image

from tasks.models import SHANGHAI
from tasks.sample_server import SampleServer
from tasks.settings import PROJECT_ROOT, SAMPLE_SITE_DIR, SITES_DIR
from tasks.store import open_store
from tests.conftest import sample_article_files

PYTHON = sys.executable
POLL_PLAIN = PROJECT_ROOT / "tests" / "poll_plain.py"
SEED = int(os.environ.get("CRASH_SEED", "20261129"))
KILLS = 5
PLATFORMS = 5  # assets/drafts/platforms.toml
FORMATS = 4  # tasks/poster.py FORMATS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleServer]:
    root = tmp_path_factory.mktemp("crash") / "site"
    import shutil

    shutil.copytree(SAMPLE_SITE_DIR, root)
    with SampleServer(root) as running:
        yield running


def profile_file(server: SampleServer, folder: Path) -> Path:
    """The sample profile with the local server's base URL, as a file ``--site`` accepts."""
    text = (SITES_DIR / "sample.toml").read_text(encoding="utf-8")
    text = text.replace('base_url = "http://127.0.0.1/"', f'base_url = "{server.url}"')
    assert server.url in text
    path = folder / "sample_local.toml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(out: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBLICITY_")}
    env.update(PUBLICITY_OUT=str(out), PUBLICITY_MIN_REQUEST_INTERVAL="0", PUBLICITY_FEED_ITEMS="500",
               PYTHONUNBUFFERED="1", **extra)
    return env


def start_plain(server: SampleServer, out: Path, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, str(POLL_PLAIN), "--site", "sample", "--base-url", server.url, *options],
        cwd=PROJECT_ROOT, env=env_for(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def expected_paths(server: SampleServer) -> set[str]:
    return {"/" + p.relative_to(server.root).as_posix() for p in sample_article_files(server.root)}


# ------------------------------------------------------------------------------ checks

def check_files_whole(out: Path) -> list[Path]:
    """Every output file parses; returns the leftover temporary files (allowed after a kill)."""
    leftovers = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.name.startswith(".tmp-"):
            leftovers.append(path)
            continue
        data = path.read_bytes()
        if path.suffix == ".xml":
            etree.fromstring(data)
            assert not feedparser.parse(data).bozo, path
        elif path.suffix == ".png":
            with Image.open(path) as image:
                image.verify()
        elif path.name == "feed.json":
            json.loads(data)
        elif path.suffix == ".ics":
            icalendar.Calendar.from_ical(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
        elif path.suffix == ".txt":
            data.decode("utf-8")
    return leftovers


def check_store(out: Path, server: SampleServer, *, complete: bool, drafts: bool = True) -> None:
    store = open_store(f"sqlite:///{out / 'publicity.db'}")
    try:
        assert store.integrity_problems() == []
        urls = [s.release.url for s in store.latest_releases()]
        assert len(urls) == len(set(urls)) == store.release_count()
        paths = {"/" + u.split("/", 3)[3] for u in urls}
        assert paths <= expected_paths(server)
        if not complete:
            return
        assert paths == expected_paths(server)
        assert store.failures() == []
        with sqlite3.connect(out / "publicity.db") as db:
            poster_keys = db.execute("select release_url, event_seq, format from posters").fetchall()
            assert len(poster_keys) == len(set(poster_keys)) == FORMATS * store.event_count()
            for (path,) in db.execute("select path from posters"):
                assert (out / "public" / path).is_file(), path
            open_drafts = db.execute(
                "select release_url, platform, count(*) from drafts "
                "where state in ('pending', 'invalid') group by release_url, platform"
            ).fetchall()
        assert all(n == 1 for *_, n in open_drafts), open_drafts
        if drafts:
            today = datetime.now(SHANGHAI).date().isoformat()
            upcoming = {
                s.release.url for s in store.latest_releases()
                if any((e.end or e.start).isoformat()[:10] >= today for e in s.events)
            }
            drafted = {u for u, _, _ in open_drafts}
            assert drafted == upcoming and len(open_drafts) == PLATFORMS * len(upcoming)
    finally:
        store.engine.dispose()
    feed = feedparser.parse((out / "public" / "rss.xml").read_bytes())
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids)) and set(ids) == set(urls)


# ------------------------------------------------------------------------------ tests

def test_sigkill_at_random_points_then_a_full_run_leaves_everything_whole(
    server: SampleServer, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    out = tmp_path / "out"
    kills = []
    for _ in range(KILLS):
        process = start_plain(server, out)
        delay = rng.uniform(0.5, 9.0)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        kills.append((round(delay, 2), process.returncode))
        if (out / "publicity.db").exists():
            check_store(out, server, complete=False)
        if out.exists():
            check_files_whole(out)
    assert any(code == -signal.SIGKILL for _, code in kills), f"no run was killed: {kills}"

    final = start_plain(server, out)
    stdout, stderr = final.communicate(timeout=600)
    assert final.returncode == 0, stderr.decode(errors="replace")[-3000:]
    assert "failed 0" in stdout.decode(), stdout.decode()
    assert check_files_whole(out) == [], f"temporary files left (seed {SEED}, kills {kills})"
    check_store(out, server, complete=True)


def test_temporaries_of_a_killed_run_are_removed_everywhere_in_out(
    server: SampleServer, tmp_path: Path
) -> None:
    """Deterministic companion of the random kills: a temporary file in each output folder (as a
    kill during a write leaves it) is gone after the next run, which still completes."""
    out = tmp_path / "out"
    first = start_plain(server, out, "--no-posters")  # posters cost seconds and add nothing here
    first.communicate(timeout=600)
    assert first.returncode == 0
    planted = [
        out / "public" / ".tmp-abc.xml",
        out / "public" / "posters" / ".tmp-abc.png",
        out / "review" / ".tmp-abc.html",
    ]
    approved = out / "drafts" / "approved" / "weibo" / "post_1-v1"
    approved.mkdir(parents=True)
    planted.append(approved.parent / ".tmp-abc.txt")
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a fi")
    again = start_plain(server, out, "--no-posters")
    _, stderr = again.communicate(timeout=600)
    assert again.returncode == 0, stderr.decode(errors="replace")[-2000:]
    assert [p for p in planted if p.exists()] == []
    assert check_files_whole(out) == []


SECRET_COOKIE = "JSESSIONID=s3cr3t-c00kie-4f1d2a"
SECRET_TOKEN = "t0ken-9b7c1e55aa"


@pytest.mark.prefect
def test_publicity_run_killed_midway_then_completed_and_no_secret_anywhere(
    server: SampleServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    home = tmp_path / "prefect-home"
    site = profile_file(server, tmp_path)
    env = env_for(
        out,
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PUBLICITY_COOKIE=SECRET_COOKIE,
        # A receiver that does not exist: the notification fails, and its failure must not
        # print the URL with its token either.
        PUBLICITY_NOTIFY_URLS=f"json://127.0.0.1:9/hook?token={SECRET_TOKEN}",
    )
    command = [str(PROJECT_ROOT / ".venv" / "bin" / "publicity"), "run", "--site", str(site),
               "--out", str(out), "--max-pages", "10"]
    # Its own process group: Prefect's temporary API server is a child process, and a kill of the
    # run (an OOM kill, a stopped container) takes the whole group. Output goes to files, which an
    # orphan cannot keep open the way it would a pipe.
    first_out_file, first_err_file = tmp_path / "run1.out", tmp_path / "run1.err"
    with first_out_file.open("wb") as stdout, first_err_file.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=stdout,
                                   stderr=stderr, start_new_session=True)
    deadline = time.monotonic() + 180
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        try:
            with sqlite3.connect(f"file:{out / 'publicity.db'}?mode=ro", uri=True, timeout=1) as db:
                stored = db.execute("select count(*) from releases").fetchone()[0]
        except sqlite3.Error:
            continue
        if stored >= 5:
            break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    first_out, first_err = first_out_file.read_bytes(), first_err_file.read_bytes()
    assert process.returncode == -signal.SIGKILL, (
        f"the run was not killed mid-way (it stored {stored}): "
        + first_err.decode(errors="replace")[-3000:]
    )
    check_store(out, server, complete=False)
    check_files_whole(out)

    again = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=900)
    assert again.returncode == 0, again.stderr.decode(errors="replace")[-3000:]
    assert "failed 0" in again.stdout.decode()
    assert check_files_whole(out) == []
    check_store(out, server, complete=True, drafts=False)

    for secret in (SECRET_COOKIE, SECRET_TOKEN, "s3cr3t-c00kie"):
        for stream in (first_out, first_err, again.stdout, again.stderr):
            assert secret.encode() not in stream
        for folder in (out, home):
            for path in folder.rglob("*"):
                if path.is_file():
                    assert secret.encode() not in path.read_bytes(), path

    # The flow also drafts what a killed run stored but never drafted (releases_missing_drafts).
    check_store(out, server, complete=True, drafts=True)


def test_a_run_killed_right_after_its_walk_still_fetches_what_the_walk_listed(
    server: SampleServer, tmp_path: Path
) -> None:
    """Deterministic companion of the kills: the walk stored the list pages' validators, then the
    run died before fetching a single article. The next run gets 304s for the list pages and must
    still fetch every release they listed (tasks/crawl.py records them as owed)."""
    from flows.runtime import make_fetcher
    from tasks import crawl
    from tasks.settings import load_profile, load_settings
    from tests.poll_plain import poll_plain

    out = tmp_path / "out"
    settings = load_settings(out=out, min_request_interval=0, database_url=None)
    profile = load_profile("sample").with_base_url(server.url)
    store = open_store(settings.resolved_database_url())
    with make_fetcher(settings, profile) as fetcher:
        for _, url in profile.column_urls():
            crawl.walk_column(fetcher, store, column_url=url, profile=profile, max_pages=10)
    assert store.release_count() == 0  # "killed" here
    summary = poll_plain(settings=settings, profile=profile, store=store, out=out, posters=False,
                         drafts=False).summary
    assert summary.list_pages_not_modified == len(profile.column_urls())
    assert summary.list_pages_fetched == 0
    assert summary.new == len(expected_paths(server)) and summary.failed == []
    assert store.failures() == []
