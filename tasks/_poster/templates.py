"""Poster templates as data: one TOML file per template in assets/templates/.

A template names a palette, shared layer styles, a rule for choosing it, and a layout per format
(positions differ too much between 3:4 and 2.35:1 to derive one from another). A layout is a
background and an ordered list of layers (drawn first to last)::

    name = "formal_red"
    label = "政务红"
    priority = 10            # wins ties
    default = true           # used when no template's keywords match
    [match]
    keywords = ["发布会", "开幕式"]        # matched against headline (x3), category and venue
    venue_keywords = ["会议中心"]          # matched against the venue
    [colors]
    red = "#A4161A"
    [styles.headline]       # shared by every format's layer that says use = "headline"
    kind = "text"
    text = "{headline}"
    font = "serif-bold"
    [formats.portrait]
    background = { gradient = ["red", "#7A0A10"], direction = "vertical" }
    [[formats.portrait.layers]]
    use = "headline"
    box = [0.08, 0.20, 0.84, 0.30]   # x, y, width, height as fractions of the canvas
    size = [72, 120]                  # px, min and max: shrink to fit, then ellipsis

Layer kinds: ``text`` (``text`` with ``{field}`` placeholders of ``PosterContent.fields``, ``font``,
``size``, ``color``, ``align``, ``valign``, ``max_lines``, ``line_spacing``, ``tracking`` in em,
``balance``), ``qr`` (the release URL; ``color`` dark, ``fill`` light), ``image`` (the release's
picture, ``fit = "cover"``), and the shapes ``rect`` (``radius`` px), ``ellipse`` and ``line``
(``fill``, ``outline``, ``stroke`` px). Any layer may list ``requires = ["venue"]``: it is left out
when a named field is empty; ``unless = ["venue"]`` is the opposite (a stand-in for a missing field). ``key = true`` marks a layer that must lie in the format's key area.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tasks.errors import TemplateError

from .content import PosterContent
from .formats import FORMATS

RGBA = tuple[int, int, int, int]
TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "templates"
TEXT_KINDS = frozenset({"text"})
CONTENT_KINDS = frozenset({"text", "qr", "image"})  # what a poster says; shapes only decorate
SHAPE_KINDS = frozenset({"rect", "ellipse", "line"})
KINDS = CONTENT_KINDS | SHAPE_KINDS
ALIGNS = frozenset({"left", "center", "right"})
VALIGNS = frozenset({"top", "middle", "bottom"})
DIRECTIONS = frozenset({"vertical", "horizontal", "diagonal"})
FIELDS = frozenset({"headline", "date_line", "venue", "office", "source", "release_url", "category",
                    "image"})
HEADLINE_WEIGHT = 3  # a keyword in the headline counts three times one in the venue or category
_HEX = re.compile(r"^#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
LAYER_KEYS = frozenset({
    "id", "use", "kind", "box", "text", "font", "size", "color", "align", "valign", "max_lines",
    "line_spacing", "tracking", "balance", "requires", "unless", "fill", "outline", "stroke", "radius",
    "quiet", "fit", "key",
})


@dataclass(frozen=True, slots=True)
class Background:
    colors: tuple[RGBA, ...]  # one: solid; several: a gradient through them, evenly spaced
    direction: str = "vertical"
    image: Path | None = None  # a picture under the template, fitted to cover the canvas


@dataclass(frozen=True, slots=True)
class Layer:
    id: str
    kind: str
    box: tuple[float, float, float, float]  # x, y, w, h as fractions of the canvas
    text: str = ""
    font: str = "sans-regular"
    size: tuple[int, int] = (32, 32)
    color: RGBA = (0, 0, 0, 255)
    align: str = "left"
    valign: str = "top"
    max_lines: int = 1
    line_spacing: float = 1.3
    tracking: float = 0.0
    balance: bool = False
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()  # left out when any of these fields is present
    fill: RGBA | None = None
    outline: RGBA | None = None
    stroke: int = 0
    radius: int = 0
    quiet: int = 2  # QR quiet zone, modules
    fit: str = "cover"
    key: bool = False

    def pixel_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        x, y, w, h = self.box
        return (round(x * width), round(y * height), round((x + w) * width), round((y + h) * height))


@dataclass(frozen=True, slots=True)
class Layout:
    background: Background
    layers: tuple[Layer, ...]


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    label: str
    layouts: dict[str, Layout] = field(hash=False)
    keywords: tuple[str, ...] = ()
    venue_keywords: tuple[str, ...] = ()
    priority: int = 0
    default: bool = False
    path: Path | None = None

    def score(self, content: PosterContent) -> int:
        """How well the template's keywords fit the content (0: not at all)."""
        headline = content.headline
        others = f"{content.category or ''} {content.venue or ''}"
        score = sum(HEADLINE_WEIGHT * (k in headline) + (k in others) for k in self.keywords)
        return score + sum(k in (content.venue or "") for k in self.venue_keywords)


