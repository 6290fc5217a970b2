"""The ``rebuild`` flow: regenerate every output from the store, fetching nothing. Manual.

The store is the truth (../shared/ARCHITECTURE.md): posters (those missing on disk or whose input
changed), feeds, calendar and landing page (flows/outputs.py), and the review board with the
approved drafts' exports (flows/drafting.py) are all derived from it. After a lost or damaged
output folder, a new template or font, or a changed setting (feed title, public URL), a rebuild
brings every file up to date; files whose bytes would not change are left untouched.

    rebuild(out="out")                       # or the deployment "rebuild/rebuild" from the UI
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.runtime import configure_prefect_offline, out_dir

configure_prefect_offline()

from prefect import flow, get_run_logger, task  # noqa: E402 - offline settings come first
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows.outputs import publish_outputs  # noqa: E402
from flows.params import RebuildParams, param, validate_params  # noqa: E402
from flows.posters import PosterSummary, render_posters  # noqa: E402
from tasks.errors import PublicityError  # noqa: E402
from tasks.settings import Settings, SiteProfile, load_profile, load_settings  # noqa: E402
from tasks.store import Store, open_store  # noqa: E402


@task(name="render-all-posters", cache_policy=NO_CACHE)
def render_all_posters_task(store: Store, *, public_dir: Path, office: str) -> PosterSummary:
    return render_posters(store, public_dir=public_dir, office=office)


@task(name="publish-outputs", cache_policy=NO_CACHE)
def publish_outputs_task(
    store: Store, *, out: Path, settings: Settings, profile: SiteProfile
) -> list[str]:
    return publish_outputs(store, out=out, settings=settings, profile=profile)


@task(name="refresh-review-outputs", cache_policy=NO_CACHE)
def refresh_review_task(store: Store, *, out: Path, profile: SiteProfile) -> dict[str, Any] | None:
    """The review board and the approved drafts' exports; None without the drafts feature."""
    try:
        from flows.drafting import refresh_outputs
    except ImportError:
        return None
    board_written, approved = refresh_outputs(store, out=out, profile=profile)
    return {"board_written": board_written, "approved_exported": approved}


def rebuild_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Rebuild summary",
        "",
        "| releases | events | posters drawn | posters unchanged | poster failures | files changed |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {result['releases']} | {result['events']} | {result['posters_rendered']} "
        f"| {result['posters_unchanged']} | {len(result['poster_failures'])} "
        f"| {', '.join(result['files_changed']) or 'none'} |",
        "",
    ]
    if result["poster_failures"]:
        lines += ["## Posters that could not be drawn", "", "| release | reason |", "|---|---|"]
        lines += [
            f"| {f['url']} | {f['reason'].replace('|', '/')} |" for f in result["poster_failures"]
        ]
        lines.append("")
    review = result.get("review")
    if review is not None:
        lines.append(
            f"Review board {'rewritten' if review['board_written'] else 'unchanged'}; "
            f"{review['approved_exported']} approved drafts exported."
        )
    return "\n".join(lines) + "\n"


@flow(name="rebuild", log_prints=True)
def rebuild(
    out: str | None = param(RebuildParams, "out"),
    site: str | None = param(RebuildParams, "site"),
    base_url: str | None = param(RebuildParams, "base_url"),
    posters: bool = param(RebuildParams, "posters"),
) -> dict[str, Any]:
    """Regenerate posters, feeds, calendar, landing page and review board from the store.

    The parameters, their defaults and limits are flows/params.py's ``RebuildParams``.
    """
    params = validate_params(RebuildParams, dict(
        out=out, site=site, base_url=base_url, posters=posters,
    ))
    logger = get_run_logger()
    settings = load_settings(out=params.out)
    out_path = out_dir(settings, params.out)
    profile = load_profile(params.site or settings.site)
    if params.base_url:
        profile = profile.with_base_url(params.base_url)
    store = open_store(settings.resolved_database_url())
    run_id = store.start_run("rebuild", source=str(out_path))
    try:
        drawn = (
            render_all_posters_task(store, public_dir=out_path / "public", office=profile.office)
            if params.posters else PosterSummary()
        )
        changed = publish_outputs_task(store, out=out_path, settings=settings, profile=profile)
        review = refresh_review_task(store, out=out_path, profile=profile)
    except PublicityError as exc:
        store.finish_run(run_id, state="failed", summary={}, error=str(exc))
        logger.error(str(exc))
        raise
    result: dict[str, Any] = {
        "releases": store.release_count(),
        "events": store.event_count(),
        "posters_rendered": drawn.rendered,
        "posters_unchanged": drawn.unchanged,
        "poster_failures": [{"url": u, "reason": r} for u, r in drawn.failed],
        "files_changed": changed,
        "review": review,
    }
    store.finish_run(run_id, state="completed", summary=result)
    create_markdown_artifact(
        key="rebuild-summary", markdown=rebuild_markdown(result),
        description="What this rebuild regenerated from the store.",
    )
    logger.info(
        "Rebuild done: %d releases, %d posters drawn (%d unchanged, %d failed), files changed: %s",
        result["releases"], drawn.rendered, drawn.unchanged, len(drawn.failed),
        ", ".join(changed) or "none",
    )
    return result
