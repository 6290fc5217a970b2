"""A real Prefect stack for the server tests: one per pytest session, shared by the test modules
that name this module in ``pytest_plugins`` (tests/test_deployments.py, tests/test_prefect_ui.py;
they use only its fixtures and import nothing from it, so pytest loads it once, as a plugin).

``prefect_stack`` runs scripts/prefect_stack.py (what ``make prefect-up`` runs) with its own state
folder and PREFECT_HOME in a tmp dir, a free loopback port and PREFECT_WORKER_QUERY_SECONDS=2: a
server on 127.0.0.1, the process work pool, every deployment in prefect.yaml, a worker. It always
stops them (``down``: SIGINT, then SIGKILL), even when a test failed. ``poll_run`` triggers the
``poll`` deployment once through the API against the sample site on a local port, with the site's
cookie in a Secret block, and waits for it to finish.

Waits are generous for a slow 2-core machine: 180 s for the server, 300 s for a run. A failure
message carries the stack's logs (server, worker, setup) and the run's own logs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tasks.sample_server import SampleServer
from tasks.settings import SAMPLE_SITE_DIR

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACK_SCRIPT = PROJECT_DIR / "scripts" / "prefect_stack.py"
SERVER_TIMEOUT = 180  # seconds (FACTS.md: ~11 s on an idle machine, new database)
RUN_TIMEOUT = 300  # seconds for one flow run, from trigger to a final state
UP_TIMEOUT = 600  # seconds for the whole `up`: server, pool, deploy --all, worker
COOKIE = "publicity-test-cookie=5e3c1a-never-logged"  # goes into the Secret block, then the site




@dataclass
class Stack:
    """The running stack and what the tests do with it through the API."""

    url: str  # http://127.0.0.1:PORT
    api_url: str
    state_dir: Path
    info: dict[str, Any]

    def logs(self) -> str:
        """The stack's own logs (setup, server, worker), for failure messages."""
        parts = []
        for name in ("setup", "server", "worker"):
            path = self.state_dir / f"{name}.log"
            text = path.read_text(errors="replace") if path.exists() else "(missing)"
            parts.append(f"----- {name}.log (last 80 lines) -----\n" + "\n".join(text.splitlines()[-80:]))
        return "\n".join(parts)

    @contextmanager
    def client(self) -> Iterator[Any]:
        """A sync Prefect client on this stack, whatever else this test process is connected to."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
            with get_client(sync_client=True) as client:
                yield client

    def trigger(self, name: str, parameters: dict[str, Any]) -> Any:
        """Start a run of deployment ``name`` ("flow/deployment") now; returns the flow run."""
        from prefect.deployments import run_deployment
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
            return run_deployment(name, parameters=parameters, timeout=0)

    def wait(self, flow_run_id: Any, *, timeout: float = RUN_TIMEOUT) -> Any:
        """The flow run once it is in a final state; fails with the logs when it is not in time."""
        began = time.monotonic()
        with self.client() as client:
            while True:
                run = client.read_flow_run(flow_run_id)
                if run.state is not None and run.state.is_final():
                    return run
                if time.monotonic() - began > timeout:
                    pytest.fail(
                        f"Flow run {run.name} ({flow_run_id}) still {run.state_name} after "
                        f"{timeout} s\n" + self.run_logs_text(flow_run_id) + "\n" + self.logs()
                    )
                time.sleep(1)

    def assert_completed(self, run: Any) -> None:
        if not (run.state and run.state.is_completed()):
            pytest.fail(
                f"Flow run {run.name} ended {run.state_name}: "
                f"{run.state.message if run.state else ''}\n"
                + self.run_logs_text(run.id) + "\n" + self.logs()
            )

    def run_logs(self, flow_run_id: Any) -> list[Any]:
        from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

        logs: list[Any] = []
        with self.client() as client:
            while True:
                page = client.read_logs(
                    log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                    limit=200, offset=len(logs),
                )
                logs += page
                if len(page) < 200:
                    return logs

    def run_logs_text(self, flow_run_id: Any) -> str:
        return "----- flow run logs -----\n" + "\n".join(
            f"{log.level} {log.name}: {log.message}" for log in self.run_logs(flow_run_id)
        )

    def run_artifacts(self, flow_run_id: Any) -> dict[str, Any]:
        """The run's artifacts by key."""
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

        with self.client() as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )
        return {a.key: a for a in artifacts}


