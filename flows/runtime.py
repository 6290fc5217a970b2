"""What every flow and CLI command sets up from settings, without importing Prefect.

``configure_prefect_offline`` must run before the first ``import prefect``: it applies the offline
settings measured in ../shared/FACTS.md (no analytics, no telemetry; a generous start-up timeout for
the temporary server on a slow machine). Values already in the environment win.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tasks.errors import SettingsError
from tasks.settings import Settings, SiteProfile, load_profile

if TYPE_CHECKING:
    from tasks.site import Fetcher

PREFECT_OFFLINE_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_CLI_PROMPT": "false",
    # Our own loggers ("publicity.*") show in the Prefect UI next to the flow's.
    "PREFECT_LOGGING_EXTRA_LOGGERS": "publicity",
}


def configure_prefect_offline() -> None:
    for name, value in PREFECT_OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    # Prefect gives the loggers in PREFECT_LOGGING_EXTRA_LOGGERS its API handler but not its
    # level, so our INFO lines (one per release: "Release new: <title> (<url>)") would stop at the
    # root logger's WARNING and never reach the run's logs in the UI.
    logging.getLogger("publicity").setLevel(os.environ.get("PREFECT_LOGGING_LEVEL", "INFO").upper())


def resolve_profile(
    settings: Settings, *, site: str | None = None, base_url: str | None = None,
    source: str | None = None,
) -> SiteProfile:
    """The site profile for a run: the named one, rebased, and allowing an explicit source's host."""
    profile = load_profile(site or settings.site)
    if base_url:
        profile = profile.with_base_url(base_url)
    if source:
        parts = urlsplit(source)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"Invalid --source {source!r}: expected an http(s) URL of a list page")
        hosts = profile.hosts if parts.hostname in profile.hosts else [*profile.hosts, parts.hostname]
        allow_private = profile.allow_private or _is_private_host(parts.hostname)
        profile = profile.model_copy(update={"hosts": hosts, "allow_private": allow_private})
    return profile


def _is_private_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback


def make_fetcher(settings: Settings, profile: SiteProfile) -> Fetcher:
    """The site's fetcher; the profile's rate limit applies unless the environment sets one."""
    from tasks.site import Fetcher

    if profile.min_request_interval is not None and "min_request_interval" not in settings.model_fields_set:
        settings = settings.model_copy(update={"min_request_interval": profile.min_request_interval})
    return Fetcher.from_settings(settings, profile)


def out_dir(settings: Settings, out: str | Path | None) -> Path:
    return Path(out) if out else settings.out
