"""Anti-bot JavaScript challenges: recognising one (``detect_challenge``) and telling the user how
to get past it (``challenge_message``): this program runs no scripts, so the way through is the
cookie of a browser that did (``PUBLICITY_COOKIE``)."""

from __future__ import annotations

import re

CHALLENGE_STATUSES = frozenset({202, 412, 521})  # Ruishu (412/202), Jiasule (521)
CHALLENGE_SUSPECT_STATUSES = frozenset({200, 403, 503})  # need stronger evidence
CHALLENGE_MAX_BYTES = 128 * 1024
CHALLENGE_MAX_VISIBLE_CHARS = 200
# Names that only anti-bot challenge pages carry (cookie names and script globals of the WAFs that
# Chinese government sites use): Jiasule, Ruishu, Aliyun WAF, Yunsuo, Cloudflare.
CHALLENGE_MARKERS = (
    "__jsl_clearance",
    "__jsluid",
    "$_ts",
    "FSSBBIl1UgzbN7N",
    "acw_sc__v2",
    "yunsuo_session_verify",
    "security_session_verify",
    "cf_chl_opt",
    "challenge-platform",
)

_JS_SETS_COOKIE = re.compile(
    r"""document\s*\.\s*cookie\s*=|document\s*\[\s*['"]cookie['"]\s*\]\s*=|['"]cookie['"]""", re.I
)
_JS_RELOADS = re.compile(
    r"location\s*\.\s*(?:reload|replace|assign)\s*\(|location(?:\s*\.\s*href)?\s*=|setTimeout\s*\(",
    re.I,
)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>|&[a-z#0-9]+;", re.I)


def detect_challenge(status: int, content: bytes, *, set_cookie: str = "") -> str | None:
    """Describe the anti-bot JavaScript challenge this response is, or return None.

    Chinese government sites sit behind WAFs (Ruishu, Jiasule, Aliyun …) that answer a first visit
    with 412, 202 or 521 and a small page whose script computes a cookie and reloads. On those
    statuses a page with a script and hardly any visible text is enough; on 200/403/503 it must also
    carry a WAF's marker or both set a cookie and reload, so real pages with scripts never match.
    """
    if status not in CHALLENGE_STATUSES and status not in CHALLENGE_SUSPECT_STATUSES:
        return None
    if not content or len(content) > CHALLENGE_MAX_BYTES:
        return None
    text = content.decode("utf-8", errors="replace")
    lowered = text.lower()
    if "<script" not in lowered:
        return None
    haystack = lowered + ("\n" + set_cookie.lower() if status in CHALLENGE_STATUSES else "")
    marker = next((m for m in CHALLENGE_MARKERS if m.lower() in haystack), None)
    sets_cookie = bool(_JS_SETS_COOKIE.search(text))
    reloads = bool(_JS_RELOADS.search(text))
    visible = len("".join(_TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text)).split()))
    if visible >= CHALLENGE_MAX_VISIBLE_CHARS and not (status in CHALLENGE_STATUSES and marker):
        return None
    if status in CHALLENGE_STATUSES or marker or (sets_cookie and reloads):
        what = "a JavaScript page that sets a cookie" if (sets_cookie or marker) else "a JavaScript page"
        return f"HTTP {status}, {what}" + (f": {marker}" if marker else "")
    return None


def challenge_message(url: str, challenge: str, *, cookie_sent: bool) -> str:
    """What happened and what to do: set ``PUBLICITY_COOKIE``, or renew it if one was sent."""
    message = (
        f"{url} answered with an anti-bot challenge ({challenge}) instead of the page: the site "
        "wants a browser to run its script and send back a cookie, which this program cannot do. "
    )
    if cookie_sent:
        return message + (
            "The cookie in PUBLICITY_COOKIE was sent but not accepted; it has probably expired: open "
            "the site in a browser again, copy the new Cookie request header (developer tools > "
            "Network), and update PUBLICITY_COOKIE (and PUBLICITY_USER_AGENT to that browser's)."
        )
    return message + (
        "Open the site in a browser, copy the Cookie request header of a page request (developer "
        "tools > Network), and set it as PUBLICITY_COOKIE; set PUBLICITY_USER_AGENT to that "
        "browser's User-Agent too, since such cookies are often tied to it. The cookie expires: "
        "renew it when this message comes back."
    )
