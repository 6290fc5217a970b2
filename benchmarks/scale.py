"""Scale: a backfill of 100, 1,000 and 10,000 releases with and without Prefect, then a poll.

Run by hand, from the project root (the 10,000 size takes about 20 minutes on 2 cores):

    .venv/bin/python benchmarks/scale.py [--releases 100 1000 10000] [--batch N] [--posters]

For each size a synthetic portal (tasks/synthetic_portal.py: 20 releases a list page, two columns,
made on request from a seed) is served from its own process, and two fresh child processes each
backfill it into a new SQLite store and OUT folder:

- ``plain``: the pure functions of tasks/crawl.py, flows/posters.py and flows/outputs.py called
  directly, in the same steps and batches as the ``backfill`` flow (flows/poll.py's ``run_poll``);
- ``prefect``: the ``backfill`` flow itself (flows/backfill.py), on Prefect's temporary local
  server (started before the clock runs, by a warm-up flow; its start-up is printed apart).

Then each child runs an incremental poll with nothing new (the plain steps, or the ``poll`` flow)
and the server counts the requests it answered per path.

Figures per size and mode: wall time of the backfill (at 1,000 releases the best of two
alternating runs per mode: other load on the machine shows up as noise), releases per second, CPU
seconds, peak memory (ru_maxrss of that child process, in MiB: Python, lxml and Prefect's client
included; Prefect's temporary server is a separate process and not included), and of the poll:
requests per column and wall time. The last line is ``prefect_overhead_ratio=X.XX``: (prefect - plain) / plain backfill wall time
at 1,000 releases. CPU seconds (the flow's process plus Prefect's server, against the plain process)
give the same comparison with less noise from other load.

Posters: drawing them costs ≈55 ms each, 4 formats per event, so about 10 minutes of 2 cores for the
events of 10,000 releases. By default both modes replace the poster step with a no-op (in the flow
by patching ``flows.poll.render_posters``), and the plain child draws a sample of 40 posters to
print the cost per poster and the time all of them would take. ``--posters`` draws them all, in
both modes. Drafts (prepare_drafts, part of every poll and backfill) are made in both modes.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (100, 1000, 10_000)
RATIO_SIZE = 1000
POSTER_SAMPLE = 40  # posters drawn to measure their cost when --posters is off
POLL_MAX_PAGES = 3  # flows/params.py PollParams.max_pages default
RESULT_PREFIX = "RESULT "


def _backfill_batch() -> int:
    """flows/backfill.py's BACKFILL_BATCH, read without importing Prefect."""
    tree = ast.parse((ROOT / "flows" / "backfill.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "BACKFILL_BATCH" for t in node.targets
        ):
            return int(ast.literal_eval(node.value))
    return 20


def _cpu_s() -> float:
    """CPU seconds of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_s() -> float:
    """CPU seconds of this process's running child processes (Prefect's temporary server)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # ppid; fields[11], fields[12]: utime, stime in clock ticks
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _stats(url: str, *, reset: bool = False) -> dict[str, int]:
    from tasks.synthetic_portal import fetch_stats

    return fetch_stats(url, reset=reset)


def _column_requests(counts: dict[str, int], column_paths: list[str]) -> dict[str, int]:
    """Requests per column during a poll: every list page of the column (index.html, index_N)."""
    return {
        path: sum(n for p, n in counts.items() if p.startswith(path) and "/content/" not in p)
        for path in column_paths
    }


# ---- the children ------------------------------------------------------------------------------


class _Unconditional:
    """flows/poll.py's UnconditionalFetcher (that module imports Prefect): no validators sent."""

    def __init__(self, fetcher: Any) -> None:
        self._fetcher = fetcher

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Any:
        return self._fetcher.fetch(url)


