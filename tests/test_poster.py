"""Tests of the poster renderer (tasks/poster.py): real fonts, real templates, real PNGs."""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
import subprocess
import sys
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tasks.errors import RenderError
from tasks.models import SHANGHAI, Event, Release, TimeOfDay
from tasks.poster import (
    FORMATS,
    FontBook,
    PosterContent,
    TemplateError,
    break_levels,
    choose_template,
    default_fontbook,
    fit_lines,
    format_event_when,
    load_faces,
    load_template,
    load_templates,
    poster_content_for,
    qr_matrix,
    render_contact_sheet,
    render_image,
    render_poster,
)
from tasks._poster.linebreak import NO_END, NO_START

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "assets" / "fonts"
SYSTEM_SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
OFFICE = "东莞市人民政府新闻办公室"
URL = "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_4301234.html"
WCAG_MIN = 4.5


def content(headline: str, *, date_line: str = "2024年12月27日（周五）晚 19:30",
            venue: str | None = "东莞玉兰大剧院", image: bytes | None = None,
            category: str | None = None) -> PosterContent:
    return PosterContent(headline=headline, date_line=date_line, venue=venue, office=OFFICE,
                         source="中国东莞政府门户网站", release_url=URL, image=image,
                         category=category)


FORTY = "粤港澳大湾区博士博士后创新创业洽谈活动暨第二届卓越工程师产教联合培养交流大会启动"
HARD_CASES = [
    content("2024东莞高层次人才活动周暨人才嘉年华系列活动开幕式", date_line="2024年12月20日（周五）",
            venue="东莞市民服务中心广场"),
    content("“人才之夜”新年音乐会"),
    content("第十五届CBA全明星周末5G直播发布会", date_line="2025年1月8日（周三）上午 9:30",
            venue="东莞市人民政府新闻发布厅（市行政办事中心3楼）"),
    content("《东莞市国土空间总体规划（2021—2035年）》新闻发布会", venue=None,
            date_line="2024年12月30日（周一）下午 15:00"),
    content("“才聚莞邑 篮梦飞扬”——东莞高层次人才活动周篮球嘉年华",
            date_line="2024年12月20日至22日", venue="松山湖篮球公园"),
    content(FORTY, date_line="2024年12月30日 9:00至2025年1月2日 18:00",
            venue="东莞市松山湖高新技术产业开发区大学创新城国际会议中心一楼多功能厅"),
]


@pytest.fixture(scope="module")
def templates():
    return load_templates()


def _png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return (inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- the date line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (Event(name="x", start=date(2024, 12, 20)), "2024年12月20日（周五）"),
        (Event(name="x", start=date(2024, 12, 27), time_of_day=TimeOfDay.EVENING),
         "2024年12月27日（周五）晚"),
        (Event(name="x", start=datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI),
               time_of_day=TimeOfDay.EVENING), "2024年12月27日（周五）晚 19:30"),
        (Event(name="x", start=datetime(2024, 12, 27, 9, 0, tzinfo=SHANGHAI)),
         "2024年12月27日（周五）上午 9:00"),
        (Event(name="x", start=datetime(2024, 12, 27, 14, 30, tzinfo=SHANGHAI),
               end=datetime(2024, 12, 27, 17, 0, tzinfo=SHANGHAI)),
         "2024年12月27日（周五）下午 14:30至17:00"),
        (Event(name="x", start=date(2024, 12, 20), end=date(2024, 12, 22)), "2024年12月20日至22日"),
        (Event(name="x", start=date(2024, 11, 30), end=date(2024, 12, 2)), "2024年11月30日至12月2日"),
        (Event(name="x", start=date(2024, 12, 30), end=date(2025, 1, 2)),
         "2024年12月30日至2025年1月2日"),
        (Event(name="x", start=datetime(2024, 12, 20, 9, 0, tzinfo=SHANGHAI),
               end=datetime(2024, 12, 22, 18, 0, tzinfo=SHANGHAI)), "2024年12月20日 9:00至22日 18:00"),
        (Event(name="x", start=date(2024, 12, 20), end=date(2024, 12, 20)), "2024年12月20日（周五）"),
        # an aware time in another zone is shown in Shanghai time
        (Event(name="x", start=datetime.fromisoformat("2024-12-27T11:30:00+00:00")),
         "2024年12月27日（周五）晚 19:30"),
    ],
)
def test_format_event_when(event: Event, expected: str) -> None:
    assert format_event_when(event) == expected


