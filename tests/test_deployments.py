"""The deployments on a real Prefect server, run by a real worker (tests/prefect_stack.py).

prefect.yaml deployed with ``prefect --no-prompt deploy --all``: each deployment's schedule,
concurrency, tags, pull step and the review trigger as the server stores them; the parameter
schema the UI builds its form from (a type, a default and a description for every parameter, and
the limits enforced by the server); then ``poll`` triggered through the API against the sample
site: its outputs, its summary artifact, its logs naming each release, the cookie from a Secret
block sent to the site and never shown; then ``backfill`` and ``rebuild`` on the same worker.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import feedparser
import pytest

from tests.conftest import sample_article_files

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fixtures come from the plugin below; importing it here would load it twice
    from tests.prefect_stack import FinishedRun, Stack

pytest_plugins = ["tests.prefect_stack"]
pytestmark = pytest.mark.timeout(900)
server = pytest.mark.server  # the tests that use the stack; the others need no server

DEPLOYMENTS = ("poll/poll", "backfill/backfill", "review/review", "rebuild/rebuild")
SAMPLE_RELEASES = len(sample_article_files())  # 45 when written; every one is listed
FEED_ITEMS = 50  # PUBLICITY_FEED_ITEMS' default: the worker runs with default settings


def _listed_since(*, pages: int, since: date) -> set[str]:
    """The sample site's releases on the first ``pages`` list pages of each column since a day."""
    from tasks.parse import parse_list_page
    from tasks.settings import SAMPLE_SITE_DIR, load_profile

    profile = load_profile("sample")
    found: set[str] = set()
    for _, url in profile.column_urls():
        folder = SAMPLE_SITE_DIR / url.removeprefix(profile.base_url)
        for n in range(1, pages + 1):
            path = folder / ("index.html" if n == 1 else f"index_{n}.html")
            if not path.exists():
                break
            page = parse_list_page(path.read_bytes().decode("utf-8", "replace"),
                                   url=url + path.name, profile=profile)
            found |= {i.url for i in page.items
                      if not i.off_site and i.published is not None and i.published >= since}
    return found


def _types(prop: dict) -> set[str]:
    if "type" in prop:
        return {prop["type"]}
    return {t for branch in prop.get("anyOf", []) for t in _types(branch)}


@server
def test_prefect_yaml_is_deployed_with_schedule_concurrency_and_pull_step(prefect_stack: Stack):
    with prefect_stack.client() as client:
        deployments = {name: client.read_deployment_by_name(name) for name in DEPLOYMENTS}
        pool = client.read_work_pool("publicity")
        automations = client.read_automations_by_name("review when new drafts wait")
    assert pool.type == "process"
    for name, d in deployments.items():
        assert d.work_pool_name == "publicity", name
        assert d.description and len(d.description) > 40, name
        assert "publicity" in d.tags, name
        assert d.pull_steps == [{
            "prefect.deployments.steps.set_working_directory":
                {"directory": "{{ $PUBLICITY_PROJECT_DIR }}"},
        }], name
        assert d.job_variables["env"]["PREFECT_LOGGING_EXTRA_LOGGERS"] == "publicity", name
        assert d.global_concurrency_limit is not None and d.global_concurrency_limit.limit == 1, name
        assert d.enforce_parameter_schema, name

    poll = deployments["poll/poll"]
    (schedule,) = poll.schedules
    assert schedule.schedule.cron == "*/30 * * * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert poll.concurrency_options.collision_strategy == "CANCEL_NEW"
    for name in ("backfill/backfill", "review/review", "rebuild/rebuild"):
        assert deployments[name].schedules == [], name

    # The review deployment starts when a run announces new drafts.
    (automation,) = automations
    assert automation.enabled
    assert automation.trigger.expect == {"publicity.drafts.waiting"}
    assert automation.trigger.match.model_dump() == {"prefect.resource.id": "publicity.drafts"}
    (action,) = automation.actions
    assert action.type == "run-deployment" and action.deployment_id == deployments["review/review"].id