def _color(value: object, palette: dict[str, RGBA], where: str) -> RGBA:
    if isinstance(value, str) and value in palette:
        return palette[value]
    match = _HEX.match(value) if isinstance(value, str) else None
    if not match:
        raise TemplateError(f"{where}: colour {value!r} is neither #RRGGBB[AA] nor a palette name")
    rgb = match.group(1)
    alpha = int(match.group(2), 16) if match.group(2) else 255
    return (int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16), alpha)


def _layer(raw: dict, styles: dict[str, dict], palette: dict[str, RGBA], where: str) -> Layer:
    unknown = set(raw) - LAYER_KEYS
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(LAYER_KEYS)}")
    merged: dict = {}
    if "use" in raw:
        if raw["use"] not in styles:
            raise TemplateError(f"{where}: use = {raw['use']!r} names no [styles] entry")
        merged.update(styles[raw["use"]])
        merged.setdefault("id", raw["use"])
    merged.update({k: v for k, v in raw.items() if k != "use"})
    unknown = set(merged) - LAYER_KEYS
    if unknown:  # a typo in a [styles] entry
        raise TemplateError(f"{where}: unknown key(s) {sorted(unknown)} (from use = "
                            f"{raw.get('use')!r}); allowed: {sorted(LAYER_KEYS)}")
    where = f"{where} ({merged.get('id', '?')})"
    kind = merged.get("kind")
    if kind not in KINDS:
        raise TemplateError(f"{where}: kind {kind!r}; allowed: {sorted(KINDS)}")
    box = merged.get("box")
    if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, int | float) for v in box)):
        raise TemplateError(f"{where}: box must be [x, y, width, height] as fractions, got {box!r}")
    if kind != "line" and (box[2] <= 0 or box[3] <= 0):
        raise TemplateError(f"{where}: box {box!r} has no area")
    values: dict = {"id": str(merged.get("id", kind)), "kind": kind,
                    "box": tuple(float(v) for v in box)}
    for key in ("color", "fill", "outline"):
        if key in merged:
            values[key] = _color(merged[key], palette, f"{where} {key}")
    if "size" in merged:
        size = merged["size"]
        size = [size, size] if isinstance(size, int) else size
        if not (isinstance(size, list) and len(size) == 2 and 0 < size[0] <= size[1]):
            raise TemplateError(f"{where}: size must be px or [min, max] with min <= max, got {size!r}")
        values["size"] = (int(size[0]), int(size[1]))
    if merged.get("align", "left") not in ALIGNS:
        raise TemplateError(f"{where}: align {merged['align']!r}; allowed: {sorted(ALIGNS)}")
    if merged.get("valign", "top") not in VALIGNS:
        raise TemplateError(f"{where}: valign {merged['valign']!r}; allowed: {sorted(VALIGNS)}")
    requires = tuple(merged.get("requires", ()))
    unless = tuple(merged.get("unless", ()))
    placeholders = _PLACEHOLDER.findall(str(merged.get("text", "")))
    bad = (set(requires) | set(unless) | set(placeholders)) - FIELDS
    if bad:
        raise TemplateError(f"{where}: unknown field(s) {sorted(bad)}; fields: {sorted(FIELDS)}")
    values["requires"] = requires
    values["unless"] = unless
    for key, kind_of in (("text", str), ("font", str), ("align", str), ("valign", str),
                         ("max_lines", int), ("line_spacing", float), ("tracking", float),
                         ("balance", bool), ("stroke", int), ("radius", int), ("quiet", int),
                         ("fit", str), ("key", bool)):
        if key in merged:
            value = merged[key]
            if kind_of is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind_of):
                raise TemplateError(f"{where}: {key} must be {kind_of.__name__}, got {value!r}")
            values[key] = value
    if kind == "text" and not values.get("text"):
        raise TemplateError(f"{where}: a text layer needs text")
    return Layer(**values)


