"""The review flow against a real Prefect server, answered through Prefect's API as the UI would.

A ``prefect server start`` subprocess (its own PREFECT_HOME in a tmp folder) runs the API; the
review flow runs in a second subprocess pointed at it; the test finds the paused run, reads which
draft it asks about (the pause key), and resumes it with a typed decision through
``prefect.flow_runs.resume_flow_run``. Then it checks the store, the history and the export.

A second run with a short deadline checks the timeout: the drafts stay pending and the run ends
Completed, not Failed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from flows.drafting import prepare_drafts
from tasks.review import Action, DraftState
from tasks.settings import load_profile
from tests.test_feeds import fill_store, settings_for

pytestmark = [pytest.mark.prefect, pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent
PREFECT = Path(sys.executable).parent / "prefect"
SERVER_START_TIMEOUT = 180  # seconds; ~11 s on a new database (FACTS.md), generous for a busy machine
PAUSE_WAIT = 120  # seconds for the flow to reach its next pause
LONG_TIMEOUT = 30 * 24 * 3600  # 30 days: far past Prefect's default 3,600 s
EDITED_WEIBO = "【东莞发布】文化活动周末开幕，欢迎市民参加。#东莞#\n\n详情见原文。"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _offline_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PUBLICITY_"))}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
    })
    return env


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=_offline_env(home), stdout=log, stderr=subprocess.STDOUT, cwd=home,
        )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"prefect server exited:\n{log_path.read_text()[-4000:]}")
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy after {SERVER_START_TIMEOUT} s:\n"
                            f"{log_path.read_text()[-4000:]}")
            time.sleep(0.5)
        yield api
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def drafted(tmp_path: Path):
    """A store with one release (two events) and its drafts for every platform."""
    store, _public = fill_store(tmp_path, count=1)
    settings = settings_for(tmp_path)
    summary = prepare_drafts(store, out=tmp_path / "out", settings=settings,
                             profile=load_profile("dongguan"),
                             release_urls=[s.release.url for s in store.latest_releases()],
                             today=date(2024, 12, 10))
    assert summary.created == 5
    return store, tmp_path / "out"


def _start_review(api: str, store, out: Path, home: Path, *, timeout_seconds: int,
                  platforms: list[str]):
    env = _offline_env(home)
    env.update({"PREFECT_API_URL": api, "PUBLICITY_OUT": str(out),
                "PUBLICITY_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
                "PUBLICITY_PUBLIC_BASE_URL": "http://127.0.0.1:8000/"})
    code = (
        "import json, sys\n"
        "from flows.review import review\n"
        f"state = review(timeout_seconds={timeout_seconds}, poll_interval=1, "
        f"platforms={platforms!r}, return_state=True)\n"
        "print('STATE=' + state.type.value)\n"
        "print('RESULT=' + json.dumps(state.result(raise_on_failure=False), default=str))\n"
    )
    log = (home / f"flow-{time.monotonic_ns()}.log").open("w+b")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, log


def _log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def _wait_paused(client, proc, log, *, not_key: str | None = None):
    """The review run once it is paused with a pause key other than ``not_key``."""
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + PAUSE_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the review flow exited early:\n{_log_text(log)[-6000:]}")
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["review"])),
            flow_run_filter=FlowRunFilter(state={"type": FlowRunFilterStateType(any_=[StateType.PAUSED])}),
        )
        for run in runs:
            key = run.state.state_details.pause_key
            if key != not_key:
                return run, key
        time.sleep(0.5)
    pytest.fail(f"no paused review run after {PAUSE_WAIT} s:\n{_log_text(log)[-6000:]}")


def _finish(proc, log) -> tuple[str, dict]:
    try:
        proc.wait(timeout=PAUSE_WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"the review flow did not finish:\n{_log_text(log)[-6000:]}")
    text = _log_text(log)
    lines = dict(line.split("=", 1) for line in text.splitlines()
                 if line.startswith(("STATE=", "RESULT=")))
    assert "STATE" in lines, text[-6000:]
    return lines["STATE"], json.loads(lines["RESULT"])


def _draft_id(key: str) -> int:
    assert key.startswith("draft-"), key
    return int(key.split("-")[1])


def test_review_flow_decisions_through_the_api(prefect_api, drafted, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    store, out = drafted
    weibo = store.list_drafts(platform="weibo")[0]
    wechat = store.list_drafts(platform="wechat")[0]
    home = tmp_path / "flow-home"
    home.mkdir()
    proc, log = _start_review(prefect_api, store, out, home, timeout_seconds=LONG_TIMEOUT,
                              platforms=["weibo", "wechat"])
    try:
        with temporary_settings({PREFECT_API_URL: prefect_api}), get_client(sync_client=True) as client:
            run, key = _wait_paused(client, proc, log)
            asked = _draft_id(key)
            assert asked in (weibo.id, wechat.id)
            # The pause deadline is the 30-day parameter, not Prefect's default hour.
            pause_left = run.state.state_details.pause_timeout - run.state.timestamp
            assert pause_left.total_seconds() > 29 * 24 * 3600
            # Its artifact shows the draft's text and counts against the limits.
            artifacts = client.read_artifacts()
            md = next(a for a in artifacts if a.key == f"draft-{asked}").data
            assert "## 字数" in md and "## 文本" in md

            # An invalid answer (reject without a reason) is refused; the run stays paused.
            with pytest.raises(Exception, match="理由|note"):
                resume_flow_run(run.id, run_input={"decision": "reject", "reviewer": "张三"})
            assert client.read_flow_run(run.id).state.is_paused()

            answers_for = {
                weibo.id: {"decision": "edit", "reviewer": "张三", "note": "精简首段",
                           "edited_text": EDITED_WEIBO},
                wechat.id: {"decision": "reject", "reviewer": "李四", "note": "公众号本周不发"},
            }
            decided: list[int] = []
            last_key = None
            for _ in range(3):  # weibo edit, then its new version, and wechat: three pauses
                if last_key is not None:
                    run, key = _wait_paused(client, proc, log, not_key=last_key)
                draft_id = _draft_id(key)
                answer = answers_for.get(draft_id) or {"decision": "approve", "reviewer": "张三",
                                                       "note": "改后通过"}
                resume_flow_run(run.id, run_input=answer)
                decided.append(draft_id)
                last_key = key
        state, result = _finish(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert state == "COMPLETED", _log_text(log)[-4000:]
    assert result["edited"] == 1 and result["rejected"] == 1 and result["approved"] == 1
    assert result["timed_out"] is False

    versions = store.draft_versions(weibo.release_url, "weibo")
    assert [v.state for v in versions] == [DraftState.EDITED, DraftState.APPROVED]
    new = versions[1]
    assert new.created_by == "张三" and new.parent_id == weibo.id
    assert new.content.body.startswith("【东莞发布】文化活动周末开幕")
    history = store.draft_history([weibo.id, new.id])
    edit_entry = history[weibo.id][-1]
    assert (edit_entry.action, edit_entry.actor, edit_entry.note) == (Action.EDIT, "张三", "精简首段")
    assert edit_entry.from_state == DraftState.PENDING and edit_entry.to_state == DraftState.EDITED
    assert "正文" in (edit_entry.changes or "")
    assert [e.action for e in history[new.id]] == [Action.CREATE, Action.APPROVE]
    assert store.get_draft(wechat.id).state == DraftState.REJECTED
    assert store.draft_history([wechat.id])[wechat.id][-1].note == "公众号本周不发"
    # Untouched platforms are still pending.
    assert store.list_drafts(platform="douyin")[0].state == DraftState.PENDING

    export = out / "drafts" / "approved" / "weibo" / f"post_1000000-v{new.version}" / "draft.txt"
    assert export.read_text(encoding="utf-8").startswith("【东莞发布】文化活动周末开幕")
    board = (out / "review" / "index.html").read_text(encoding="utf-8")
    assert f"#{new.id}" in board  # approved, awaiting posting


def test_review_timeout_leaves_drafts_pending_and_completes(prefect_api, drafted, tmp_path):
    store, out = drafted
    pending_before = {d.id for d in store.list_drafts(states=[DraftState.PENDING])}
    home = tmp_path / "flow-home"
    home.mkdir()
    proc, log = _start_review(prefect_api, store, out, home, timeout_seconds=3, platforms=["plain"])
    try:
        state, result = _finish(proc, log)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert state == "COMPLETED", _log_text(log)[-4000:]
    assert result["timed_out"] is True
    assert {d.id for d in store.list_drafts(states=[DraftState.PENDING])} == pending_before
