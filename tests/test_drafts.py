"""Drafts per platform (tasks/drafts.py): the limits table, counting, templates, shortening.

Pure: no database, no Prefect. Every platform is checked on a short and a very long release, with
one and with many events; a property test checks that no draft ever exceeds a limit unless it is
marked invalid with the reason.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks._poster.content import format_event_when
from tasks.drafts import (
    DraftContent,
    DraftError,
    PosterRef,
    build_draft,
    build_drafts,
    count_tags,
    draft_text,
    field_counts,
    limit_problems,
    load_platforms,
    parse_draft_text,
    phrase_prefixes,
    split_sentences,
    utf16_length,
    weibo_lead,
    weibo_length,
)
from tasks.models import SHANGHAI, Event, Release, TimeOfDay

PLATFORMS = load_platforms()
URL = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_4512345.html"
SENTENCE = "本次活动由市委宣传部、市文化广电旅游体育局联合主办，旨在展示东莞非物质文化遗产保护成果。"


def release(*, text: str = SENTENCE * 3, title: str = "第十届东莞文化周新闻发布会", **kw) -> Release:
    base = dict(
        url=URL, post_id="4512345", title=title,
        published=datetime(2024, 12, 12, 17, 14, tzinfo=SHANGHAI), text=text, html=f"<p>{text}</p>",
        source="东莞市人民政府新闻办公室", site_name="中国东莞政府门户网站",
    )
    base.update(kw)
    return Release(**base)


def event(i: int = 0, *, name: str = "第十届东莞文化周开幕式",
          venue: str | None = "东莞市文化馆广场") -> Event:
    day = date(2024, 12, 20) + timedelta(days=i)
    return Event(name=name if i == 0 else f"{name}（第{i + 1}场）",
                 start=datetime(day.year, day.month, day.day, 19, 30, tzinfo=SHANGHAI),
                 time_of_day=TimeOfDay.EVENING, venue=venue, sentence="…")


def posters_for(n_events: int, formats=("portrait", "square", "wechat_cover", "story")) -> list[PosterRef]:
    sizes = {"portrait": (1080, 1440), "square": (1080, 1080), "wechat_cover": (900, 383),
             "story": (1080, 1920)}
    return [PosterRef(seq, f, f"posters/4512345-{seq}-{f}.png", *sizes[f])
            for seq in range(n_events) for f in formats]


def assert_within_limits(draft: DraftContent) -> None:
    platform = PLATFORMS[draft.platform]
    assert draft.invalid is None, draft.invalid
    assert limit_problems(draft, platform) == []
    for c in field_counts(draft, platform):
        assert c.max is None or c.count <= c.max, c


# ---- the table ------------------------------------------------------------------------------------


def test_platform_table_has_the_issue_limits_each_with_a_source():
    expected = {
        ("weibo", "body"): 2000, ("weibo", "lead"): 140,
        ("wechat", "title"): 64, ("wechat", "digest"): 120, ("wechat", "body"): 19999,
        ("douyin", "title"): 20, ("douyin", "body"): 1000,
        ("xiaohongshu", "title"): 20, ("xiaohongshu", "body"): 1000,
    }
    found = {(p.name, lim.field): lim.max for p in PLATFORMS.values() for lim in p.limits}
    assert found == expected
    assert all(lim.source.strip() for p in PLATFORMS.values() for lim in p.limits)
    assert {n: p.max_images for n, p in PLATFORMS.items()} == {
        "weibo": 9, "wechat": 2, "douyin": 35, "xiaohongshu": 9, "plain": 9}
    assert PLATFORMS["xiaohongshu"].max_tags == 10
    assert all("max_images_source" in p.sources for p in PLATFORMS.values())


def test_a_bad_platform_table_is_refused_with_the_reason(tmp_path):
    bad = tmp_path / "platforms.toml"
    bad.write_text('[x]\nlabel="X"\ntemplate="plain.j2"\ncounting="bytes"\nhashtag_style="none"\n'
                   'poster_formats=[]\nmax_images=1\n', encoding="utf-8")
    with pytest.raises(DraftError, match="counting 'bytes'"):
        load_platforms(bad)
    bad.write_text('[x]\nlabel="X"\n', encoding="utf-8")
    with pytest.raises(DraftError, match="Invalid platform 'x'"):
        load_platforms(bad)


# ---- counting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, weibo, utf16", [
    ("中", 1, 1), ("ab", 1, 2), ("a", 1, 1), ("abc", 2, 3), ("东莞ab", 3, 4),
    ("😀", 2, 2), ("𠮷", 2, 2), ("é", 1, 1), ("—", 1, 1), ("", 0, 0),
])
def test_counting_rules(text, weibo, utf16):
    assert weibo_length(text) == weibo
    assert utf16_length(text) == utf16


# ---- one event, short release ---------------------------------------------------------------------


def test_short_release_gives_a_valid_draft_per_platform_with_when_where_link_tags():
    ev = event()
    drafts = {d.platform: d for d in build_drafts(release(), [ev], posters_for(1),
                                                  platforms=PLATFORMS, hashtags=["东莞", "非遗"])}
    assert set(drafts) == set(PLATFORMS)
    when = format_event_when(ev)
    assert when == "2024年12月20日（周五）晚 19:30"
    for draft in drafts.values():
        assert_within_limits(draft)
        assert when in draft.body and "东莞市文化馆广场" in draft.body and URL in draft.body
        assert draft.notes == ()
    assert "#东莞# #非遗#" in drafts["weibo"].body  # closing # on Weibo
    for name in ("douyin", "xiaohongshu"):
        assert "#东莞 #非遗" in drafts[name].body and "#东莞#" not in drafts[name].body
    assert "#" not in drafts["plain"].body and "#东莞" not in drafts["wechat"].body
    # The Weibo lead stands alone: headline, when and where, a full sentence, within 140.
    lead = weibo_lead(drafts["weibo"].body)
    assert lead.startswith("【第十届东莞文化周开幕式】") and when in lead and "。" in lead
    assert weibo_length(lead) <= 140
    # Titles and the WeChat digest.
    assert drafts["douyin"].title == drafts["xiaohongshu"].title == "第十届东莞文化周开幕式"
    assert drafts["wechat"].title == "第十届东莞文化周新闻发布会"
    assert drafts["wechat"].digest and utf16_length(drafts["wechat"].digest) <= 120


def test_posters_per_platform_format_and_absent_posters():
    drafts = {d.platform: d for d in build_drafts(release(), [event(0), event(1)], posters_for(2),
                                                  platforms=PLATFORMS)}
    assert [i.format for i in drafts["wechat"].images] == ["wechat_cover", "square"]
    assert {i.event_seq for i in drafts["wechat"].images} == {0}
    assert [i.format for i in drafts["weibo"].images] == ["portrait", "portrait"]
    assert [i.format for i in drafts["douyin"].images] == ["story", "story"]
    only_square = posters_for(2, formats=("square",))
    weibo = build_draft(release(), [event(0), event(1)], only_square, platform=PLATFORMS["weibo"])
    assert [i.format for i in weibo.images] == ["square", "square"]
    bare = build_draft(release(), [event()], [], platform=PLATFORMS["weibo"])
    assert bare.images == () and bare.invalid is None
    assert any("海报尚未生成" in n for n in bare.notes)


def test_no_events_no_drafts():
    assert build_drafts(release(), [], posters_for(1), platforms=PLATFORMS) == []
    with pytest.raises(DraftError, match="at least one event"):
        build_draft(release(), [], [], platform=PLATFORMS["weibo"])


# ---- long releases, many events -------------------------------------------------------------------


def test_long_release_is_shortened_at_a_sentence_end_and_says_so():
    long_text = "\n".join(SENTENCE * 5 for _ in range(100))  # ~22,500 characters
    drafts = {d.platform: d for d in build_drafts(release(text=long_text), [event()], posters_for(1),
                                                  platforms=PLATFORMS)}
    for draft in drafts.values():
        assert_within_limits(draft)
    wechat = drafts["wechat"]
    assert utf16_length(wechat.body) > 15000  # the article keeps as much as fits
    assert any("截短" in n for n in wechat.notes)
    assert "全文较长" in wechat.body
    # Posts quote a few sentences (style), each quoted sentence complete.
    quoted = drafts["weibo"].body.split("\n\n")[-2]
    assert quoted.endswith("。") and SENTENCE in quoted


def test_wechat_body_over_20000_is_cut_by_paragraph_with_a_note():
    paragraph = SENTENCE * 20  # ~900 characters a paragraph
    text = "\n".join([paragraph] * 40)
    draft = build_draft(release(text=text), [event()], [], platform=PLATFORMS["wechat"])
    assert_within_limits(draft)
    kept = draft.body.count("<p style=\"margin:0 0 12px")
    assert 0 < kept < 40
    assert any(f"保留 {kept}/40 段" in n for n in draft.notes)


def test_many_events_respect_image_limits_and_are_summed_up():
    events = [event(i) for i in range(40)]
    drafts = {d.platform: d for d in build_drafts(release(), events, posters_for(40),
                                                  platforms=PLATFORMS)}
    for draft in drafts.values():
        assert_within_limits(draft)
    assert len(drafts["weibo"].images) == 9 and len(drafts["douyin"].images) == 35
    assert any("超过 9 张上限" in n for n in drafts["weibo"].notes)
    assert "2024年12月20日起陆续举行，共40项活动。" in weibo_lead(drafts["weibo"].body)
    douyin = drafts["douyin"]
    if "另有" in douyin.body:  # 40 events do not fit in 1,000 characters: the rest are summed up
        assert any("活动较多" in n for n in douyin.notes)
    assert utf16_length(douyin.body) <= 1000


def test_a_draft_that_cannot_fit_is_invalid_with_the_reason():
    venue = "东莞市" + "某某某" * 60 + "广场"  # a 185-character venue: no Weibo lead can hold it
    draft = build_draft(release(), [event(venue=venue)], [], platform=PLATFORMS["weibo"])
    assert draft.invalid is not None
    assert "首段" in draft.invalid and "/140" in draft.invalid


def test_long_titles_are_cut_at_a_phrase_boundary():
    name = "关于举办2024年东莞市民文化艺术节暨第十二届读书月系列活动的新闻发布会"
    drafts = {d.platform: d for d in build_drafts(release(), [event(name=name)], [], platforms=PLATFORMS)}
    for platform in ("douyin", "xiaohongshu"):
        title = drafts[platform].title
        assert utf16_length(title) <= 20 and name.startswith(title)
        assert title in phrase_prefixes(name)
        assert any("标题超过 20 字上限" in n for n in drafts[platform].notes)


def test_hashtags_are_capped_at_the_xiaohongshu_limit():
    tags = [f"话题{i}" for i in range(15)]
    draft = build_draft(release(), [event()], [], platform=PLATFORMS["xiaohongshu"], hashtags=tags)
    assert count_tags(draft.body, PLATFORMS["xiaohongshu"]) <= 10
    too_many = replace(draft, body=draft.body + " " + " ".join(f"#标签{i}" for i in range(11)))
    assert any("话题标签" in p for p in limit_problems(too_many, PLATFORMS["xiaohongshu"]))


def test_hostile_text_is_escaped_in_the_wechat_html_and_kept_as_text_elsewhere():
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    draft = build_draft(release(text=hostile + "。"), [event(name="发布会" + hostile)], [],
                        platform=PLATFORMS["wechat"])
    assert "<script>" not in draft.body and "onerror=\"" not in draft.body
    assert "&lt;script&gt;" in draft.body
    weibo = build_draft(release(text=hostile + "。"), [event(name="发布会")], [],
                        platform=PLATFORMS["weibo"])
    assert "<script>alert(1)</script>" in weibo.body  # plain text: shown as typed, escaped on display


# ---- sentences and phrases -------------------------------------------------------------------------


def test_split_sentences_keeps_the_text_and_its_marks():
    text = "第一句。第二句！“第三句？”最后一段没有句号"
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert parts[:3] == ["第一句。", "第二句！", "“第三句？”"]


def test_phrase_prefixes_are_shorter_and_prefer_whole_phrases():
    text = "东莞市人民政府新闻办公室，定于12月20日召开发布会"
    prefixes = phrase_prefixes(text)
    assert prefixes[0] == "东莞市人民政府新闻办公室，定于12月20日召开"  # the generic ending dropped
    assert prefixes[1] == "东莞市人民政府新闻办公室"  # then punctuation
    assert all(text.startswith(p) and len(p) < len(text) for p in prefixes)
    assert not any(p.endswith(("新闻", "的")) for p in prefixes)
    bracketed = phrase_prefixes("第十四届中国创新创业大赛（广东·东莞赛区）新闻发布会")
    assert not any("（" in p and "）" not in p for p in bracketed)


@pytest.mark.parametrize("name, title", [
    ("2024年东莞市高校毕业生就业服务月新闻发布会", "2024年东莞市高校毕业生就业服务月"),
    ("第十四届中国创新创业大赛（广东·东莞赛区）新闻发布会", "第十四届中国创新创业大赛"),
    ("2025年“春风行动”暨东莞市春季大型招聘会新闻发布会", "2025年“春风行动”"),
    ("2024年“3·15”国际消费者权益日系列活动新闻发布会", "2024年“3·15”国际消费者权益日"),
])
def test_short_titles_read_as_whole_phrases(name, title):
    draft = build_draft(release(), [event(name=name)], [], platform=PLATFORMS["douyin"])
    assert draft.title == title


# ---- the edit format -------------------------------------------------------------------------------


def test_draft_text_round_trips_and_edits_are_checked_against_limits():
    platform = PLATFORMS["douyin"]
    draft = build_draft(release(), [event()], posters_for(1), platform=platform)
    text = draft_text(draft, platform)
    assert text.startswith("标题：") and "\n正文：\n" in text
    assert parse_draft_text(text, platform, base=draft) == replace(draft, notes=(), invalid=None)
    edited = parse_draft_text("标题：新标题\n正文：\n新的正文。", platform, base=draft)
    assert (edited.title, edited.body, edited.images) == ("新标题", "新的正文。", draft.images)
    body_only = parse_draft_text("只改正文。", platform, base=draft)
    assert (body_only.title, body_only.body) == (draft.title, "只改正文。")
    with pytest.raises(DraftError, match=r"正文 1001/1000 字"):
        parse_draft_text("字" * 1001, platform, base=draft)
    with pytest.raises(DraftError, match=r"标题 21/20 字"):
        parse_draft_text("标题：" + "题" * 21 + "\n正文：\n好。", platform, base=draft)


# ---- the property: never over a limit unless marked invalid -----------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sentences=st.integers(min_value=0, max_value=400),
    n_events=st.integers(min_value=1, max_value=45),
    name_len=st.integers(min_value=2, max_value=120),
    venue_len=st.integers(min_value=0, max_value=60),
    emoji=st.booleans(),
)
def test_no_draft_exceeds_a_limit_unless_marked_invalid(sentences, n_events, name_len, venue_len, emoji):
    text = (SENTENCE + ("😀" if emoji else "")) * sentences or "正文。"
    name = ("文化活动" * 40)[:name_len]
    venue = ("东莞市民中心" * 20)[:venue_len] or None
    events = [event(i, name=name, venue=venue) for i in range(n_events)]
    for draft in build_drafts(release(text=text), events, posters_for(n_events), platforms=PLATFORMS,
                              hashtags=["东莞", "活动预告"]):
        platform = PLATFORMS[draft.platform]
        problems = limit_problems(draft, platform)
        if draft.invalid is None:
            assert problems == [], (draft.platform, problems)
        else:
            assert problems and all(p in draft.invalid for p in problems)