def _background(raw: object, palette: dict[str, RGBA], base: Path, where: str) -> Background:
    if isinstance(raw, str):
        return Background(colors=(_color(raw, palette, where),))
    if not isinstance(raw, dict):
        raise TemplateError(f"{where}: background must be a colour or a table")
    direction = raw.get("direction", "vertical")
    if direction not in DIRECTIONS:
        raise TemplateError(f"{where}: direction {direction!r}; allowed: {sorted(DIRECTIONS)}")
    colors = raw.get("gradient") or [raw.get("color", "#FFFFFF")]
    image = None
    if "image" in raw:
        image = (base / raw["image"]).resolve()
        if not image.is_file():
            raise TemplateError(f"{where}: background image {image} not found")
    return Background(tuple(_color(c, palette, where) for c in colors), direction, image)


def load_template(path: Path) -> Template:
    """One template file; raises ``TemplateError`` naming the file and the key at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}") from exc
    where = path.name
    palette: dict[str, RGBA] = {}
    for name, value in data.get("colors", {}).items():
        palette[name] = _color(value, {}, f"{where} [colors] {name}")
    styles = data.get("styles", {})
    layouts: dict[str, Layout] = {}
    formats = data.get("formats", {})
    for fmt in FORMATS:
        if fmt not in formats:
            raise TemplateError(f"{where}: no [formats.{fmt}] layout; every format needs one")
    for fmt, raw in formats.items():
        if fmt not in FORMATS:
            raise TemplateError(f"{where}: unknown format {fmt!r}; formats: {sorted(FORMATS)}")
        fwhere = f"{where} [formats.{fmt}]"
        layers = tuple(_layer(item, styles, palette, f"{fwhere} layer {i}")
                       for i, item in enumerate(raw.get("layers", [])))
        ids = [layer.id for layer in layers]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise TemplateError(f"{fwhere}: layer ids {sorted(dupes)} repeat; give each an id")
        background = _background(raw.get("background", "#FFFFFF"), palette, path.parent,
                                 f"{fwhere} background")
        layouts[fmt] = Layout(background=background, layers=layers)
    match = data.get("match", {})
    return Template(
        name=str(data.get("name") or path.stem),
        label=str(data.get("label", path.stem)),
        layouts=layouts,
        keywords=tuple(match.get("keywords", ())),
        venue_keywords=tuple(match.get("venue_keywords", ())),
        priority=int(data.get("priority", 0)),
        default=bool(data.get("default", False)),
        path=path,
    )


def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, Template]:
    """Every ``*.toml`` template in ``directory``, by name."""
    templates: dict[str, Template] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        template = load_template(path)
        if template.name in templates:
            raise TemplateError(f"{path}: template name {template.name!r} is used twice")
        templates[template.name] = template
    if not templates:
        raise TemplateError(f"No templates (*.toml) in {directory}")
    return templates


def choose_template(content: PosterContent, templates: dict[str, Template]) -> Template:
    """The template whose keywords fit the content best; ties go to ``priority``, then the name.

    With no keyword match the ``default`` template is used (else the highest priority).
    """
    if not templates:
        raise TemplateError("No templates to choose from")
    ranked = sorted(templates.values(), key=lambda t: (-t.score(content), -t.priority, t.name))
    if ranked[0].score(content) > 0:
        return ranked[0]
    defaults = sorted((t for t in templates.values() if t.default), key=lambda t: (-t.priority, t.name))
    return defaults[0] if defaults else ranked[0]
