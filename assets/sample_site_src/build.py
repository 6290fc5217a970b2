"""Build assets/sample_site from the release data in this folder (deterministic: same bytes each run).

    .venv/bin/python assets/sample_site_src/build.py            # writes assets/sample_site
    .venv/bin/python assets/sample_site_src/build.py --out DIR  # elsewhere (the tests compare)

Only files whose bytes change are rewritten, so an unchanged page keeps its modification time
(the sample server's Last-Modified) and its ETag. Files in the output folder that the build no
longer makes are removed. See README.md for what the site contains.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script or imported from the tests
    sys.path.insert(0, str(HERE))

import sitegen  # noqa: E402
from sitegen import (  # noqa: E402
    COLUMNS,
    AttachmentSpec,
    ImageSpec,
    ListEntry,
    ReleaseSpec,
    article_path,
    check_release,
    column_entries,
    content_type_for,
    encode_page,
    list_page_name,
    load_extras,
    load_releases,
    make_pdf,
    paginate,
    release_assets,
    render_article_page,
    render_channel_page,
    render_list_page,
)

DEFAULT_OUT = HERE.parent / "sample_site"
HEADERS_FILE = "_headers.toml"
RELATED_COUNT = 3  # items in an article's 相关新闻 box
HOME_ITEMS = 8  # items per column box on the home and channel pages


class BuildError(Exception):
    """The release data is inconsistent (the message lists every problem found)."""


def validate(releases: Sequence[ReleaseSpec]) -> None:
    """Fail on any data problem: unique ids increasing with date, evidence, weekdays, assets."""
    problems: list[str] = []
    ids = [r.post_id for r in releases]
    if len(set(ids)) != len(ids):
        problems.append("duplicate post ids")
    if ids != sorted(ids):  # releases come sorted by publication time
        problems.append("post ids do not increase with publication time")
    for r in releases:
        problems += check_release(r)
        if r.variant in sitegen.GBK_VARIANTS:
            try:
                render_article_page(r, column=COLUMNS[r.column]).encode("gbk")
            except UnicodeEncodeError as exc:
                problems.append(f"post_{r.post_id}: not encodable as GBK: {exc}")
        for img in r.images:
            if not (sitegen.MEDIA_DIR / img.file).is_file():
                problems.append(f"post_{r.post_id}: media/{img.file} is missing")
    if problems:
        raise BuildError("Release data problems:\n  " + "\n  ".join(problems))


def _related(release: ReleaseSpec, entries: Sequence[ListEntry]) -> list[ListEntry]:
    """The nearest other on-site releases of the column, newest first (the 相关新闻 box)."""
    own = [e for e in entries if e.post_id and not e.off_site and e.post_id != release.post_id]
    own.sort(key=lambda e: abs(e.post_id - release.post_id))
    return sorted(own[:RELATED_COUNT], key=lambda e: e.post_id, reverse=True)


def _headers_toml(releases: Sequence[ReleaseSpec]) -> bytes:
    lines = [
        "# Per-file response headers for tasks/sample_server.py, made by assets/sample_site_src/build.py.",
        "# Paths are relative to this folder. A Content-Type here replaces the server's default",
        "# (text/html; charset=utf-8): the GBK pages are served with charset=GBK, or with no charset.",
    ]
    for r in releases:
        ctype = content_type_for(r.variant)
        if ctype:
            path = article_path(COLUMNS[r.column], r.post_id)
            lines.append(f'"{path}" = {{ "Content-Type" = "{ctype}" }}  # {r.variant}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_site(*, releases_dir: Path = sitegen.RELEASES_DIR) -> dict[str, bytes]:
    """Every file of the site: site-relative path -> bytes. Pure apart from reading the sources."""
    releases = load_releases(releases_dir)
    extras = load_extras(releases_dir)
    validate(releases)
    files: dict[str, bytes] = {}

    for column in COLUMNS.values():
        entries = column_entries(column, releases, extras)
        pages = paginate(entries)
        for n, items in enumerate(pages, start=1):
            html = render_list_page(column, items, page=n, page_count=len(pages))
            files[column.path + list_page_name(n)] = html.encode("utf-8")
        root_entries = column_entries(column, releases, extras, from_page="index.html", style="root")
        for r in (r for r in releases if r.column == column.key):
            page = render_article_page(r, column=column, related=_related(r, root_entries))
            files[article_path(column, r.post_id)] = encode_page(page, r.variant)
            for path, spec in release_assets(r):
                if isinstance(spec, ImageSpec):
                    files[path] = (sitegen.MEDIA_DIR / spec.file).read_bytes()
                elif isinstance(spec, AttachmentSpec):
                    files[path] = make_pdf(spec.title.removesuffix(".pdf"), spec.lines)

    def boxes(keys: Sequence[str]) -> list[tuple[sitegen.ColumnSpec, list[ListEntry]]]:
        out = []
        for key in keys:
            col = COLUMNS[key]
            entries = column_entries(col, releases, extras, from_page="index.html", style="root")
            out.append((col, paginate(entries, per_page=HOME_ITEMS)[0]))
        return out

    files["index.html"] = render_channel_page(
        title="首页", crumbs=[("首页", "")], boxes=boxes(["xwfbh", "zcjd"])
    ).encode("utf-8")
    files["zwgk/index.html"] = render_channel_page(
        title="政务公开", crumbs=[("首页", ""), ("政务公开", "zwgk/")], boxes=boxes(["xwfbh", "zcjd"])
    ).encode("utf-8")
    files["zwgk/jdhy/index.html"] = render_channel_page(
        title="解读回应",
        crumbs=[("首页", ""), ("政务公开", "zwgk/"), ("解读回应", "zwgk/jdhy/")],
        boxes=boxes(["xwfbh", "zcjd"]),
    ).encode("utf-8")

    for path in sorted(sitegen.STATIC_DIR.rglob("*")):
        if path.is_file():
            files["static/" + path.relative_to(sitegen.STATIC_DIR).as_posix()] = path.read_bytes()
    files["robots.txt"] = (HERE / "robots.txt").read_bytes()
    files[HEADERS_FILE] = _headers_toml(releases)
    return dict(sorted(files.items()))


def write_site(files: dict[str, bytes], out_dir: Path, *, prune: bool = True) -> tuple[int, int]:
    """Write ``files`` under ``out_dir``; returns (written, removed). Unchanged files are not touched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    for rel, data in files.items():
        target = out_dir / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    if prune:
        for path in sorted(out_dir.rglob("*"), reverse=True):
            rel = path.relative_to(out_dir).as_posix()
            if path.is_file() and rel not in files:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written, removed