@server
def test_every_parameter_has_a_type_a_default_and_help(prefect_stack: Stack):
    """The schema the UI renders its run form from, as the server stores it."""
    with prefect_stack.client() as client:
        schemas = {name: client.read_deployment_by_name(name).parameter_openapi_schema
                   for name in DEPLOYMENTS}
    for name, schema in schemas.items():
        properties = schema["properties"]
        assert properties, name
        assert schema.get("required", []) == [], name  # every parameter can be left at its default
        for pname, prop in properties.items():
            where = f"{name}: {pname}"
            assert _types(prop) - {"null"}, f"{where} has no type: {prop}"
            assert "default" in prop, f"{where} has no default"
            assert len(prop.get("description", "")) >= 15, f"{where} has no description"
    poll = schemas["poll/poll"]["properties"]
    assert poll["max_pages"]["type"] == "integer" and poll["max_pages"]["default"] == 3
    assert poll["max_pages"]["minimum"] == 1
    backfill = schemas["backfill/backfill"]["properties"]
    assert {"pages", "since"} <= set(backfill)
    assert {"format": "date", "type": "string"} in backfill["since"]["anyOf"]


@server
def test_the_server_refuses_parameters_outside_their_limits(prefect_stack: Stack):
    from prefect.exceptions import PrefectHTTPStatusError

    with prefect_stack.client() as client:
        deployment = client.read_deployment_by_name("poll/poll")
        with pytest.raises(PrefectHTTPStatusError, match="max_pages|minimum|0 is less than"):
            client.create_flow_run_from_deployment(deployment.id, parameters={"max_pages": 0})
        with pytest.raises(PrefectHTTPStatusError):
            client.create_flow_run_from_deployment(deployment.id, parameters={"source": "ftp://x"})


@server
def test_poll_runs_on_the_worker_and_leaves_outputs_and_a_summary(poll_run: FinishedRun):
    out = poll_run.out
    rss = feedparser.parse((out / "public" / "rss.xml").read_bytes())
    assert not rss.bozo, rss.get("bozo_exception")
    assert len(rss.entries) == min(SAMPLE_RELEASES, FEED_ITEMS)
    posters = sorted((out / "public" / "posters").glob("*.png"))
    assert len(posters) >= SAMPLE_RELEASES  # at least one event in most releases, 4 formats each
    assert all(p.stat().st_size > 10_000 for p in posters[:5])
    assert (out / "publicity.db").exists()
    assert poll_run.flow_run.deployment_id is not None
    assert poll_run.flow_run.parameters["site"] == "sample"


@server
def test_poll_summary_artifact_is_readable_through_the_api(prefect_stack: Stack, poll_run: FinishedRun):
    summary = prefect_stack.run_artifacts(poll_run.flow_run.id)["poll-summary"]
    assert summary.type == "markdown"
    text = summary.data
    assert text.startswith("# Poll summary")
    header, _, row = text.split("\n")[4:7]
    cells = dict(zip((c.strip() for c in header.strip("|").split("|")),
                     (c.strip() for c in row.strip("|").split("|"))))
    assert cells["new"] == str(SAMPLE_RELEASES)
    assert (cells["updated"], cells["unchanged"], cells["failed"]) == ("0", "0", "0")
    assert int(cells["events found"]) > 0 and int(cells["posters rendered"]) > 0
    assert "waiting for review:" in text


@server
def test_logs_name_the_release_each_line_is_about(prefect_stack: Stack, poll_run: FinishedRun):
    # Logs reach the server in batches, after the run's state: wait for the last line to land.
    deadline = time.monotonic() + 60
    while True:
        messages = [log.message for log in prefect_stack.run_logs(poll_run.flow_run.id)]
        if any(m.startswith("Poll done: ") for m in messages) or time.monotonic() > deadline:
            break
        time.sleep(2)
    stored = [m for m in messages if m.startswith("Release new: ")]
    assert len(stored) == SAMPLE_RELEASES, messages[:30]
    for message in stored:  # "Release new: <title> (<url>), N events"
        assert re.match(r"Release new: \S.* \(http://127\.0\.0\.1:\d+/\S+post_\d+\.html\), \d+ events$",
                        message), message
    assert any(m.startswith(f"Poll done: {SAMPLE_RELEASES} new") for m in messages), messages[-10:]


@server
def test_the_cookie_from_the_secret_block_reaches_the_site_and_no_log(
    prefect_stack: Stack, poll_run: FinishedRun
):
    sent = [headers.get("Cookie") for _, path, headers in poll_run.site.requests if "/zwgk/" in path]
    assert sent and all(cookie == poll_run.cookie for cookie in sent)
    logs = prefect_stack.run_logs(poll_run.flow_run.id)
    assert any("cookie: from Secret block 'publicity-cookie'" in log.message for log in logs)
    secret_part = poll_run.cookie.split("=", 1)[1]
    assert not [log.message for log in logs if secret_part in log.message]
    for artifact in prefect_stack.run_artifacts(poll_run.flow_run.id).values():
        assert secret_part not in json.dumps(artifact.data, ensure_ascii=False)
    with prefect_stack.client() as client:
        run = client.read_flow_run(poll_run.flow_run.id)
    assert secret_part not in json.dumps(run.parameters) + str(run.state.message)


