"""The ``backfill`` flow: older releases into the store, by list pages or since a date. Manual.

The same steps as ``poll`` (flows/poll.py's ``run_poll``: walk, plan, fetch, store, posters,
outputs), walking deeper: every list page up to ``pages`` per column is read in full (no
conditional request, no stop at the first known release), and ``since`` keeps only the releases
listed as published on or after that day, the walk ending at the first page listing only older
ones. Releases already in the store are not fetched again
unless ``recheck_known``. Running it twice adds nothing the second time.

While it runs, a progress artifact ("backfill-progress") shows how far it got; at the end a
summary artifact ("backfill-summary") shows the same table as a poll's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from flows.runtime import configure_prefect_offline, out_dir, resolve_profile

configure_prefect_offline()

from prefect import flow, get_run_logger  # noqa: E402 - offline settings come first
from prefect.artifacts import create_progress_artifact, update_progress_artifact  # noqa: E402

from flows.params import BackfillParams, param, validate_params  # noqa: E402
from flows.poll import finish_crawl, run_poll  # noqa: E402
from flows.secret_settings import with_secrets  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.models import SHANGHAI  # noqa: E402
from tasks.settings import load_settings  # noqa: E402
from tasks.store import now, open_store  # noqa: E402

BACKFILL_BATCH = 100  # articles per task run: at 20, Prefect took 38 % on top of the work at 1,000
# releases; at 100, 13 % (benchmarks/scale.py), and the progress bar still moves every few seconds
NO_WINDOW = timedelta(days=100 * 365)  # "since the beginning" for the re-check window


def recheck_window(since: date | None, *, today: date) -> timedelta:
    """How far back ``recheck_known`` re-checks: to ``since``, or everything."""
    if since is None:
        return NO_WINDOW
    return max(timedelta(0), today - since) + timedelta(days=1)


@flow(name="backfill", log_prints=True)
def backfill(
    pages: int = param(BackfillParams, "pages"),
    since: date | None = param(BackfillParams, "since"),
    source: str | None = param(BackfillParams, "source"),
    out: str | None = param(BackfillParams, "out"),
    site: str | None = param(BackfillParams, "site"),
    base_url: str | None = param(BackfillParams, "base_url"),
    recheck_known: bool = param(BackfillParams, "recheck_known"),
) -> dict[str, Any]:
    """Fetch older releases: ``pages`` list pages per column, or those published since ``since``.

    The parameters, their defaults and limits are flows/params.py's ``BackfillParams``.
    """
    params = validate_params(BackfillParams, dict(
        pages=pages, since=since, source=source, out=out, site=site, base_url=base_url,
        recheck_known=recheck_known,
    ))
    logger = get_run_logger()
    settings = with_secrets(load_settings(out=params.out), log=logger.info)
    out_path = out_dir(settings, params.out)
    profile = resolve_profile(
        settings, site=params.site, base_url=params.base_url, source=params.source
    )
    sources = [params.source] if params.source else [url for _, url in profile.column_urls()]
    store = open_store(settings.resolved_database_url())
    started = now()
    what = f"{params.pages} pages per column" + (f", since {params.since}" if params.since else "")
    run_id = store.start_run("backfill", source=", ".join(sources))
    progress_id: UUID = create_progress_artifact(
        progress=0.0, key="backfill-progress", description=f"Backfill of {what}: starting"
    )

    last = [0.0]  # where a failure leaves the bar

    def on_progress(fraction: float, message: str) -> None:
        last[0] = round(100 * fraction, 1)
        update_progress_artifact(
            artifact_id=progress_id, progress=last[0],
            description=f"Backfill of {what}: {message}",
        )
        logger.info("Backfill %d%%: %s", round(100 * fraction), message)

    today = datetime.now(SHANGHAI).date()
    try:
        summary = run_poll(
            settings=settings,
            profile=profile,
            store=store,
            out=out_path,
            sources=sources,
            max_pages=params.pages,
            recheck_after=timedelta(0) if params.recheck_known else None,
            recheck_window=recheck_window(params.since, today=today),
            on_log=logger.info,
            stop_at_known=False,
            conditional=False,
            since=params.since,
            batch=BACKFILL_BATCH,
            on_progress=on_progress,
        )
    except PublicityError as exc:
        store.finish_run(run_id, state="failed", summary={"source": sources}, error=str(exc))
        update_progress_artifact(
            artifact_id=progress_id, progress=last[0], description=f"Backfill failed: {exc}"
        )
        logger.error(str(exc))
        raise
    return finish_crawl(
        store, run_id, summary, flow_name="backfill", title="Backfill summary", started=started,
        out=out_path, logger=logger,
    )