def release_table(releases: Sequence[ReleaseSpec]) -> str:
    """The README's table of releases (markdown), newest first: ``build.py --table`` prints it."""

    def when(ev: sitegen.EventSpec) -> str:
        span = ev.start.replace("T", " ") + (" – " + ev.end.replace("T", " ") if ev.end else "")
        extra = [x for x in (ev.time_of_day, ev.recurrence, ev.status if ev.status != "scheduled" else None) if x]
        return span + (f" ({', '.join(extra)})" if extra else "")

    rows = [
        "| post id | column | published | title | variant | events (start – end) |",
        "|---|---|---|---|---|---|",
    ]
    for r in sorted(releases, key=lambda r: r.published, reverse=True):
        events = "<br>".join(f"{e.name}: {when(e)}" + (f" @ {e.venue}" if e.venue else "") for e in r.events)
        rows.append(
            f"| {r.post_id} | {r.column} | {r.published:%Y-%m-%d %H:%M:%S} | {r.title} | "
            f"{r.variant if r.variant != 'utf8' else ''} | {events or '— (none)'} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--table", action="store_true", help="print the README's table of releases and exit")
    args = parser.parse_args(argv)
    if args.table:
        print(release_table(load_releases()))
        return 0
    try:
        files = build_site()
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    written, removed = write_site(files, args.out)
    size = sum(len(b) for b in files.values())
    print(f"{len(files)} files, {size / 1024:.0f} KiB in {args.out}: {written} written, {removed} removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
