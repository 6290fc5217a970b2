"""The README's settings table is the users' reference: it names every setting, and each default
it shows is the one the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from tasks.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def _table_rows() -> list[tuple[list[str], list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Settings"): text.index("\n## ", text.index("## Settings") + 5)]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and "PUBLICITY_" in cells[0]:
            names = re.findall(r"PUBLICITY_[A-Z_]+", cells[0])
            defaults = [d.strip().strip("`") for d in cells[1].split(" / ")]
            rows.append((names, defaults))
    return rows


def test_the_table_names_every_setting_and_nothing_else() -> None:
    documented = {n for names, _ in _table_rows() for n in names}
    actual = {f"PUBLICITY_{name.upper()}" for name in Settings.model_fields}
    assert documented == actual


def test_the_defaults_shown_are_the_code_s() -> None:
    checked = 0
    for names, defaults in _table_rows():
        if len(defaults) != len(names):
            continue  # one description for several variables
        for name, shown in zip(names, defaults):
            default = Settings.model_fields[name.removeprefix("PUBLICITY_").lower()].default
            if isinstance(default, bool):
                assert shown == str(default).lower(), name
            elif isinstance(default, (int, float)):
                assert float(shown) == float(default), name
            elif default is None:
                assert shown in ("unset", "from the site profile") or "OUT" in shown, name
            elif isinstance(default, (str, Path)) and re.fullmatch(r"[\w./:]+", shown):
                assert shown == str(default), name
            else:
                continue
            checked += 1
    assert checked >= 20
