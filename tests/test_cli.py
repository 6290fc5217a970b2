"""The `publicity` command: help, clear errors, and no Prefect import for commands that run no flow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tasks.settings import SAMPLE_SITE_DIR

runner = CliRunner()
SEED = Path(__file__).parent / "fixtures" / "seed" / "press-release-2024-12-12.txt"
SEED_ARTICLE = SAMPLE_SITE_DIR / "zwgk/jdhy/xwfbh/content/post_4236888.html"


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


COMMANDS = ("run", "demo", "extract", "posters", "serve", "status", "backfill", "rebuild", "drafts")


def test_every_command_the_readme_shows_exists():
    """The README (both languages) is what users type: each `publicity X …` it shows must run."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"publicity ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", readme))
    assert len(shown) >= 8
    for words in sorted(shown):
        argv = words.split()
        if argv[0] not in COMMANDS:
            continue  # prose like "publicity pipeline"
        result = runner.invoke(app, [*argv, "--help"])
        if result.exit_code != 0 and len(argv) > 1:  # "publicity run once": the second word is prose
            result = runner.invoke(app, [argv[0], "--help"])
        assert result.exit_code == 0, (words, result.output)
    assert {w.split()[0] for w in shown} >= {"run", "drafts", "backfill", "status"}


@pytest.mark.parametrize("command", [*COMMANDS, "drafts list", "drafts approve"])
def test_each_command_has_help(command):
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0 and "--" in result.output


def test_extract_txt_needs_published():
    result = runner.invoke(app, ["extract", str(SEED)])
    assert result.exit_code == 2
    assert "--published" in result.output


def test_extract_missing_file_is_a_clear_error():
    result = runner.invoke(app, ["extract", "/nonexistent/x.html"])
    assert result.exit_code == 2 and "No such file" in result.output


def test_extract_bad_published_is_a_clear_error():
    result = runner.invoke(app, ["extract", str(SEED), "--published", "yesterday"])
    assert result.exit_code == 2 and "ISO 8601" in result.output


def test_extract_txt_json_gives_the_seed_events():
    result = runner.invoke(app, ["extract", str(SEED), "--published", "2024-12-12T17:14:51", "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert all(set(e) >= {"name", "start", "end", "time_of_day", "venue", "sentence"} for e in events)
    starts = {e["start"][:10] for e in events}
    assert {"2024-12-20", "2024-12-27"} <= starts
    concert = next(e for e in events if e["start"].startswith("2024-12-27"))
    assert concert["venue"] == "市中心广场东草坪" and concert["time_of_day"] == "evening"


def test_extract_html_reads_the_publication_time_from_the_page():
    result = runner.invoke(app, ["extract", str(SEED_ARTICLE), "--json"])
    assert result.exit_code == 0, result.output
    assert {"2024-12-20", "2024-12-27"} <= {e["start"][:10] for e in json.loads(result.stdout)}


def test_status_on_an_empty_store(tmp_path):
    result = runner.invoke(app, ["status", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "releases: 0" in result.output


def test_run_with_an_invalid_source_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", "--source", "ftp://x/", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "Invalid --source" in result.output


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", str(SEED), "--published", "2024-12-12T17:14:51", "--json"],
        ["status", "--out", "{tmp}"],
        ["--help"],
    ],
)
def test_commands_without_a_flow_do_not_import_prefect(argv, tmp_path):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code = (
        "import sys\n"
        "from flows.cli import app\n"
        f"try:\n    app({argv!r})\n"
        "except SystemExit:\n    pass\n"
        "assert 'prefect' not in sys.modules, 'prefect was imported'\n"
        "print('NO-PREFECT')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    assert "NO-PREFECT" in result.stdout, result.stderr


def test_entry_point_is_installed():
    exe = Path(sys.executable).parent / "publicity"
    assert exe.exists()
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "extract" in result.stdout