def test_format_event_when_refuses_an_end_before_the_start() -> None:
    with pytest.raises(RenderError, match="ends"):
        format_event_when(Event(name="倒序", start=date(2024, 12, 22), end=date(2024, 12, 20)))


def test_poster_content_for_uses_the_site_name_for_this_site() -> None:
    release = Release(url=URL, post_id="4301234", title="发布会", text="", html="",
                      published=datetime(2024, 12, 12, 17, 14, tzinfo=SHANGHAI), source="本网",
                      site_name="中国东莞政府门户网站")
    event = Event(name=" “人才之夜”\u200b新年音乐会 ", start=date(2024, 12, 27),
                  time_of_day=TimeOfDay.EVENING, venue="东莞玉兰大剧院")
    got = poster_content_for(event, release, office=OFFICE)
    assert got.headline == "“人才之夜”新年音乐会"  # zero-width space and outer spaces gone
    assert got.date_line == "2024年12月27日（周五）晚"
    assert got.source == "中国东莞政府门户网站"
    assert got.release_url == URL and got.office == OFFICE and got.venue == "东莞玉兰大剧院"


# --- line breaking -------------------------------------------------------------------------


def _fit(text: str, width: float, *, sizes: tuple[int, int] = (40, 80), max_lines: int = 3):
    fonts = default_fontbook()
    return fit_lines(text, sized=lambda s: fonts.sized("sans-bold", s).advance, max_width=width,
                     max_height=10_000, size_range=sizes, max_lines=max_lines, line_spacing=1.25,
                     em_height=1.1, balance=True)


LINE_BREAK_CASES = [
    ("2024东莞高层次人才活动周暨人才嘉年华系列活动开幕式", ["2024"]),
    ("第十五届CBA全明星周末5G直播发布会", ["CBA", "5G"]),
    ("《东莞市国土空间总体规划（2021—2035年）》新闻发布会", ["2021—2035年"]),
    ("“人才之夜”新年音乐会于2024年12月27日（周五）晚 19:30举行", ["2024年12月27日", "（周五）",
                                                      "晚 19:30"]),
    ("“才聚莞邑 篮梦飞扬”——东莞高层次人才活动周篮球嘉年华", ["——"]),
    ("本年度人才活动周共36项78场活动，约有6.5万名高层次人才参加！", ["36项", "78场", "6.5万"]),
    (FORTY, []),
    ("Greater Bay Area 国际青年学者交流会（GBA Young Scholars Forum）", ["Greater", "Young",
                                                                     "Scholars", "Forum"]),
]


@pytest.mark.parametrize(("text", "whole"), LINE_BREAK_CASES)
@pytest.mark.parametrize("width", [260, 420, 700])
def test_line_breaks_follow_the_rules(text: str, whole: list[str], width: int) -> None:
    fit = _fit(text, width, sizes=(24, 60), max_lines=12)
    assert not fit.ellipsised
    assert "".join(fit.lines).replace(" ", "") == text.replace(" ", "")
    for line in fit.lines:
        assert line[0] not in NO_START, (line, fit.lines)
        assert line[-1] not in NO_END, (line, fit.lines)
    for first, second in itertools.pairwise(fit.lines):
        for token in whole:  # protected runs never straddle a break (they fit these widths)
            joined = first + second
            if token in joined:
                assert token in first or token in second, (token, fit.lines)
    for line, measured in zip(fit.lines, fit.widths):
        assert measured <= width + 0.01


