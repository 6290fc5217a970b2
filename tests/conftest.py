"""Shared fixtures: the sample site on a real local server, a real SQLite store, Prefect's harness.

Prefect is imported only by the fixtures that need it, so the fast tests never pay its start-up.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasks.sample_server import SampleServer
from tasks.settings import SAMPLE_SITE_DIR, SiteProfile, load_profile

# Prefect's offline settings (../shared/FACTS.md) before anything imports it.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def sample_article_files(root: Path = SAMPLE_SITE_DIR) -> list[Path]:
    """Every article page of the sample site (all of them are listed on its list pages)."""
    return sorted(root.glob("**/content/post_*.html"))


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A private copy of the sample site that a test may edit."""
    target = tmp_path / "site"
    shutil.copytree(SAMPLE_SITE_DIR, target)
    return target


@pytest.fixture
def sample_server(site_copy: Path) -> Iterator[SampleServer]:
    with SampleServer(site_copy) as server:
        yield server


@pytest.fixture
def sample_profile(sample_server: SampleServer) -> SiteProfile:
    return load_profile("sample").with_base_url(sample_server.url)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session (~12 s to start, FACTS.md)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


# Property tests draw the same examples on every machine (CI included), so a run is reproducible;
# `HYPOTHESIS_PROFILE=explore` draws new random examples when hunting for bugs by hand.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
_hypothesis_settings.register_profile("explore", derandomize=False)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