def _plain_crawl(
    *, settings: Any, profile: Any, store: Any, out: Path, max_pages: int, backfill: bool,
    posters: bool, batch: int,
) -> dict[str, Any]:
    """flows/poll.py's run_poll, step for step, without Prefect."""
    from flows.drafting import prepare_drafts, releases_missing_drafts
    from flows.outputs import publish_outputs
    from flows.posters import releases_missing_posters, render_posters
    from flows.runtime import make_fetcher
    from tasks import crawl
    from tasks.poster import FORMATS

    timings: dict[str, float] = {}
    summary = crawl.PollSummary(source="plain")
    start = time.perf_counter()
    with make_fetcher(settings, profile) as fetcher:
        walker = _Unconditional(fetcher) if backfill else fetcher
        walks = [
            crawl.walk_column(
                walker, store, column_url=url, profile=profile, max_pages=max_pages,
                stop_at_known=not backfill,
            )
            for _, url in profile.column_urls()
        ]
        planned = crawl.plan_articles(
            store, walks,
            recheck_after=None if backfill else timedelta(hours=6),
            recheck_window=timedelta(days=100 * 365 if backfill else 30),
        )
        timings["walk_s"] = time.perf_counter() - start
        for i in range(0, len(planned), batch):
            results = crawl.fetch_articles(
                fetcher, planned[i : i + batch], profile=profile, concurrency=settings.concurrency
            )
            for result in results:
                summary.add(crawl.store_article(store, result))
    timings["fetch_store_s"] = time.perf_counter() - start - timings["walk_s"]
    mark = time.perf_counter()
    changed = [o.url for o in summary.outcomes if o.status in ("new", "updated")]
    short = releases_missing_posters(store, formats=len(FORMATS))  # the flow checks every run
    if posters:
        drawn = render_posters(
            store, public_dir=out / "public", office=profile.office,
            release_urls=list(dict.fromkeys([*changed, *short])),
        )
        summary.posters_rendered = drawn.rendered
    timings["posters_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    drafts = prepare_drafts(
        store, out=out, settings=settings, profile=profile,
        release_urls=list(dict.fromkeys([*changed, *releases_missing_drafts(store)])),
    )
    timings["drafts_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    summary.feeds_written = publish_outputs(store, out=out, settings=settings, profile=profile)
    timings["outputs_s"] = time.perf_counter() - mark
    timings["total_s"] = time.perf_counter() - start
    return {
        "new": summary.new, "updated": summary.updated, "failed": len(summary.failed), "events": summary.events_found,
        "list_pages": sum(w.pages_fetched for w in walks),
        "planned": len(planned), "posters": summary.posters_rendered, "drafts": drafts.created,
        **timings,
    }


def _poster_sample(store: Any, *, out: Path, office: str) -> dict[str, Any]:
    """Draw POSTER_SAMPLE posters (whole releases, newest first) to price the poster step."""
    from flows.posters import render_posters
    from tasks.poster import FORMATS

    urls: list[str] = []
    wanted = 0
    for stored in store.latest_releases(limit=400):
        if stored.events and wanted < POSTER_SAMPLE:
            urls.append(stored.release.url)
            wanted += len(stored.events) * len(FORMATS)
    start = time.perf_counter()
    drawn = render_posters(store, public_dir=out / "sample-posters", office=office, release_urls=urls)
    seconds = time.perf_counter() - start
    return {"sample_posters": drawn.rendered, "sample_s": seconds,
            "all_posters": store.event_count() * len(FORMATS)}


def child_plain(args: argparse.Namespace) -> dict[str, Any]:
    from flows.runtime import resolve_profile
    from tasks.settings import load_settings
    from tasks.store import open_store

    out = Path(args.out)
    settings = load_settings(out=out)
    profile = resolve_profile(settings, site=args.profile)
    store = open_store(settings.resolved_database_url())
    cpu = _cpu_s()
    backfill = _plain_crawl(
        settings=settings, profile=profile, store=store, out=out, max_pages=args.pages,
        backfill=True, posters=args.posters, batch=args.batch or _backfill_batch(),
    )
    backfill["cpu_s"] = _cpu_s() - cpu
    backfill["stored"] = store.release_count()
    backfill["events_stored"] = store.event_count()
    backfill["peak_mib"] = _peak_mib()
    _stats(args.url, reset=True)
    poll = _plain_crawl(
        settings=settings, profile=profile, store=store, out=out, max_pages=POLL_MAX_PAGES,
        backfill=False, posters=args.posters, batch=_backfill_batch(),
    )
    poll["requests"] = _stats(args.url)
    sample = {} if args.posters else _poster_sample(store, out=out, office=profile.office)
    return {"backfill": backfill, "poll": poll, "posters": sample, "peak_mib": _peak_mib()}


def child_prefect(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("PREFECT_HOME", str(Path(args.out) / "prefect-home"))
    from flows.runtime import configure_prefect_offline

    configure_prefect_offline()
    start = time.perf_counter()
    from prefect import flow

    import flows.poll
    from flows.backfill import backfill
    from flows.posters import PosterSummary

    imported = time.perf_counter() - start

    @flow(name="scale-warm-up")
    def warm_up() -> int:
        return 1

    warm_up()  # starts the temporary server (and creates its database) before the clock runs
    started = time.perf_counter() - start
    if not args.posters:  # the same no-op as the plain child's: posters are priced apart
        if not hasattr(flows.poll, "render_posters"):
            raise SystemExit("flows/poll.py no longer has render_posters: update benchmarks/scale.py")
        flows.poll.render_posters = lambda store, **kw: PosterSummary()  # type: ignore[assignment]
    if args.batch:
        import flows.backfill

        flows.backfill.BACKFILL_BATCH = args.batch  # read when the flow runs
    mark, cpu, server_cpu = time.perf_counter(), _cpu_s(), _children_cpu_s()
    result = backfill(pages=args.pages, site=args.profile, out=args.out)
    backfill_s = time.perf_counter() - mark
    cpu, server_cpu = _cpu_s() - cpu, _children_cpu_s() - server_cpu
    peak_backfill = _peak_mib()
    from tasks.settings import load_settings
    from tasks.store import open_store

    store = open_store(load_settings(out=Path(args.out)).resolved_database_url())
    stored = store.release_count()
    events_stored = store.event_count()
    _stats(args.url, reset=True)
    mark = time.perf_counter()
    flows.poll.poll(site=args.profile, out=args.out, max_pages=POLL_MAX_PAGES)
    poll_s = time.perf_counter() - mark
    return {
        "import_s": imported, "startup_s": started - imported,
        "backfill": {"total_s": backfill_s, "new": result.get("new"), "stored": stored,
                     "failed": len(result.get("failed") or []), "events": result.get("events_found"),
                     "events_stored": events_stored, "updated": result.get("updated"),
                     "cpu_s": cpu, "server_cpu_s": server_cpu,
                     "drafts": result.get("drafts_created"),
                     "peak_mib": peak_backfill},
        "poll": {"total_s": poll_s, "requests": _stats(args.url)},
        "peak_mib": _peak_mib(),
    }


# ---- the parent --------------------------------------------------------------------------------


def _serve(releases: int, *, seed: int, workdir: Path) -> tuple[subprocess.Popen[str], str, Path]:
    profile = workdir / "synthetic.toml"
    newest = (datetime.now() - timedelta(hours=2)).isoformat(timespec="minutes")
    server = subprocess.Popen(
        [sys.executable, "-m", "tasks.synthetic_portal", "--releases", str(releases),
         "--seed", str(seed), "--newest", newest, "--profile", str(profile)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    if not line.startswith("url="):
        server.kill()
        raise SystemExit(f"The synthetic portal did not start: {line!r}")
    return server, line.removeprefix("url="), profile


def _run_child(mode: str, *, releases: int, pages: int, url: str, profile: Path, workdir: Path,
               posters: bool, batch: int | None) -> dict[str, Any]:
    out = workdir / mode
    out.mkdir(parents=True)
    log = workdir / f"{mode}.log"
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--url", url,
            "--profile", str(profile), "--out", str(out), "--pages", str(pages),
            "--releases", str(releases)]
    if posters:
        argv.append("--posters")
    if batch:
        argv += ["--batch", str(batch)]
    env = {**os.environ, "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": os.environ.get(
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "2.0")}
    start = time.perf_counter()
    with open(log, "w") as stderr:
        done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    wall = time.perf_counter() - start
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if done.returncode != 0 or not lines:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"The {mode} child failed (exit {done.returncode}); its log ends:\n{tail}")
    result = json.loads(lines[-1].removeprefix(RESULT_PREFIX))
    result["process_s"] = wall
    return result


def _report(n: int, pages: int, plain: dict[str, Any], pref: dict[str, Any] | None,
            columns: list[str], posters: bool) -> float | None:
    pb = plain["backfill"]
    print(f"\n== {n} releases ({pages} list pages per column, {len(columns)} columns) ==")
    print(f"plain   backfill: {pb['total_s']:7.1f} s  {pb['stored'] / pb['total_s']:6.1f} releases/s  "
          f"stored={pb['stored']} failed={pb['failed']} events={pb['events_stored']}  "
          f"peak_mem={plain['peak_mib']:.0f} MiB")
    print(f"        CPU {pb['cpu_s']:.1f} s; steps: walk {pb['walk_s']:.1f} s, fetch+parse+extract+store {pb['fetch_store_s']:.1f} s, "
          f"posters {pb['posters_s']:.1f} s, drafts {pb['drafts_s']:.1f} s ({pb['drafts']}), "
          f"outputs {pb['outputs_s']:.1f} s")
    ratio = None
    if pref is not None:
        fb = pref["backfill"]
        ratio = (fb["total_s"] - pb["total_s"]) / pb["total_s"]
        print(f"prefect backfill: {fb['total_s']:7.1f} s  {fb['stored'] / fb['total_s']:6.1f} releases/s  "
              f"stored={fb['stored']} failed={fb['failed']} events={fb['events_stored']}  "
              f"drafts={fb['drafts']}  peak_mem={pref['peak_mib']:.0f} MiB "
              f"(backfill alone {fb['peak_mib']:.0f} MiB)")
        cpu_ratio = (fb["cpu_s"] + fb["server_cpu_s"] - pb["cpu_s"]) / pb["cpu_s"]
        print(f"        CPU {fb['cpu_s']:.1f} s in the flow's process + {fb['server_cpu_s']:.1f} s in "
              f"Prefect's server = {fb['cpu_s'] + fb['server_cpu_s']:.1f} s; CPU overhead "
              f"(prefect + server - plain) / plain = {cpu_ratio:.2f}")
        print(f"        prefect import {pref['import_s']:.1f} s, temporary server start + first flow "
              f"{pref['startup_s']:.1f} s (not in the backfill time)")
        print(f"overhead: prefect/plain = {fb['total_s'] / pb['total_s']:.2f}  "
              f"(prefect - plain) / plain = {ratio:.2f}")
    pp = plain["poll"]
    per_column = _column_requests(pp["requests"], columns)
    others = {p: c for p, c in pp["requests"].items() if not any(p.startswith(col) for col in columns)}
    print(f"poll, nothing new (plain): requests per column {per_column}, other requests {others or 0}, "
          f"new={pp['new']} planned={pp['planned']}, work {pp['total_s']:.2f} s "
          f"(walk {pp['walk_s']:.2f}, posters check {pp['posters_s']:.2f}, outputs {pp['outputs_s']:.2f})")
    if pref is not None:
        fp = pref["poll"]
        print(f"poll, nothing new (prefect flow): requests per column "
              f"{_column_requests(fp['requests'], columns)}, flow call {fp['total_s']:.2f} s")
    if posters:
        print(f"posters: all drawn in both modes ({pb['posters']} in the plain run, {pb['posters_s']:.1f} s)")
    else:
        ps = plain["posters"]
        each = ps["sample_s"] / max(1, ps["sample_posters"])
        print(f"posters: not drawn in the backfills (no-op step in both modes; --posters draws them); "
              f"a sample of {ps['sample_posters']} took {ps['sample_s']:.1f} s = {1000 * each:.0f} ms each, "
              f"so all {ps['all_posters']} would take ≈{each * ps['all_posters']:.0f} s on this machine")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--posters", action="store_true", help="draw every poster (slow at 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain-only", action="store_true", help="skip the Prefect runs")
    parser.add_argument("--rounds", type=int, help="runs per mode, the fastest reported (default: "
                        f"2 at {RATIO_SIZE} releases, where the ratio is taken; else 1)")
    parser.add_argument("--batch", type=int, help="articles per task run (default: the backfill "
                        "flow's BACKFILL_BATCH), the same batches in both modes")
    parser.add_argument("--child", choices=("plain", "prefect"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_plain(args) if args.child == "plain" else child_prefect(args)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return

    from tasks.synthetic_portal import PER_PAGE, SyntheticPortal

    print(f"scale benchmark: sizes {args.releases}, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    print("peak memory: ru_maxrss of each child process (one per size and mode)")
    print(f"articles per batch (task run): {args.batch or _backfill_batch()}")
    ratios: dict[int, float | None] = {}
    for n in args.releases:
        shape = SyntheticPortal(n)
        pages = max(shape.page_count(k) for k in ("xwfbh", "zcjd"))
        columns = shape.list_paths()
        with tempfile.TemporaryDirectory(prefix=f"scale-{n}-") as tmp:
            workdir = Path(tmp)
            server, url, profile = _serve(n, seed=args.seed, workdir=workdir)
            rounds = args.rounds or (2 if n == RATIO_SIZE else 1)
            plains: list[dict[str, Any]] = []
            prefs: list[dict[str, Any]] = []
            try:
                for r in range(rounds):  # alternating, so a burst of other load hits both modes
                    common = dict(releases=n, pages=pages, url=url, profile=profile,
                                  posters=args.posters, batch=args.batch)
                    plains.append(_run_child("plain", workdir=workdir / f"r{r}", **common))
                    if not args.plain_only:
                        prefs.append(_run_child("prefect", workdir=workdir / f"r{r}", **common))
            finally:
                assert server.stdin is not None
                server.stdin.close()
                server.wait(timeout=10)
            plain = min(plains, key=lambda x: x["backfill"]["total_s"])
            pref = min(prefs, key=lambda x: x["backfill"]["total_s"]) if prefs else None
            if rounds > 1:
                print(f"\n(best of {rounds} rounds per mode; backfill times: plain "
                      f"{[round(x['backfill']['total_s'], 1) for x in plains]}, prefect "
                      f"{[round(x['backfill']['total_s'], 1) for x in prefs]})")
            ratios[n] = _report(n, pages, plain, pref, columns, args.posters)
            print(f"(list pages: {shape.list_pages()} of {PER_PAGE} items)", flush=True)
    ratio = ratios.get(RATIO_SIZE)
    if ratio is None:
        print(f"\nprefect_overhead_ratio=n/a (not measured at {RATIO_SIZE} releases)")
    else:
        print(f"\nprefect_overhead_ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