def test_forty_character_headline_fits_three_lines_without_ellipsis() -> None:
    assert len(FORTY) == 40
    fit = _fit(FORTY, 936, sizes=(48, 112), max_lines=3)
    assert not fit.ellipsised and len(fit.lines) <= 3 and 48 <= fit.size <= 112


def test_short_headline_gets_the_biggest_size_and_one_line() -> None:
    fit = _fit("新年音乐会", 936, sizes=(48, 112), max_lines=3)
    assert fit.size == 112 and fit.lines == ("新年音乐会",)


def test_breaks_are_never_allowed_against_kinsoku() -> None:
    levels = break_levels("会议（第二次）《报告》，“通知”。")
    text = "会议（第二次）《报告》，“通知”。"
    for i in range(1, len(text)):
        if text[i] in NO_START or text[i - 1] in NO_END:
            assert levels[i] == "", (i, text[i - 1 : i + 1])


def test_ellipsis_is_a_last_resort_and_is_reported(templates) -> None:
    huge = "超长活动名称" * 40
    poster = render_poster(content(huge), template=templates["formal_red"], fmt="portrait")
    headline = next(layer for layer in poster.layers if layer.id == "headline")
    assert headline.ellipsised and headline.lines[-1].text.endswith("…")
    assert any("headline ellipsised" in w for w in poster.warnings)
    assert len(headline.lines) <= 3


HANZI = "东莞市人民政府新闻发布会音乐节体育馆开幕式人才活动周嘉年华"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=HANZI + "，。、！？；：（）《》“”…—0123456789:CBAG ", min_size=1,
               max_size=60))
def test_kinsoku_holds_for_any_text(text: str) -> None:
    text = text.strip()
    if not text:
        return
    fit = _fit(text, 300, sizes=(30, 30), max_lines=30)
    for k, line in enumerate(fit.lines):
        if k > 0 and len(line) > 0:
            # a line may start with a no-start character only if the text itself does so at a
            # point where every earlier break was forbidden too (a run of them); never after a
            # chosen break unless unavoidable (level D is still kinsoku-checked)
            assert line[0] not in NO_START or fit.ellipsised
        if k < len(fit.lines) - 1:
            assert line[-1] not in NO_END or fit.ellipsised


# --- posters -------------------------------------------------------------------------------


