"""Posters for events: templates as data, Chinese line breaking, no missing glyph (issue 4).

The renderer is pure (no Prefect, no network): plain values in, PNG bytes out::

    from tasks.poster import FORMATS, choose_template, load_templates, poster_content_for, render_poster

    templates = load_templates()                       # assets/templates/*.toml
    content = poster_content_for(event, release, office="东莞市人民政府新闻办公室")
    template = choose_template(content, templates)     # keywords: 发布会 -> formal_red, 音乐会 -> modern
    for fmt in FORMATS:                                # portrait, square, wechat_cover, story
        poster = render_poster(content, template=template, fmt=fmt)
        Path(f"{poster.sha256[:16]}-{fmt}.png").write_bytes(poster.png)

The parts live in ``tasks/_poster/``: ``content`` (PosterContent, the Chinese date line),
``formats``, ``fonts`` (subset faces, fallbacks, coverage check), ``linebreak`` (Chinese line
breaking and fitting), ``templates`` (loading and choosing), ``draw`` and ``sheet`` (contact sheet).
"""

from __future__ import annotations

from tasks._poster.content import PosterContent, clean_text, format_event_when, poster_content_for
from tasks._poster.draw import PlacedLayer, PlacedLine, RenderedPoster, qr_matrix, render_image, render_poster
from tasks._poster.fonts import FontBook, default_fontbook, load_faces
from tasks._poster.formats import FORMATS, Format
from tasks._poster.linebreak import break_levels, fit_lines
from tasks._poster.sheet import render_contact_sheet
from tasks._poster.templates import (
    TEMPLATES_DIR,
    Template,
    TemplateError,
    choose_template,
    load_template,
    load_templates,
)

__all__ = [
    "FORMATS",
    "TEMPLATES_DIR",
    "FontBook",
    "Format",
    "PlacedLayer",
    "PlacedLine",
    "PosterContent",
    "RenderedPoster",
    "Template",
    "TemplateError",
    "break_levels",
    "choose_template",
    "clean_text",
    "default_fontbook",
    "fit_lines",
    "format_event_when",
    "load_faces",
    "load_template",
    "load_templates",
    "poster_content_for",
    "qr_matrix",
    "render_contact_sheet",
    "render_image",
    "render_poster",
]
