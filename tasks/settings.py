"""Settings (environment variables ``PUBLICITY_*``) and site profiles (``assets/sites/*.toml``).

All defaults live here, with units. Settings are read at the edge (the CLI and the flows) and plain
values are passed inward: pure functions never import this module's ``Settings``.

A site profile is data, so a second city is a new file, not new code::

    profile = load_profile("dongguan")          # assets/sites/dongguan.toml
    profile = load_profile("sample").with_base_url("http://127.0.0.1:8765/")
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from tasks.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS = PROJECT_ROOT / "assets"
SITES_DIR = ASSETS / "sites"
SAMPLE_SITE_DIR = ASSETS / "sample_site"

DEFAULT_USER_AGENT = (
    "dg-publicity/0.1 (news office publicity pipeline of the Dongguan city government; "
    "polite crawler: robots.txt, rate-limited)"
)


class Settings(BaseSettings):
    """Every setting, with its environment variable ``PUBLICITY_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PUBLICITY_", extra="ignore")

    out: Path = Field(Path("out"), description="Output folder (feeds, posters, drafts, database).")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the store; default sqlite:///OUT/publicity.db."
    )
    site: str = Field("dongguan", description="Site profile: a name in assets/sites/ or a path.")
    user_agent: str = DEFAULT_USER_AGENT
    min_request_interval: float = Field(
        0.5, ge=0, description="Seconds between two requests to one host (per-host rate limit)."
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to connect.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for data.")
    total_timeout: float = Field(
        120.0, gt=0, description="Seconds for one whole response (a slow drip cannot stall a run)."
    )
    max_response_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Response size cap, bytes.")
    retries: int = Field(3, ge=0, description="Retries on timeouts, 429 and 5xx.")
    retry_backoff: float = Field(1.0, ge=0, description="First backoff in seconds; doubles.")
    max_retry_after: float = Field(
        60.0, ge=0, description="Longest Retry-After (seconds) honoured from a 429 or 503."
    )
    respect_robots: bool = Field(True, description="Honour robots.txt.")
    cookie: SecretStr | None = Field(
        None, description="Cookie header for the site (e.g. after an anti-bot challenge)."
    )
    concurrency: int = Field(4, ge=1, description="Releases fetched at once (within the rate limit).")
    public_base_url: str = Field(
        "http://127.0.0.1:8000/", description="Where OUT/public is served; makes feed links absolute."
    )
    feed_items: int = Field(50, ge=1, description="Releases carried by each feed.")
    feed_title: str | None = Field(
        None,
        description="Title of the feeds, calendar and landing page (default: '<site title> · 新闻发布').",
    )
    feed_description: str | None = Field(
        None, description="Description of the feeds and landing page (default: built from the profile)."
    )
    feed_ttl: int = Field(
        30, ge=1, description="Minutes a reader may cache a feed (RSS ttl, calendar refresh interval)."
    )
    ics_past_days: int = Field(
        30, ge=0, description="Days an event stays in events.ics after it ended (upcoming ones always do)."
    )
    websub_hub: str | None = Field(
        None,
        description="WebSub hub URL: the feeds advertise it (rel=hub) and it is pinged when one changes.",
    )
    websub_timeout: float = Field(10.0, gt=0, description="Seconds to wait for the WebSub hub.")
    # ---- drafts and review (issue 6) ----
    hashtags: str = Field(
        "东莞", description="Hashtags drafts carry, comma separated, without '#' (e.g. '东莞,东莞发布')."
    )
    notify_urls: SecretStr | None = Field(
        None,
        description="Apprise URLs told when new drafts wait, separated by spaces or commas "
        "(wecombot://, dingtalk://, feishu://, mailtos://, json://); they hold tokens: a secret.",
    )
    notify_timeout: float = Field(10.0, gt=0, description="Seconds to wait for each notification receiver.")
    review_url: str | None = Field(
        None, description="Where OUT/review/index.html is served; linked in notifications."
    )
    review_timeout: int = Field(
        7 * 24 * 3600, ge=60, le=366 * 24 * 3600,
        description="Seconds the review flow waits for the reviewers' decisions (default 7 days).",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.out / 'publicity.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit non-None overrides (CLI options) on top."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SettingsError(f"Invalid settings: {exc}") from exc


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Column name as the portal shows it, e.g. 新闻发布会.")
    path: str = Field(description="List page URL, absolute or relative to the profile's base_url.")
    breadcrumb: str | None = None
    verified: bool = Field(False, description="Whether the URL was seen to work.")
    note: str | None = None


class Selectors(BaseModel):
    """CSS selectors; the defaults fit the Guangdong government CMS family."""

    model_config = ConfigDict(frozen=True)

    list_item: str = "ul li:has(> a[href]):has(> span.time), ul li:has(a[href]):has(span)"
    pager: str = "div.pages, div.page, div#pages, div.pagediv, #page_div, .pagination"
    body: str = (
        "div.article-content, div#zoom, div.zoom, div#content1, div.TRS_Editor, div.TRS_UEDITOR, "
        "div.zw, div.content"
    )
    title: str = "div.article-title, h1, div.title"
    info_line: str = "div.article-info, div.info, div.source"


class SiteProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str = Field(description="The site's name, e.g. 中国东莞政府门户网站.")
    office: str = Field(description="The issuing office shown on posters and feeds.")
    base_url: str
    hosts: Annotated[list[str], Field(min_length=1)] = Field(
        description="Hosts that may be fetched (exact names; '.example.cn' allows subdomains)."
    )
    allow_private: bool = Field(False, description="Allow loopback/private addresses (sample site).")
    keep_off_site: bool = Field(
        False, description="Keep list items that link to other hosts (marked off_site)."
    )
    columns: list[Column]
    selectors: Selectors = Selectors()
    min_request_interval: float | None = Field(
        None, ge=0, description="Per-host rate limit for this site, unless set in the environment."
    )
    note: str | None = None

    def with_base_url(self, base_url: str) -> SiteProfile:
        host = urlsplit(base_url).hostname or ""
        hosts = self.hosts if host in self.hosts else [*self.hosts, host]
        return self.model_copy(update={"base_url": base_url, "hosts": hosts})

    def column_urls(self) -> list[tuple[Column, str]]:
        return [(c, urljoin(self.base_url, c.path)) for c in self.columns]

    def host_allowed(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.lower().rstrip(".")
        for allowed in self.hosts:
            allowed = allowed.lower()
            if allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:]):
                return True
            if host == allowed:
                return True
        return False


def profile_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" and candidate.exists():
        return candidate
    path = SITES_DIR / f"{name_or_path}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SITES_DIR.glob("*.toml")))
        raise SettingsError(f"Unknown site profile {name_or_path!r}. Known profiles: {known}")
    return path


def load_profile(name_or_path: str) -> SiteProfile:
    path = profile_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SiteProfile(**data)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SettingsError(f"Invalid site profile {path}: {exc}") from exc
