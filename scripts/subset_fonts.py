"""Subset Debian's Noto CJK SC fonts into the small OTFs committed in assets/fonts/.

The committed fonts are this script's output: run it again and the bytes come out the same (the
``head.modified`` timestamp is kept from the source, not set to now). Source: Debian package
``fonts-noto-cjk`` version ``1:20220127+repack1-1`` (``apt-get install fonts-noto-cjk``); the
Simplified Chinese face is index 2 of each ``.ttc``.

Coverage (see assets/fonts/README.md):

- GB 2312, both levels (6,763 hanzi) and its symbols;
- ASCII, U+00B7 ·, ¥, €, general punctuation U+2000–206F (“”‘’…—), CJK symbols and punctuation
  U+3000–303F, half- and full-width forms U+FF00–FFEF;
- every character of ``assets/fonts/extra_chars.txt`` (characters of real releases outside the
  sets above; ``--collect FILE ...`` adds a file's characters to it), of the sample site
  (``assets/sample_site``) and of the poster templates (``assets/templates``).

Only the ``kern, vert, vrt2, vkrn`` layout features are kept (all features double the size; Pillow's
basic layout uses none of GSUB/GPOS anyway). Each output stays far under 4 MB (~1.5 MB).

Usage::

    .venv/bin/python scripts/subset_fonts.py                 # rewrite assets/fonts/*.otf
    .venv/bin/python scripts/subset_fonts.py --collect a.txt  # add a.txt's characters, then rewrite
    .venv/bin/python scripts/subset_fonts.py --check          # exit 1 if the committed fonts differ
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS_DIR = ROOT / "assets" / "fonts"
EXTRA_CHARS = FONTS_DIR / "extra_chars.txt"
TEXT_SOURCES = (ROOT / "assets" / "sample_site", ROOT / "assets" / "templates")
TEXT_SUFFIXES = frozenset({".html", ".htm", ".txt", ".json", ".toml", ".xml", ".md", ".shtml"})
SYSTEM_DIR = Path("/usr/share/fonts/opentype/noto")
DEBIAN_PACKAGE = "fonts-noto-cjk 1:20220127+repack1-1"
SC_FACE_INDEX = 2  # Simplified Chinese face of the Noto CJK .ttc collections

# (source collection, output file)
FACES = (
    ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.subset.otf"),
    ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.subset.otf"),
    ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.subset.otf"),
)
LAYOUT_FEATURES = ("kern", "vert", "vrt2", "vkrn")
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x2000, 0x206F),  # general punctuation: “”‘’…— (FACTS.md: the GB 2312 set misses them)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half- and full-width forms
)
# Python's gb2312 codec maps A1A4 to U+30FB, not the middle dot U+00B7 that real text uses.
EXPLICIT = "\u00b7\u00a5\u20ac\u00d7\u00f7\u00b0\u2103\u2116"


def gb2312_chars() -> set[str]:
    """Every character of GB 2312 (rows 0xA1–0xF7, both hanzi levels and the symbol rows)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def text_chars(text: str) -> set[str]:
    """Printable characters of ``text`` (controls, format characters and surrogates dropped)."""
    return {c for c in text if unicodedata.category(c)[0] not in {"C", "Z"} or c == " "}


def files_under(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
    return sorted(found)


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="ignore")


def wanted_chars() -> set[str]:
    chars = gb2312_chars() | set(EXPLICIT)
    for lo, hi in RANGES:
        chars.update(chr(c) for c in range(lo, hi + 1))
    if EXTRA_CHARS.exists():
        chars |= text_chars(EXTRA_CHARS.read_text(encoding="utf-8"))
    for path in files_under(TEXT_SOURCES):
        chars |= text_chars(read_text(path))
    return chars


def collect(paths: list[Path]) -> int:
    """Add the characters of ``paths`` that the base sets lack to extra_chars.txt; return how many."""
    base = gb2312_chars() | set(EXPLICIT)
    for lo, hi in RANGES:
        base.update(chr(c) for c in range(lo, hi + 1))
    old = text_chars(EXTRA_CHARS.read_text(encoding="utf-8")) if EXTRA_CHARS.exists() else set()
    new = set(old)
    for path in files_under(paths):
        new |= text_chars(read_text(path)) - base
    new.discard(" ")
    EXTRA_CHARS.write_text(
        "# Characters of real releases outside GB 2312 and the fixed ranges; one line, sorted.\n"
        + "".join(sorted(new))
        + "\n",
        encoding="utf-8",
    )
    return len(new - old)


def subset_face(source: Path, chars: set[str]) -> tuple[bytes, list[str]]:
    """The subset OTF bytes, and the wanted characters the source font itself lacks."""
    font = TTFont(source, fontNumber=SC_FACE_INDEX, recalcTimestamp=False, lazy=False)
    cmap = font.getBestCmap()
    codepoints = sorted(ord(c) for c in chars)
    missing = [chr(c) for c in codepoints if c not in cmap]
    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.name_IDs = ["*"]  # keep the copyright and the OFL licence notice (name IDs 0, 13, 14)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[c for c in codepoints if c in cmap])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue(), missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collect", nargs="*", type=Path, default=[], help="text files or folders")
    parser.add_argument("--source-dir", type=Path, default=SYSTEM_DIR)
    parser.add_argument("--check", action="store_true", help="compare with the committed fonts")
    args = parser.parse_args(argv)

    if args.collect:
        print(f"extra_chars.txt: {collect(args.collect)} new characters")
    chars = wanted_chars()
    status = 0
    for source_name, out_name in FACES:
        source = args.source_dir / source_name
        if not source.exists():
            print(f"missing {source}: install {DEBIAN_PACKAGE}", file=sys.stderr)
            return 2
        data, missing = subset_face(source, chars)
        out = FONTS_DIR / out_name
        digest = hashlib.sha256(data).hexdigest()[:16]
        if args.check:
            same = out.exists() and out.read_bytes() == data
            status |= 0 if same else 1
            print(f"{out_name}: {'same' if same else 'DIFFERS'} ({len(data):,} bytes, {digest})")
            continue
        out.write_bytes(data)
        shown = "".join(missing[:20]) if missing else "none"
        print(f"{out_name}: {len(data):,} bytes, sha256 {digest}, {len(chars)} wanted, "
              f"{len(missing)} not in the source font ({shown})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
