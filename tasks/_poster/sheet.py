"""A contact sheet: every format of several events on one PNG, for review by eye.

One row per event (and template): portrait, square, story and the WeChat cover, the cover with its
centre-square crop beside it (what a share shows). Captions give the format, the template and any
warnings, in red.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from .content import PosterContent
from .draw import encode_png, render_image
from .fonts import FontBook, default_fontbook
from .formats import FORMATS
from .templates import Template, choose_template, load_templates

ROW_HEIGHT = 480  # px, the tallest thumbnail
GAP = 24
TITLE_HEIGHT = 44
CAPTION_HEIGHT = 30
COVER_SCALE = 0.6
SHEET_BACKGROUND = (236, 236, 232)
INK = (40, 40, 40)
WARN = (200, 30, 30)
CAPTION_FACE = "sans-regular"
TITLE_FACE = "sans-bold"


def _thumb(image: Image.Image, height: int) -> Image.Image:
    width = round(image.width * height / image.height)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def render_contact_sheet(
    contents: Sequence[PosterContent],
    *,
    out_path: Path,
    templates: dict[str, Template] | None = None,
    template_names: Sequence[str] | None = None,
    fonts: FontBook | None = None,
) -> list[str]:
    """Write the sheet to ``out_path``; return the warnings of all posters on it.

    Each content gets its chosen template, or one row per name in ``template_names``.
    """
    templates = templates or load_templates()
    fonts = fonts or default_fontbook()
    rows: list[tuple[PosterContent, Template]] = []
    for content in contents:
        if template_names:
            rows.extend((content, templates[name]) for name in template_names)
        else:
            rows.append((content, choose_template(content, templates)))
    cover = FORMATS["wechat_cover"]
    cover_w, cover_h = round(cover.width * COVER_SCALE), round(cover.height * COVER_SCALE)
    widths = [round(FORMATS[f].width * ROW_HEIGHT / FORMATS[f].height)
              for f in ("portrait", "square", "story")]
    sheet_w = GAP + sum(w + GAP for w in widths) + max(cover_w, cover_h * 2 + GAP) + GAP
    row_h = TITLE_HEIGHT + ROW_HEIGHT + CAPTION_HEIGHT + GAP
    sheet = Image.new("RGB", (sheet_w, GAP + row_h * max(1, len(rows))), SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    title_font = fonts.sized(TITLE_FACE, 26).fonts[0]
    caption_font = fonts.sized(CAPTION_FACE, 18).fonts[0]
    all_warnings: list[str] = []
    for r, (content, template) in enumerate(rows):
        top = GAP + r * row_h
        draw.text((GAP, top + 4), f"{template.label} · {content.headline}"[:60], font=title_font,
                  fill=INK)
        x = GAP
        for name in ("portrait", "square", "story", "wechat_cover"):
            image, _, warnings = render_image(content, template=template, fmt=name, fonts=fonts)
            all_warnings.extend(f"{template.name}/{name}: {w}" for w in warnings)
            y = top + TITLE_HEIGHT
            if name == "wechat_cover":
                thumb = image.resize((cover_w, cover_h), Image.Resampling.LANCZOS)
                sheet.paste(thumb, (x, y))
                crop = image.crop(FORMATS[name].key_area).resize((cover_h, cover_h),
                                                                  Image.Resampling.LANCZOS)
                sheet.paste(crop, (x, y + cover_h + GAP))
                draw.text((x + cover_h + GAP, y + cover_h + GAP), "← 分享时的\n   居中方形裁切",
                          font=caption_font, fill=INK)
            else:
                thumb = _thumb(image, ROW_HEIGHT)
                sheet.paste(thumb, (x, y))
            caption = FORMATS[name].label if not warnings else f"⚠ {len(warnings)}: {warnings[0]}"
            draw.text((x, top + TITLE_HEIGHT + ROW_HEIGHT + 4), caption[:40], font=caption_font,
                      fill=WARN if warnings else INK)
            x += (thumb.width if name != "wechat_cover" else cover_w) + GAP
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(encode_png(sheet))
    return all_warnings