@dataclass
class FinishedRun:
    flow_run: Any  # prefect.client.schemas.objects.FlowRun
    out: Path
    site: SampleServer
    cookie: str  # what the Secret block held


def _clean_env() -> dict[str, str]:
    """The test process's environment without our settings or another Prefect's (the harness)."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith("PUBLICITY_") and not k.startswith("PREFECT_")
    }


def _stack_command(command: str, state_dir: Path, *extra: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(STACK_SCRIPT), command, "--state-dir", str(state_dir), *extra],
        cwd=PROJECT_DIR, env=_clean_env(), capture_output=True, text=True, timeout=timeout,
        check=False,
    )


def _kill_leftovers(state_dir: Path) -> None:
    """Backstop after ``down``: SIGKILL whatever pid file is left (only our own processes)."""
    for name in ("worker", "server"):
        pid_file = state_dir / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text().split()[0])
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _pause_poll_schedule(stack: Stack) -> None:
    """The cron schedule would start polls of the real portal at :00 and :30 during the tests (and
    a running poll cancels a new one): switch it off and drop the runs it already planned."""
    from prefect.client.schemas.filters import (
        DeploymentFilter, DeploymentFilterId, FlowRunFilter, FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with stack.client() as client:
        deployment = client.read_deployment_by_name("poll/poll")
        for schedule in deployment.schedules:
            client.update_deployment_schedule(deployment.id, schedule.id, active=False)
        planned = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
            ),
        )
        for run in planned:
            client.delete_flow_run(run.id)


@pytest.fixture(scope="session")
def prefect_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state_dir = tmp_path_factory.mktemp("prefect-stack")
    try:
        try:
            result = _stack_command(
                "up", state_dir, "--port", "0", "--query-seconds", "2",
                "--server-timeout", str(SERVER_TIMEOUT), timeout=UP_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"`prefect_stack.py up` took over {UP_TIMEOUT} s\n"
                        + Stack("", "", state_dir, {}).logs())
        if result.returncode != 0:
            pytest.fail(
                f"`prefect_stack.py up` failed (exit {result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n" + Stack("", "", state_dir, {}).logs()
            )
        info = json.loads((state_dir / "stack.json").read_text())
        stack = Stack(url=info["url"], api_url=info["api_url"], state_dir=state_dir, info=info)
        print(f"\nPrefect stack up at {stack.url}: {info['timings']}")  # shown with -s
        _pause_poll_schedule(stack)
        yield stack
    finally:
        try:
            down = _stack_command("down", state_dir, "--grace", "20", timeout=120)
            print(down.stdout)
        finally:
            _kill_leftovers(state_dir)


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SampleServer]:
    with SampleServer(SAMPLE_SITE_DIR) as server:
        yield server


@pytest.fixture(scope="session")
def poll_run(
    prefect_stack: Stack, sample_site: SampleServer, tmp_path_factory: pytest.TempPathFactory
) -> FinishedRun:
    """One ``poll`` run on the worker against the sample site, the cookie in a Secret block."""
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL, temporary_settings

    out = tmp_path_factory.mktemp("poll-out")
    with temporary_settings(updates={PREFECT_API_URL: prefect_stack.api_url}):
        Secret(value=COOKIE).save("publicity-cookie", overwrite=True)
    params = {"site": "sample", "base_url": sample_site.url, "out": str(out), "max_pages": 10}
    run = prefect_stack.wait(prefect_stack.trigger("poll/poll", params).id)
    for _ in range(8):
        # A scheduled poll the worker picked up before the schedule was paused holds the slot
        # (concurrency limit 1, new runs cancelled) until it ends: try again after it.
        if not run.state.is_cancelled():
            break
        time.sleep(15)
        run = prefect_stack.wait(prefect_stack.trigger("poll/poll", params).id)
    prefect_stack.assert_completed(run)
    return FinishedRun(flow_run=run, out=out, site=sample_site, cookie=COOKIE)
