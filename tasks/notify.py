"""Tell reviewers that drafts wait: one message through apprise to every configured URL.

apprise speaks WeCom (``wecombot://KEY``), DingTalk (``dingtalk://TOKEN``), Feishu/Lark
(``feishu://TOKEN``), e-mail (``mailtos://user:pass@host``) and plain webhooks (``json://host/path``,
``form://host/path``), among others: https://github.com/caronc/apprise/wiki. The URLs carry
secrets, so they come from a SecretStr setting and are never logged (only their scheme).

A failure to notify is logged and returned, never raised: the drafts are stored whatever happens.

    result = notify_reviewers(["json://127.0.0.1:9000/hook"], title="3 条新草稿待审核", body="…")
    result.ok, result.failed
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

logger = logging.getLogger("publicity.notify")

DEFAULT_TIMEOUT = 10.0  # seconds to connect and to read, per URL
_SPLIT = re.compile(r"[\s,]+")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://\S+")


@dataclass(frozen=True, slots=True)
class NotifyResult:
    attempted: int  # URLs that apprise accepted
    ok: bool  # every accepted URL was notified (False also when there was nothing to notify)
    failed: tuple[str, ...] = ()  # redacted URLs or reasons that failed


def split_urls(value: str | None) -> list[str]:
    """URLs from a setting: separated by spaces, commas or new lines."""
    return [u for u in _SPLIT.split(value or "") if u]


def redact(url: str) -> str:
    """The scheme only (``wecombot://…``): tokens may sit anywhere in a notification URL, even in
    its host (``wecombot://KEY``)."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    return f"{scheme}://…" if scheme.isalnum() else "<invalid URL>"


def _with_timeout(url: str, timeout: float) -> str:
    # apprise's per-URL connect (cto) and read (rto) timeouts, so a dead receiver cannot stall a run
    if "cto=" in url or "rto=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}cto={timeout:g}&rto={timeout:g}"


def notify_reviewers(
    urls: Sequence[str], *, title: str, body: str, timeout: float = DEFAULT_TIMEOUT
) -> NotifyResult:
    """Send one message to every URL; never raises (failures are logged and returned)."""
    if not urls:
        return NotifyResult(attempted=0, ok=False, failed=())
    try:
        import apprise

        app = apprise.Apprise()
        failed: list[str] = []
        attempted = 0
        with _quiet_apprise(), apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            for url in urls:
                if app.add(_with_timeout(url, timeout)):
                    attempted += 1
                else:
                    failed.append(f"{redact(url)}: not a notification URL apprise knows")
                    logger.warning("Notification URL not recognised: %s", redact(url))
            sent = app.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT) \
                if attempted else False
        if attempted and not sent:
            detail = _scrub(" ".join(captured.getvalue().split()))[:500] or "the receiver refused it"
            failed.append(f"notification failed: {detail}")
            logger.warning("Could not notify reviewers: %s", detail)
        return NotifyResult(attempted=attempted, ok=bool(sent) and not failed, failed=tuple(failed))
    except Exception as exc:  # noqa: BLE001 - a notification must never fail the run
        detail = _scrub(f"{type(exc).__name__}: {exc}")
        logger.warning("Could not notify reviewers: %s", detail)
        return NotifyResult(attempted=0, ok=False, failed=(detail,))


@contextmanager
def _quiet_apprise() -> Iterator[None]:
    """Keep apprise's own log records (which quote whole URLs, tokens included) out of the
    application's logs while it runs; they are captured, scrubbed and re-logged by us."""
    apprise_logger = logging.getLogger("apprise")
    before = apprise_logger.propagate
    apprise_logger.propagate = False
    try:
        yield
    finally:
        apprise_logger.propagate = before


def _scrub(text: str) -> str:
    return _URL.sub(lambda m: redact(m.group(0)), text)


def drafts_message(
    waiting: Sequence[tuple[str, str]], *, board_url: str | None, office: str
) -> tuple[str, str]:
    """Title and body of the message: how many drafts wait, for which releases, where to review.

    ``waiting``: (release title, platform label) per new draft.
    """
    titles: dict[str, list[str]] = {}
    for release_title, platform in waiting:
        titles.setdefault(release_title, []).append(platform)
    title = f"{office}：{len(waiting)} 条新草稿待审核"
    lines = [f"· {t}（{'、'.join(p)}）" for t, p in list(titles.items())[:10]]
    if len(titles) > 10:
        lines.append(f"· 另有 {len(titles) - 10} 篇稿件")
    lines.append("")
    lines.append(f"审核页面：{board_url}" if board_url else "审核页面：OUT/review/index.html")
    lines.append("命令行：publicity drafts list --status pending")
    return title, "\n".join(lines)
