"""Fonts: the committed subset faces, optional fallback faces, and the coverage check.

Faces are data (``assets/fonts/fonts.toml``): a name templates use (``sans-bold``), the subset OTF
in ``assets/fonts`` and fallback fonts tried, in order, for characters the subset lacks (the full
system Noto CJK collections, when installed). Before anything is drawn every character is looked up
in these cmaps: one that no font has raises ``RenderError`` naming it, so a box glyph (tofu) never
reaches a poster.

Layout uses Pillow's basic engine (no raqm: it needs the system libfribidi and would make the output
depend on the machine). Widths are summed per character from cached advances, which is exact for the
basic engine (it applies no kerning to these CFF fonts) and much faster than measuring each
candidate line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

from tasks.errors import RenderError

FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "fonts"
FONTS_MANIFEST = "fonts.toml"
LAYOUT = ImageFont.Layout.BASIC


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int = 0  # face index in a .ttc collection


@dataclass(frozen=True, slots=True)
class FaceSpec:
    name: str  # as templates name it: "sans-bold"
    primary: FontFile
    fallbacks: tuple[FontFile, ...] = ()


@lru_cache(maxsize=16)
def _cmap(font_file: FontFile) -> frozenset[int]:
    try:
        font = TTFont(font_file.path, fontNumber=font_file.index, lazy=True)
        return frozenset(font.getBestCmap())
    except Exception as exc:  # fontTools raises many kinds on a bad file
        raise RenderError(f"Cannot read font {font_file.path} (index {font_file.index}): {exc}") from exc


@lru_cache(maxsize=512)
def _truetype(font_file: FontFile, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(
            str(font_file.path), size, index=font_file.index, layout_engine=LAYOUT
        )
    except OSError as exc:
        raise RenderError(f"Cannot load font {font_file.path}: {exc}") from exc


@dataclass(slots=True)
class SizedFont:
    """One face at one pixel size, with its fallbacks; measures and splits text into font runs."""

    face: str
    size: int
    fonts: tuple[ImageFont.FreeTypeFont, ...]  # primary first
    cmaps: tuple[frozenset[int], ...]
    _advances: dict[str, float] = field(default_factory=dict)
    _choice: dict[str, int] = field(default_factory=dict)

    def font_index(self, char: str) -> int:
        found = self._choice.get(char)
        if found is None:
            code = ord(char)
            found = next((i for i, cmap in enumerate(self.cmaps) if code in cmap), -1)
            if found < 0:
                raise RenderError(f"Character U+{code:04X} {char!r} is in no font of face {self.face!r}")
            self._choice[char] = found
        return found

    def advance(self, char: str) -> float:
        width = self._advances.get(char)
        if width is None:
            width = self.fonts[self.font_index(char)].getlength(char)
            self._advances[char] = width
        return width

    def width(self, text: str, *, tracking: float = 0.0) -> float:
        """Advance width of ``text`` in px; ``tracking`` is extra space between characters in em."""
        total = sum(self.advance(c) for c in text)
        if tracking and len(text) > 1:
            total += tracking * self.size * (len(text) - 1)
        return total

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont, str]]:
        """``text`` split into runs that one font draws."""
        out: list[tuple[ImageFont.FreeTypeFont, str]] = []
        current = -1
        start = 0
        for i, char in enumerate(text):
            index = self.font_index(char)
            if index != current:
                if i > start:
                    out.append((self.fonts[current], text[start:i]))
                current, start = index, i
        if len(text) > start:
            out.append((self.fonts[current], text[start:]))
        return out


class FontBook:
    """The faces a template may name, each with its fallbacks; sized fonts are cached."""

    def __init__(self, faces: Mapping[str, FaceSpec], *, use_fallbacks: bool = True) -> None:
        self.faces = dict(faces)
        self.use_fallbacks = use_fallbacks
        self._sized: dict[tuple[str, int], SizedFont] = {}

    def files(self, face: str) -> tuple[FontFile, ...]:
        spec = self.faces.get(face)
        if spec is None:
            raise RenderError(f"Unknown font face {face!r}; known: {', '.join(sorted(self.faces))}")
        fallbacks = tuple(f for f in spec.fallbacks if f.path.exists()) if self.use_fallbacks else ()
        return (spec.primary, *fallbacks)

    def sized(self, face: str, size: int) -> SizedFont:
        key = (face, size)
        found = self._sized.get(key)
        if found is None:
            files = self.files(face)
            found = SizedFont(
                face=face,
                size=size,
                fonts=tuple(_truetype(f, size) for f in files),
                cmaps=tuple(_cmap(f) for f in files),
            )
            self._sized[key] = found
        return found

    def missing(self, face: str, text: str) -> list[str]:
        """Characters of ``text`` that neither the face nor its fallbacks have, in order, once."""
        cmaps = [_cmap(f) for f in self.files(face)]
        seen: list[str] = []
        for char in text:
            if char not in seen and not any(ord(char) in cmap for cmap in cmaps):
                seen.append(char)
        return seen

    def check(self, face: str, text: str, *, what: str) -> None:
        """Raise ``RenderError`` naming every character of ``text`` that no font of ``face`` has."""
        missing = self.missing(face, text)
        if missing:
            names = ", ".join(f"U+{ord(c):04X} {c!r}" for c in missing)
            hint = "" if self.use_fallbacks else " (fallback fonts disabled)"
            raise RenderError(
                f"{what}: character(s) {names} not in font {face!r} nor its fallbacks{hint}; "
                f"add them to assets/fonts/extra_chars.txt and re-run scripts/subset_fonts.py, "
                f"or install fonts-noto-cjk"
            )


def load_faces(fonts_dir: Path = FONTS_DIR) -> dict[str, FaceSpec]:
    """Faces from ``fonts_dir/fonts.toml``: ``[faces.NAME] file = "..."`` plus ``fallbacks``."""
    manifest = fonts_dir / FONTS_MANIFEST
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RenderError(f"Cannot read the font manifest {manifest}: {exc}") from exc
    faces: dict[str, FaceSpec] = {}
    for name, entry in data.get("faces", {}).items():
        primary = fonts_dir / entry["file"]
        if not primary.exists():
            raise RenderError(f"Font face {name!r}: {primary} is missing")
        fallbacks = tuple(
            FontFile(Path(fb["path"]), int(fb.get("index", 0))) for fb in entry.get("fallbacks", ())
        )
        faces[name] = FaceSpec(name=name, primary=FontFile(primary), fallbacks=fallbacks)
    if not faces:
        raise RenderError(f"No font faces in {manifest}")
    return faces


@lru_cache(maxsize=4)
def default_fontbook(*, use_fallbacks: bool = True) -> FontBook:
    """The committed faces, with the system fallbacks where installed; built once per process."""
    return FontBook(load_faces(), use_fallbacks=use_fallbacks)
