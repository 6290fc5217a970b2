"""Wall time of the demo (`publicity demo`) on a warm machine, and how much of it is Prefect.

Run by hand: `.venv/bin/python benchmarks/demo.py [--rounds N]`. Prints, from one run each:
- the whole command in a new process (what a user waits for),
- `import prefect` alone, and the flow's start-up to first task (temporary server),
- the same poll done by the plain functions of tasks/crawl.py without Prefect,
and the ratios between them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.outputs import publish_outputs  # noqa: E402
from flows.runtime import make_fetcher, resolve_profile  # noqa: E402
from tasks import crawl  # noqa: E402
from tasks.sample_server import SampleServer  # noqa: E402
from tasks.settings import SAMPLE_SITE_DIR, load_settings  # noqa: E402
from tasks.store import open_store  # noqa: E402

BIN = Path(sys.executable).parent


def time_command(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def plain_poll(out: Path) -> float:
    """The demo's work with the same functions, no Prefect: fetch, parse, extract, store, feeds."""
    start = time.perf_counter()
    settings = load_settings(out=out)
    with SampleServer(SAMPLE_SITE_DIR) as server:
        profile = resolve_profile(settings, site="sample", base_url=server.url)
        store = open_store(settings.resolved_database_url())
        with make_fetcher(settings, profile) as fetcher:
            walks = [
                crawl.walk_column(fetcher, store, column_url=u, profile=profile, max_pages=10)
                for _, u in profile.column_urls()
            ]
            planned = crawl.plan_articles(store, walks, recheck_after=timedelta(hours=6),
                                          recheck_window=timedelta(days=30))
            for r in crawl.fetch_articles(fetcher, planned, profile=profile,
                                          concurrency=settings.concurrency):
                crawl.store_article(store, r)
        publish_outputs(store, out=out, settings=settings, profile=profile)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    demo, rerun, imports, plain = [], [], [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            demo.append(time_command([str(BIN / "publicity"), "demo", "--out", tmp]))
            rerun.append(time_command([str(BIN / "publicity"), "demo", "--out", tmp]))
        imports.append(time_command([sys.executable, "-c", "import prefect"]))
        with tempfile.TemporaryDirectory() as tmp:
            plain.append(plain_poll(Path(tmp)))
    d, r, i, p = (statistics.median(x) for x in (demo, rerun, imports, plain))
    print(f"rounds={rounds} (medians)")
    print(f"demo_first_run_s={d:.2f}   (new process: import, temporary Prefect server, flow, 45 releases)")
    print(f"demo_rerun_s={r:.2f}       (nothing new: list pages answer 304)")
    print(f"import_prefect_s={i:.2f}")
    print(f"plain_poll_s={p:.2f}       (same work without Prefect, in-process)")
    print(f"prefect_share_of_demo={(d - p) / d:.2f}   (1 - plain/demo)")
    print(f"demo_over_plain_ratio={d / p:.1f}")


if __name__ == "__main__":
    main()