@server
def test_status_shows_the_run_from_the_store(poll_run: FinishedRun, monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    from flows.cli import app

    for name in ("PUBLICITY_OUT", "PUBLICITY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["status", "--out", str(poll_run.out)])
    assert result.exit_code == 0, result.output
    assert re.search(rf"poll\s.*completed: new {SAMPLE_RELEASES},", result.output), result.output
    assert re.search(r"runs by state: completed \d+", result.output), result.output


@server
def test_backfill_and_rebuild_run_on_the_worker(
    prefect_stack: Stack, poll_run: FinishedRun, tmp_path: Path
):
    # Rebuild: outputs lost from the poll's folder come back from the store alone.
    public = poll_run.out / "public"
    items_before = [(e.id, e.title) for e in feedparser.parse((public / "rss.xml").read_bytes()).entries]
    lost_poster = sorted((public / "posters").glob("*.png"))[0]
    (public / "rss.xml").unlink()
    lost_poster.unlink()
    requests_before = len(poll_run.site.requests)

    # Backfill into a new folder: the first 2 list pages of each column, releases since a day.
    since = date(2025, 6, 1)
    backfill_out = tmp_path / "backfill"
    backfill_run = prefect_stack.trigger("backfill/backfill", {
        "site": "sample", "base_url": poll_run.site.url, "out": str(backfill_out),
        "pages": 2, "since": since.isoformat(),
    })
    rebuild_run = prefect_stack.trigger("rebuild/rebuild", {
        "out": str(poll_run.out), "site": "sample", "base_url": poll_run.site.url,
    })
    rebuild = prefect_stack.wait(rebuild_run.id)
    prefect_stack.assert_completed(rebuild)
    # The same items (lastBuildDate moves: the lost poster was drawn again).
    assert [(e.id, e.title) for e in feedparser.parse((public / "rss.xml").read_bytes()).entries] == items_before
    assert lost_poster.exists()
    rebuild_artifacts = prefect_stack.run_artifacts(rebuild.id)
    assert "# Rebuild summary" in rebuild_artifacts["rebuild-summary"].data
    assert "rss.xml" in rebuild_artifacts["rebuild-summary"].data

    backfill = prefect_stack.wait(backfill_run.id)
    prefect_stack.assert_completed(backfill)
    from tasks.store import open_store

    store = open_store(f"sqlite:///{backfill_out / 'publicity.db'}")
    stored = store.latest_releases()
    assert len(stored) == len(_listed_since(pages=2, since=since))
    assert 0 < len(stored) < SAMPLE_RELEASES
    assert all(s.release.published.date() >= since for s in stored)
    artifacts = prefect_stack.run_artifacts(backfill.id)
    assert artifacts["backfill-progress"].type == "progress"
    assert artifacts["backfill-progress"].data == 100.0
    assert artifacts["backfill-summary"].data.startswith("# Backfill summary")
    assert f"| {len(stored)} | 0 | 0 | 0 |" in artifacts["backfill-summary"].data
    assert len(poll_run.site.requests) > requests_before


@server
def test_a_drafts_event_starts_a_review_of_that_folder(prefect_stack: Stack, tmp_path: Path):
    """The review deployment's trigger: the event a poll emits when it added drafts starts a
    review run on the poll's output folder (here with no drafts in it, so the review ends at once)."""
    import uuid
    from datetime import datetime, timezone

    import httpx
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    from flows.poll import drafts_event

    out = tmp_path / "review-out"
    event = drafts_event(waiting=2, new=2, source="test", out=out)
    event.update(id=str(uuid.uuid4()), occurred=datetime.now(timezone.utc).isoformat())
    response = httpx.post(f"{prefect_stack.api_url}/events", json=[event], timeout=30)
    assert response.status_code == 204, response.text

    with prefect_stack.client() as client:
        review = client.read_deployment_by_name("review/review")
        runs: list = []
        for _ in range(120):  # the automation reacts within seconds; allow two minutes
            # The poll tests' own runs announce their drafts too: keep this folder's runs only.
            runs = [
                run for run in client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[review.id]))
                )
                if run.parameters == {"out": str(out.resolve())}
            ]
            if runs:
                break
            time.sleep(1)
    assert len(runs) == 1, "the trigger did not start exactly one review run for this folder"
    finished = prefect_stack.wait(runs[0].id)
    prefect_stack.assert_completed(finished)
    assert "review-summary" in prefect_stack.run_artifacts(finished.id)


