"""Posters for the events in the store: render what changed, record it, skip what did not.

Glue between the store and the pure renderer (tasks/poster.py), free of Prefect so the poll flow,
the rebuild path and benchmarks share it. A poster's ``input_key`` hashes everything that is drawn
(the content, the template file, the fonts, the format); an unchanged event is not rendered again.

File names are stable: ``posters/<post id>-<event seq>-<format>.png`` under OUT/public, so a feed's
enclosure URL survives an edit of the event (its bytes, size and ETag change, its address does not).

Releases are loaded and drawn ``RELEASE_CHUNK`` at a time, with one pool of worker processes for the
whole call, so a backfill of 10,000 releases (or a rebuild of them all) keeps its memory flat.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tasks.errors import RenderError
from tasks.files import write_if_changed
from tasks.models import Event, Release
from tasks.store import Store, StoredPoster, StoredRelease

logger = logging.getLogger("publicity.posters")

POSTER_DIR = "posters"
PARALLEL_THRESHOLD = 24  # below this many posters a process pool costs more than it saves
MAX_WORKERS = 2
RELEASE_CHUNK = 200  # releases loaded (with their bodies) and drawn at a time


@dataclass(frozen=True, slots=True)
class PosterJob:
    """One poster to draw: plain values, so it crosses into a worker process."""

    release_url: str
    event_seq: int
    format: str
    template: str
    path: str  # relative to OUT/public
    input_key: str
    release: Release
    event: Event
    office: str


@dataclass(slots=True)
class PosterSummary:
    rendered: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (release url, reason)
    warnings: list[str] = field(default_factory=list)


@cache
def _renderer_fingerprint() -> str:
    """Hash of the fonts and templates on disk: a new font or template redraws every poster."""
    from tasks.poster import TEMPLATES_DIR

    fonts_dir = Path(TEMPLATES_DIR).parent / "fonts"
    digest = hashlib.sha256()
    for path in sorted([*Path(TEMPLATES_DIR).glob("*.toml"), *fonts_dir.glob("*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def poster_path(release: Release, event_seq: int, fmt: str) -> str:
    stem = release.post_id or hashlib.sha256(release.url.encode()).hexdigest()[:16]
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", stem)  # never a path separator from the page
    return f"{POSTER_DIR}/{stem}-{event_seq}-{fmt}.png"


def plan_posters(
    releases: Iterable[StoredRelease],
    existing: dict[str, tuple[StoredPoster, ...]],
    *,
    public_dir: Path,
    office: str,
) -> tuple[list[PosterJob], int]:
    """The posters to draw (new or changed input, or a missing file) and how many are up to date."""
    from tasks.poster import FORMATS, choose_template, load_templates, poster_content_for

    templates = load_templates()
    jobs: list[PosterJob] = []
    unchanged = 0
    for stored in releases:
        release = stored.release
        have = {(p.event_seq, p.format): p for p in existing.get(release.url, ())}
        for seq, event in enumerate(stored.events):
            content = poster_content_for(event, release, office=office)
            template = choose_template(content, templates)
            for fmt in FORMATS:
                key = hashlib.sha256(
                    json.dumps(
                        [content.fields(), template.name, fmt, _renderer_fingerprint()],
                        ensure_ascii=False, sort_keys=True,
                    ).encode()
                ).hexdigest()
                path = poster_path(release, seq, fmt)
                old = have.get((seq, fmt))
                if old and old.input_key == key and old.path == path and (public_dir / path).exists():
                    unchanged += 1
                    continue
                jobs.append(PosterJob(release.url, seq, fmt, template.name, path, key, release,
                                      event, office))
    return jobs, unchanged


def _draw(job: PosterJob) -> tuple[PosterJob, bytes | None, int, int, str, tuple[str, ...], str | None]:
    from tasks.poster import load_templates, poster_content_for, render_poster

    try:
        content = poster_content_for(job.event, job.release, office=job.office)
        template = load_templates()[job.template]
        poster = render_poster(content, template=template, fmt=job.format)
        return job, poster.png, poster.width, poster.height, poster.sha256, tuple(poster.warnings), None
    except RenderError as exc:
        return job, None, 0, 0, "", (), str(exc)


class _Drawer:
    """Draws jobs in this process, or in one pool of worker processes started on first need and
    kept for the rest of the call (starting a pool costs about a second)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    def draw(self, jobs: Sequence[PosterJob]) -> Iterable[tuple]:
        if len(jobs) < PARALLEL_THRESHOLD or self.workers <= 1 or self._broken:
            return map(_draw, jobs)
        if self._pool is None:
            # spawn, not fork: the flow's process has Prefect's threads running, which fork would copy.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        try:
            return list(self._pool.map(_draw, jobs, chunksize=8))
        except BrokenProcessPool:  # e.g. a __main__ the workers cannot re-import: draw here instead
            logger.warning("Poster worker processes failed to start; drawing in this process")
            self._broken = True
            self.close()
            return list(map(_draw, jobs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def releases_missing_posters(store: Store, *, formats: int) -> list[str]:
    """Releases with fewer posters than events × formats (a crash or a failure left them short)."""
    import sqlalchemy as sa

    from tasks.store import events_table, posters_table

    have = (
        sa.select(sa.func.count())
        .select_from(posters_table)
        .where(posters_table.c.release_url == events_table.c.release_url)
        .scalar_subquery()
    )
    query = (
        sa.select(events_table.c.release_url)
        .group_by(events_table.c.release_url)
        .having(sa.func.count() * formats > have)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def render_posters(
    store: Store,
    *,
    public_dir: Path,
    office: str,
    release_urls: Sequence[str] | None = None,
    workers: int | None = None,
) -> PosterSummary:
    """Draw the posters of the given releases (all when None) whose input changed; record them.

    Releases without events are skipped; the others are handled ``RELEASE_CHUNK`` at a time.
    """
    if release_urls is None:
        urls = store.release_urls_with_events()  # newest first
    else:
        urls = list(dict.fromkeys(release_urls))
    summary = PosterSummary()
    drawer = _Drawer(workers or min(MAX_WORKERS, os.cpu_count() or 1))
    try:
        for i in range(0, len(urls), RELEASE_CHUNK):
            releases = [s for s in store.get_releases(urls[i : i + RELEASE_CHUNK]) if s.events]
            if releases:
                _render_chunk(store, releases, public_dir=public_dir, office=office,
                              drawer=drawer, summary=summary)
    finally:
        drawer.close()
    return summary


def _render_chunk(
    store: Store, releases: Sequence[StoredRelease], *, public_dir: Path, office: str,
    drawer: _Drawer, summary: PosterSummary,
) -> None:
    existing = store.posters_for([s.release.url for s in releases])
    # Events removed by an edit: forget their posters and files.
    for stale in store.prune_posters({s.release.url: len(s.events) for s in releases}):
        (public_dir / stale).unlink(missing_ok=True)
    jobs, unchanged = plan_posters(releases, existing, public_dir=public_dir, office=office)
    summary.unchanged += unchanged
    for job, png, width, height, sha, warnings, error in drawer.draw(jobs):
        if error is not None or png is None:
            summary.failed.append((job.release_url, error or "no image"))
            logger.warning("Poster failed for %s (%s): %s", job.release.title, job.release_url, error)
            continue
        write_if_changed(public_dir / job.path, png)
        store.save_poster(
            StoredPoster(
                release_url=job.release_url, event_seq=job.event_seq, format=job.format,
                template=job.template, path=job.path, sha256=sha, size_bytes=len(png),
                width=width, height=height, input_key=job.input_key, warnings=warnings,
            )
        )
        summary.rendered += 1
        summary.warnings.extend(f"{job.path}: {w}" for w in warnings)
