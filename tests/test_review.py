"""The review: the state machine (tasks/review.py), its records in a real SQLite store, the drafting
glue (flows/drafting.py: supersede, expire, export, idempotence) and the `publicity drafts` CLI."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import drafting
from flows.cli_drafts import drafts_app
from flows.drafting import export_name, prepare_drafts
from tasks.drafts import DraftContent
from tasks.errors import StoreError
from tasks.models import SHANGHAI
from tasks.review import (
    SYSTEM,
    TRANSITIONS,
    Action,
    Draft,
    DraftState,
    ReviewError,
    diff_summary,
    transition,
)
from tasks.settings import load_profile
from tests.test_feeds import fill_store, make_events, make_release, settings_for

ROOT = Path(__file__).resolve().parent.parent
AT = datetime(2024, 12, 10, 9, 0, tzinfo=SHANGHAI)
BEFORE = date(2024, 12, 10)  # the sample events are on 20-28 December 2024
PROFILE = load_profile("dongguan")


def a_draft(state: DraftState = DraftState.PENDING, *, invalid: str | None = None) -> Draft:
    return Draft(id=7, release_url="https://x/post_1.html", platform="weibo", version=1, state=state,
                 content=DraftContent("weibo", body="正文", invalid=invalid), created=AT,
                 created_by=SYSTEM, release_title="标题", events_end=date(2024, 12, 20))


# ---- the state machine ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [a for a in TRANSITIONS])
@pytest.mark.parametrize("state", list(DraftState))
def test_every_transition_is_allowed_exactly_from_its_states(state, action):
    sources, target = TRANSITIONS[action]
    actor = SYSTEM if action in (Action.EXPIRE, Action.SUPERSEDE) else "张三"
    if state in sources:
        t = transition(a_draft(state), action, actor=actor, at=AT, note="理由")
        assert (t.expected, t.entry.from_state, t.entry.to_state) == (state, state, target)
        assert (t.entry.actor, t.entry.at, t.entry.note) == (actor, AT, "理由")
    else:
        with pytest.raises(ReviewError, match="不能"):
            transition(a_draft(state), action, actor=actor, at=AT, note="理由")


def test_reviewer_actions_need_a_name_and_a_reject_needs_a_reason():
    with pytest.raises(ReviewError, match="审核人"):
        transition(a_draft(), Action.APPROVE, actor=" ", at=AT)
    with pytest.raises(ReviewError, match="审核人"):
        transition(a_draft(), Action.APPROVE, actor=SYSTEM, at=AT)
    with pytest.raises(ReviewError, match="理由"):
        transition(a_draft(), Action.REJECT, actor="张三", at=AT, note="  ")
    with pytest.raises(ReviewError, match="超出平台上限"):
        transition(a_draft(invalid="正文 2100/2000"), Action.APPROVE, actor="张三", at=AT)


def test_diff_summary_says_what_changed():
    old = DraftContent("douyin", body="甲乙丙", title="标题")
    assert diff_summary(old, old) is None
    assert diff_summary(old, replace(old, body="甲乙丁戊")) == "正文：+2 −1 字（3 → 4 字）"
    assert diff_summary(old, replace(old, title="新标题")).startswith("标题：+1 −0 字")


# ---- drafting against a real store ------------------------------------------------------------------


@pytest.fixture
def world(tmp_path):
    store, _public = fill_store(tmp_path, count=2)
    out = tmp_path / "out"
    settings = settings_for(tmp_path)
    urls = [s.release.url for s in store.latest_releases()]
    return store, out, settings, urls


def _prepare(world, **kw):
    store, out, settings, urls = world
    return prepare_drafts(store, out=out, settings=settings, profile=PROFILE,
                          **{"release_urls": urls, "today": BEFORE, "at": AT, **kw})


def test_prepare_is_idempotent_and_writes_the_board(world):
    store, out, _settings, _urls = world
    first = _prepare(world)
    assert (first.created, first.invalid, first.open_drafts) == (10, 0, 10)
    assert first.board_written and (out / "review" / "index.html").is_file()
    history = store.draft_history(first.new_draft_ids)
    assert all([e.action for e in history[i]] == [Action.CREATE] for i in first.new_draft_ids)
    second = _prepare(world)
    assert (second.created, second.unchanged, second.board_written) == (0, 10, False)


def test_an_edit_at_the_source_supersedes_and_makes_new_pending_drafts(world):
    store, out, _settings, urls = world
    first = _prepare(world)
    url = urls[0]
    approved = store.list_drafts(release_urls=[url], platform="weibo")[0]
    drafting.approve(store, approved.id, by="张三", out=out)
    posted = store.list_drafts(release_urls=[url], platform="plain")[0]
    drafting.approve(store, posted.id, by="张三")
    drafting.mark_posted(store, posted.id, by="王五", note="已在网站发布", out=out)
    assert (out / "drafts/approved/weibo" / export_name(approved) / "draft.txt").is_file()

    old = store.get_release(url).release
    store.upsert_release(replace(old, text=old.text + "时间调整为晚上八点。"), events=make_events(0))
    again = _prepare(world, release_urls=[url])
    assert again.created == 5 and again.superseded == 4  # the posted one stays posted
    weibo = store.draft_versions(url, "weibo")
    assert [d.state for d in weibo] == [DraftState.SUPERSEDED, DraftState.PENDING]
    last = store.draft_history([weibo[0].id])[weibo[0].id][-1]
    assert (last.action, last.actor, last.from_state) == (Action.SUPERSEDE, SYSTEM, DraftState.APPROVED)
    assert "原文已更新" in last.note
    plain = store.draft_versions(url, "plain")
    assert [d.state for d in plain] == [DraftState.POSTED, DraftState.PENDING]
    assert any("已发布" in n for n in plain[1].content.notes)
    posted_history = store.draft_history([posted.id])[posted.id]
    assert posted_history[-1].actor == "王五" and posted_history[-1].note == "已在网站发布"
    # The superseded approval is no longer offered for pasting.
    assert not (out / "drafts/approved/weibo" / export_name(approved)).exists()
    assert first.created == 10


def test_drafts_expire_when_the_events_passed_and_past_releases_get_none(world):
    store, _out, _settings, urls = world
    _prepare(world)
    later = _prepare(world, today=date(2025, 1, 15))
    assert later.expired == 10 and later.open_drafts == 0 and later.created == 0
    entry = store.draft_history([store.list_drafts()[0].id])[store.list_drafts()[0].id][-1]
    assert entry.action == Action.EXPIRE and entry.to_state == DraftState.EXPIRED
    # A new release whose events are already over gets no drafts at all.
    release = make_release(9)
    store.upsert_release(release, events=make_events(9))
    past = _prepare(world, release_urls=[release.url], today=date(2025, 2, 1))
    assert past.created == 0 and past.past_events == 1


def test_a_release_without_events_gets_no_drafts_and_loses_open_ones(world):
    store, _out, _settings, urls = world
    release = make_release(7)
    store.upsert_release(release, events=[])
    none = _prepare(world, release_urls=[release.url])
    assert none.created == 0 and none.no_events == 1
    _prepare(world)
    store.upsert_release(replace(store.get_release(urls[0]).release, text="活动取消。"), events=[])
    gone = _prepare(world, release_urls=[urls[0]])
    assert gone.superseded == 5
    assert {d.state for d in store.list_drafts(release_urls=[urls[0]])} == {DraftState.SUPERSEDED}


def test_a_decision_on_a_changed_draft_never_overwrites_it(world):
    store, _out, _settings, _urls = world
    first = _prepare(world)
    draft = store.get_draft(first.new_draft_ids[0])
    stale = transition(draft, Action.APPROVE, actor="张三", at=AT)
    drafting.reject(store, draft.id, by="李四", note="时间有误")
    with pytest.raises(StoreError, match="changed meanwhile"):
        store.apply_transition(stale)
    assert store.get_draft(draft.id).state == DraftState.REJECTED


def test_edit_makes_a_new_version_and_keeps_the_old(world):
    store, out, _settings, _urls = world
    first = _prepare(world)
    douyin = next(d for d in (store.get_draft(i) for i in first.new_draft_ids) if d.platform == "douyin")
    new = drafting.edit(store, douyin.id, by="李四", text="标题：改后的标题\n正文：\n改后的正文。",
                        note="压缩", out=out)
    assert (new.version, new.state, new.parent_id, new.created_by) == (
        2, DraftState.PENDING, douyin.id, "李四")
    assert store.get_draft(douyin.id).state == DraftState.EDITED
    assert store.get_draft(douyin.id).content == douyin.content  # the old text is kept
    with pytest.raises(ReviewError, match="不能修改"):
        drafting.edit(store, douyin.id, by="李四", text="再改。")
    with pytest.raises(Exception, match="1001/1000"):
        drafting.edit(store, new.id, by="李四", text="字" * 1001)
    assert store.get_draft(new.id).state == DraftState.PENDING  # a refused edit stores nothing


# ---- the CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(world, monkeypatch):
    store, out, _settings, _urls = world
    _prepare(world)
    monkeypatch.setenv("PUBLICITY_DATABASE_URL", str(store.engine.url))
    monkeypatch.setenv("PUBLICITY_OUT", str(out))
    return store, out


def test_cli_list_show_approve_reject_edit_posted(cli_env, tmp_path):
    store, out = cli_env
    runner = CliRunner()
    listed = runner.invoke(drafts_app, ["list", "--status", "pending"])
    assert listed.exit_code == 0, listed.output
    assert "10 drafts" in listed.output and "weibo" in listed.output
    bad = runner.invoke(drafts_app, ["list", "--status", "nope"])
    assert bad.exit_code == 2 and "Allowed: pending" in bad.output

    weibo = store.list_drafts(platform="weibo")[0]
    shown = runner.invoke(drafts_app, ["show", str(weibo.id)])
    assert shown.exit_code == 0 and weibo.content.body in shown.output and "正文：" in shown.output
    assert "/2000" in shown.output
    text_only = runner.invoke(drafts_app, ["show", str(weibo.id), "--text"])
    assert text_only.output == weibo.content.body + "\n"  # Weibo has no title: just the body

    ok = runner.invoke(drafts_app, ["approve", str(weibo.id), "--by", "张三", "--note", "好"])
    assert ok.exit_code == 0 and "已通过" in ok.output
    assert (out / "drafts/approved/weibo" / export_name(weibo) / "draft.txt").is_file()
    again = runner.invoke(drafts_app, ["approve", str(weibo.id), "--by", "张三"])
    assert again.exit_code == 1 and "不能通过" in again.output

    wechat = store.list_drafts(platform="wechat")[0]
    no_note = runner.invoke(drafts_app, ["reject", str(wechat.id), "--by", "李四"])
    assert no_note.exit_code != 0
    rejected = runner.invoke(drafts_app, ["reject", str(wechat.id), "--by", "李四", "--note", "不发"])
    assert rejected.exit_code == 0 and store.get_draft(wechat.id).state == DraftState.REJECTED

    douyin = store.list_drafts(platform="douyin")[0]
    text_file = tmp_path / "edit.txt"
    text_file.write_text("标题：新标题\n正文：\n新正文。\n", encoding="utf-8")
    edited = runner.invoke(drafts_app, ["edit", str(douyin.id), "--by", "王五",
                                        "--text-file", str(text_file)])
    assert edited.exit_code == 0 and "新版本" in edited.output
    newest = store.draft_versions(douyin.release_url, "douyin")[-1]
    shown_new = runner.invoke(drafts_app, ["show", str(newest.id)])
    assert "与上一版" in shown_new.output and "+新正文。" in shown_new.output

    posted = runner.invoke(drafts_app, ["posted", str(weibo.id), "--by", "赵六"])
    assert posted.exit_code == 0 and store.get_draft(weibo.id).state == DraftState.POSTED
    assert not (out / "drafts/approved/weibo" / export_name(weibo)).exists()
    missing = runner.invoke(drafts_app, ["show", "99999"])
    assert missing.exit_code == 1 and "No draft #99999" in missing.output


def test_the_drafts_cli_does_not_import_prefect():
    code = ("import sys; import flows.cli_drafts, flows.drafting; "
            "sys.exit(1 if any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