# ---- no server needed ----------------------------------------------------------------------------


@pytest.mark.parametrize("flow_name, model_name", [
    ("poll", "PollParams"), ("backfill", "BackfillParams"), ("rebuild", "RebuildParams"),
])
def test_each_flow_parameter_is_its_model_field(flow_name: str, model_name: str):
    """The signature's defaults, help and limits are the model's: the UI form and a Python call
    see the same parameters."""
    import importlib

    from prefect.utilities.callables import parameter_schema

    import flows.params

    flow = getattr(importlib.import_module(f"flows.{flow_name}"), flow_name)
    model = getattr(flows.params, model_name)
    schema = parameter_schema(flow).model_dump()["properties"]
    model_schema = model.model_json_schema()["properties"]
    assert set(schema) == set(model_schema)
    for name, prop in schema.items():
        expected = model_schema[name]
        assert prop.get("default") == expected.get("default"), name
        assert prop["description"] == expected["description"], name
        assert _types(prop) == _types(expected), name
        for limit in ("minimum", "maximum", "pattern"):
            branches = [expected, *expected.get("anyOf", [])]
            want = next((b[limit] for b in branches if limit in b), None)
            assert prop.get(limit) == want, (name, limit)


def test_bad_parameters_are_refused_with_the_field_named():
    from flows.params import BackfillParams, PollParams, validate_params
    from tasks.errors import SettingsError

    with pytest.raises(SettingsError, match=r"Invalid poll parameters: max_pages: .*greater than or equal to 1"):
        validate_params(PollParams, {"max_pages": 0})
    with pytest.raises(SettingsError, match=r"since: .*date"):
        validate_params(BackfillParams, {"since": "last spring"})
    with pytest.raises(SettingsError, match=r"base_url: .*pattern"):
        validate_params(PollParams, {"base_url": "file:///etc/passwd"})
    assert validate_params(BackfillParams, {"since": "2025-06-01"}).since == date(2025, 6, 1)


def test_secrets_come_from_the_environment_first_then_the_blocks_and_are_never_logged():
    from pydantic import SecretStr

    from flows.secret_settings import with_secrets
    from tasks.settings import Settings

    blocks = {"publicity-cookie": "block-cookie-value", "publicity-notify-urls": "json://hook/TOKEN1"}
    asked: list[str] = []

    def read_block(name: str) -> str | None:
        asked.append(name)
        return blocks.get(name)

    said: list[str] = []
    settings = with_secrets(Settings(cookie=SecretStr("env-cookie-value")), read_block=read_block,
                            log=said.append)
    assert settings.cookie.get_secret_value() == "env-cookie-value"  # the environment wins
    assert settings.notify_urls.get_secret_value() == "json://hook/TOKEN1"
    assert asked == ["publicity-notify-urls"]
    assert said == ["cookie: from the environment (PUBLICITY_COOKIE)",
                    "notify_urls: from Secret block 'publicity-notify-urls'"]
    assert "TOKEN1" not in repr(settings) and "env-cookie-value" not in repr(settings)

    def broken(name: str) -> str | None:
        raise ConnectionError(f"cannot reach the API for {name} (value block-cookie-value)")

    said.clear()
    unset = with_secrets(Settings(), read_block=broken, log=said.append)
    assert unset.cookie is None and unset.notify_urls is None
    assert said == ["cookie: Secret block 'publicity-cookie' could not be read (ConnectionError)",
                    "notify_urls: Secret block 'publicity-notify-urls' could not be read (ConnectionError)"]


def test_a_backfill_keeps_the_releases_listed_since_its_day():
    from datetime import timedelta

    from flows.backfill import NO_WINDOW, recheck_window
    from flows.poll import listed_since
    from tasks.crawl import ColumnWalk
    from tasks.models import ListItem

    items = (ListItem("https://x/a", "a", date(2025, 6, 2)), ListItem("https://x/b", "b", date(2025, 5, 31)),
             ListItem("https://x/c", "c", None), ListItem("https://x/d", "d", date(2025, 6, 1)))
    walk = listed_since(ColumnWalk("https://x/", items, 1, 0), date(2025, 6, 1))
    assert [i.url for i in walk.items] == ["https://x/a", "https://x/c", "https://x/d"]
    assert recheck_window(None, today=date(2025, 6, 10)) == NO_WINDOW
    assert recheck_window(date(2025, 6, 1), today=date(2025, 6, 10)) == timedelta(days=10)
