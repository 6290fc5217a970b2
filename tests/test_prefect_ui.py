"""The Prefect UI of the test stack in headless Chromium: what an engineer sees.

The server and the finished ``poll`` run are tests/prefect_stack.py's (one stack per session). The
UI's assets are served by the Prefect server itself, so this works offline. Screenshots go to
tests/artifacts/ (git-ignored): prefect-deployments.png, prefect-run-form.png (the backfill
deployment's parameter form with its help texts), prefect-poll-run.png (the run's logs),
prefect-poll-summary.png (the summary artifact).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import sample_article_files

if TYPE_CHECKING:  # fixtures come from the plugin below; importing it here would load it twice
    from tests.prefect_stack import FinishedRun, Stack

pytest_plugins = ["tests.prefect_stack"]
pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.timeout(900)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PAGE_TIMEOUT = 60_000  # ms: the UI's first load compiles a large bundle on a slow machine
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts"


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors in the UI: {errors}"


def test_root_redirects_to_the_ui_and_lists_every_deployment(
    prefect_stack: Stack, page: Any
) -> None:
    page.goto(prefect_stack.url + "/", wait_until="networkidle")
    assert "/v2/" in page.url, page.url
    page.goto(prefect_stack.url + "/v2/deployments", wait_until="networkidle")
    table = page.locator("main, body").first
    for name in ("poll", "backfill", "review", "rebuild"):
        table.get_by_role("link", name=name, exact=True).first.wait_for()
    page.get_by_text("1 schedules").first.wait_for()  # poll's cron schedule
    page.screenshot(path=str(screenshot_path("prefect-deployments.png")), full_page=True)


def test_a_deployment_run_form_shows_each_parameter_with_its_help(
    prefect_stack: Stack, page: Any
) -> None:
    with prefect_stack.client() as client:
        deployment = client.read_deployment_by_name("backfill/backfill")
    page.goto(f"{prefect_stack.url}/v2/deployments/deployment/{deployment.id}",
              wait_until="networkidle")
    page.get_by_role("button", name="Run").first.click()
    page.get_by_text("Custom run").click()
    page.get_by_text("Parameters", exact=True).first.wait_for()
    for name, prop in deployment.parameter_openapi_schema["properties"].items():
        page.get_by_text(prop["description"], exact=True).first.wait_for()
        assert page.get_by_text(name, exact=False).count() > 0, name
    page.screenshot(path=str(screenshot_path("prefect-run-form.png")), full_page=True)


def test_the_finished_poll_run_shows_its_logs_and_summary_artifact(
    prefect_stack: Stack, poll_run: FinishedRun, page: Any
) -> None:
    run = poll_run.flow_run
    page.goto(f"{prefect_stack.url}/v2/runs/flow-run/{run.id}?tab=Logs", wait_until="networkidle")
    page.get_by_text(run.name, exact=True).first.wait_for()
    page.get_by_text("Completed").first.wait_for()
    release_line = page.get_by_text("Release new:", exact=False).first
    release_line.wait_for()
    release_line.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("prefect-poll-run.png")))

    page.goto(f"{prefect_stack.url}/v2/runs/flow-run/{run.id}?tab=Artifacts",
              wait_until="networkidle")
    page.get_by_text("poll-summary").first.wait_for()

    summary = prefect_stack.run_artifacts(run.id)["poll-summary"]
    page.goto(f"{prefect_stack.url}/v2/artifacts/artifact/{summary.id}", wait_until="networkidle")
    page.get_by_role("heading", name="Poll summary").wait_for()
    table = page.locator("table").first
    table.wait_for()
    assert table.locator("th").first.inner_text().strip() == "new"
    assert table.locator("td").first.inner_text().strip() == str(len(sample_article_files()))
    page.screenshot(path=str(screenshot_path("prefect-poll-summary.png")), full_page=True)