@pytest.mark.parametrize("template_name", ["formal_red", "modern"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_layout_margins_overlaps_and_contrast(templates, template_name: str, fmt: str) -> None:
    template = templates[template_name]
    spec = FORMATS[fmt]
    for case in HARD_CASES:
        poster = render_poster(case, template=template, fmt=fmt)
        assert (poster.width, poster.height) == spec.size
        image = _png_image(poster.png)
        assert image.size == spec.size
        background, layers, _ = render_image(case, template=template, fmt=fmt,
                                             draw_content=False)
        assert layers == poster.layers
        content_layers = [layer for layer in layers if layer.ink is not None]
        for layer in content_layers:
            if layer.kind == "text":  # text inside its box and inside the safe margin
                assert _inside(layer.ink, layer.box), (case.headline, layer.id, layer.ink, layer.box)
            assert _inside(layer.ink, spec.safe_area), (case.headline, layer.id, layer.ink)
            if layer.key and spec.key_area:
                assert _inside(layer.ink, spec.key_area), (layer.id, layer.ink, spec.key_area)
        for a, b in itertools.combinations(content_layers, 2):
            assert not _overlap(a.ink, b.ink), (case.headline, a.id, a.ink, b.id, b.ink)
        for layer in content_layers:
            if layer.kind != "text":
                continue
            for line in layer.lines:
                region = background.crop(line.ink).reduce(2) if line.ink[2] - line.ink[0] > 4 \
                    else background.crop(line.ink)
                colours = {c for _, c in region.getcolors(maxcolors=1 << 20)}
                worst = min(_contrast(layer.color, c) for c in colours)
                assert worst >= WCAG_MIN, (template_name, fmt, layer.id, line.text, worst)
        headline = next(layer for layer in layers if layer.id == "headline")
        assert not headline.ellipsised, (case.headline, headline.lines)


@pytest.mark.parametrize("template_name", ["formal_red", "modern"])
def test_qr_code_in_the_image_encodes_the_release_url(templates, template_name: str) -> None:
    poster = render_poster(HARD_CASES[1], template=templates[template_name], fmt="portrait")
    image = _png_image(poster.png).convert("L")
    qr = next(layer for layer in poster.layers if layer.kind == "qr")
    matrix = qr_matrix(URL)
    n = len(matrix)
    x0, y0, x1, y1 = qr.ink
    module = (x1 - x0) / (n + 4)  # quiet zone of 2 modules each side
    assert module >= 3 and module == int(module)
    sampled = tuple(
        tuple(image.getpixel((int(x0 + (c + 2.5) * module), int(y0 + (r + 2.5) * module))) < 128
              for c in range(n))
        for r in range(n)
    )
    assert sampled == matrix
    # and the quiet zone is light all round
    assert all(image.getpixel((int(x0 + module / 2), int(y0 + (r + 0.5) * module))) > 200
               for r in range(n + 4))


def test_same_input_same_bytes_even_in_another_process(templates) -> None:
    case = HARD_CASES[0]
    first = render_poster(case, template=templates["modern"], fmt="square")
    second = render_poster(case, template=templates["modern"], fmt="square")
    assert first.png == second.png and first.sha256 == hashlib.sha256(first.png).hexdigest()
    code = (
        "from tasks.poster import *; import sys\n"
        f"c = PosterContent(**{ {k: getattr(case, k) for k in ('headline', 'date_line', 'venue', 'office', 'source', 'release_url')}!r})\n"
        "p = render_poster(c, template=load_templates()['modern'], fmt='square')\n"
        "sys.stdout.write(p.sha256)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout == first.sha256


def test_png_has_no_timestamp_or_text_chunks(templates) -> None:
    png = render_poster(HARD_CASES[1], template=templates["formal_red"], fmt="wechat_cover").png
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        chunks.append(kind)
        pos += 12 + length
    assert b"tIME" not in chunks and b"tEXt" not in chunks and b"iTXt" not in chunks
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"


def test_picture_is_drawn_in_its_box(templates) -> None:
    picture = Image.new("RGB", (640, 480), (10, 200, 60))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    case = content("“人才之夜”新年音乐会", image=buffer.getvalue())
    poster = render_poster(case, template=templates["modern"], fmt="portrait")
    layer = next(layer for layer in poster.layers if layer.kind == "image")
    image = _png_image(poster.png)
    x0, y0, x1, y1 = layer.ink
    assert image.getpixel(((x0 + x1) // 2, y1 - 5)) == (10, 200, 60)
    without = render_poster(content("“人才之夜”新年音乐会"), template=templates["modern"], fmt="portrait")
    assert not any(layer.kind == "image" for layer in without.layers)


def test_unreadable_picture_is_a_render_error(templates) -> None:
    with pytest.raises(RenderError, match="image"):
        render_poster(content("音乐会", image=b"not a picture"), template=templates["modern"],
                      fmt="portrait")


# --- fonts and glyph coverage --------------------------------------------------------------

OUTSIDE_SUBSET = "堃"  # U+5803: in GBK and in the full Noto CJK, not in GB 2312


def test_a_character_outside_the_subset_is_refused_without_fallback(templates) -> None:
    fonts = FontBook(load_faces(), use_fallbacks=False)
    case = content(f"王{OUTSIDE_SUBSET}先生作品音乐会")
    with pytest.raises(RenderError, match=r"U\+5803 '堃'"):
        render_poster(case, template=templates["modern"], fmt="portrait", fonts=fonts)


@pytest.mark.skipif(not SYSTEM_SANS.exists(), reason="fonts-noto-cjk not installed")
def test_a_character_outside_the_subset_comes_from_the_fallback(templates) -> None:
    fonts = FontBook(load_faces(), use_fallbacks=True)
    case = content(f"王{OUTSIDE_SUBSET}先生作品音乐会")
    poster = render_poster(case, template=templates["modern"], fmt="portrait", fonts=fonts)
    headline = next(layer for layer in poster.layers if layer.id == "headline")
    assert OUTSIDE_SUBSET in "".join(line.text for line in headline.lines)
    sized = fonts.sized("sans-bold", 60)
    assert sized.font_index(OUTSIDE_SUBSET) == 1  # drawn by the fallback, not the subset
    assert sized.font_index("王") == 0


def test_a_character_in_no_font_is_refused_even_with_fallbacks(templates) -> None:
    with pytest.raises(RenderError, match=r"U\+1F600"):
        render_poster(content("音乐会😀"), template=templates["modern"], fmt="square")


def test_committed_fonts_cover_the_product_text() -> None:
    """The subset has GB 2312, the punctuation FACTS.md warns about, and every template's text."""
    cmap = set(TTFont(FONTS / "NotoSansCJKsc-Regular.subset.otf", lazy=True).getBestCmap())
    must = "“”‘’…—·¥€（）《》【】，。、！？；：１Ａ莞邑暨①"
    must += "".join(bytes((0xB0, lo)).decode("gb2312") for lo in range(0xA1, 0xFF))
    must += "".join(bytes((0xF7, lo)).decode("gb2312") for lo in range(0xA1, 0xFF))  # level 2 end
    missing = [c for c in must if ord(c) not in cmap]
    assert not missing
    for path in (ROOT / "assets" / "templates").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert [c for c in set(text) if c.isprintable() and ord(c) not in cmap] == [], path


def test_font_files_are_small_and_licensed() -> None:
    faces = load_faces()
    for face in faces.values():
        size = face.primary.path.stat().st_size
        assert 500_000 < size < 4 * 1024 * 1024, (face.primary.path, size)
        name = TTFont(face.primary.path, lazy=True)["name"].getDebugName(13) or ""
        assert "Open Font License" in name
    licence = (FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_summed_advances_equal_pillow_measurement() -> None:
    fonts = default_fontbook()
    for face in ("sans-regular", "sans-bold", "serif-bold"):
        sized = fonts.sized(face, 57)
        for text in ("2024年12月27日（周五）晚 19:30", "第十五届CBA全明星", "“人才之夜”…"):
            assert sized.width(text) == pytest.approx(sized.fonts[0].getlength(text), abs=0.01)


# --- templates -----------------------------------------------------------------------------


def test_both_templates_load_with_every_format(templates) -> None:
    assert {"formal_red", "modern"} <= set(templates)
    for template in templates.values():
        assert set(template.layouts) == set(FORMATS)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (content("2024东莞高层次人才活动周新闻发布会"), "formal_red"),
        (content("人才活动周开幕式"), "formal_red"),
        (content("“人才之夜”新年音乐会"), "modern"),
        (content("2025东莞马拉松"), "modern"),
        (content("“人才之夜”新年音乐会", category="新闻发布会"), "modern"),  # headline outweighs
        (content("人才服务月", venue="东莞市体育中心体育馆"), "modern"),
        (content("人才服务月", venue=None), "formal_red"),  # nothing matches: the default
    ],
)
def test_choose_template(templates, case: PosterContent, expected: str) -> None:
    assert choose_template(case, templates).name == expected


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (lambda s: s.replace('kind = "qr"', 'kind = "qrcode"'), "kind 'qrcode'"),
        (lambda s: s.replace('red = "#A3111A"', 'red = "crimson"'), "colour 'crimson'"),
        (lambda s: s.replace("[formats.story]", "[formats.storey]"), "storey"),
        (lambda s: s.replace('text = "{headline}"', 'text = "{title}"'), "title"),
        (lambda s: s.replace("balance = true", "balanse = true", 1), "balanse"),
    ],
)
def test_bad_templates_are_refused_with_the_file_named(tmp_path: Path, patch, message: str) -> None:
    source = (ROOT / "assets" / "templates" / "formal_red.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(patch(source), encoding="utf-8")
    with pytest.raises(TemplateError, match="bad.toml") as info:
        load_template(bad)
    assert message in str(info.value)


def test_a_new_template_is_a_new_file(tmp_path: Path) -> None:
    source = (ROOT / "assets" / "templates" / "modern.toml").read_text(encoding="utf-8")
    data = source.replace('name = "modern"', 'name = "green"').replace('"#15233F"', '"#0E3B2E"')
    data += ('\n[[formats.square.layers]]\nid = "rule"\nkind = "line"\nbox = [0.1, 0.5, 0.8, 0.0]'
             '\nfill = "#FF00FF"\nstroke = 4\n')
    (tmp_path / "green.toml").write_text(data, encoding="utf-8")
    loaded = load_templates(tmp_path)
    poster = render_poster(HARD_CASES[1], template=loaded["green"], fmt="square")
    image = _png_image(poster.png)
    assert image.getpixel((540, 1075)) == (0x0E, 0x3B, 0x2E)  # the foot band, in the new colour
    assert image.getpixel((300, 540)) == (255, 0, 255)  # the line drawn last, over the text area
    assert image.getpixel((50, 540)) != (255, 0, 255)
    assert tomllib.loads(data)["name"] == "green"


def test_unknown_format_is_a_render_error(templates) -> None:
    with pytest.raises(RenderError, match="Unknown poster format 'a4'"):
        render_poster(HARD_CASES[0], template=templates["modern"], fmt="a4")


def test_contact_sheet(tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    warnings = render_contact_sheet(HARD_CASES[:2], out_path=out)
    image = Image.open(out)
    assert image.width > 1500 and image.height > 2 * 480
    assert warnings == []


def test_an_empty_headline_is_refused(templates) -> None:
    with pytest.raises(RenderError, match="headline"):
        render_poster(content(" \u200b "), template=templates["modern"], fmt="square")


def test_opening_quote_hangs_at_a_left_aligned_edge(templates) -> None:
    poster = render_poster(content("“人才之夜”新年音乐会"), template=templates["modern"],
                           fmt="portrait")
    headline = next(layer for layer in poster.layers if layer.id == "headline")
    first, second = headline.lines[0], headline.lines[1]
    assert first.text.startswith("“") and not second.text.startswith("“")
    box_left = headline.box[0]
    # the quote's ink, not its blank left half, lines up with the margin and with the next line
    assert abs(first.ink[0] - box_left) <= 2 and abs(second.ink[0] - box_left) <= 12
    assert first.x < box_left  # its advance box starts outside: only blank space moved


def test_a_small_picture_is_reported_as_enlarged(templates) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 90, 200)).save(buffer, format="JPEG")
    poster = render_poster(content("音乐会", image=buffer.getvalue()), template=templates["modern"],
                           fmt="portrait")
    assert any("enlarged" in w for w in poster.warnings)


def test_committed_fonts_cover_every_hanzi_of_the_sample_site() -> None:
    """scripts/subset_fonts.py reads the sample site: re-run it when the site gains characters."""
    site = ROOT / "assets" / "sample_site"
    if not site.exists():
        pytest.skip("no sample site")
    cmap = set(TTFont(FONTS / "NotoSansCJKsc-Bold.subset.otf", lazy=True).getBestCmap())
    missing: set[str] = set()
    for path in site.rglob("*.html"):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # the site has GBK pages on purpose
            text = data.decode("gb18030")
        missing |= {c for c in text if "\u4e00" <= c <= "\u9fff" and ord(c) not in cmap}
    assert not missing, f"run scripts/subset_fonts.py: {''.join(sorted(missing))}"
