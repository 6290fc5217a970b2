"""The project's exceptions: one base class and a shallow tree.

    PublicityError
    ├── SettingsError            bad settings or site profile
    ├── FetchError               a URL could not be read (carries url, and status where there is one)
    │   ├── FetchTimeout
    │   ├── ConnectFailed        DNS or TCP/TLS connect error
    │   ├── BadStatus            4xx/5xx after retries
    │   ├── ChallengePage        an anti-bot JavaScript challenge (412/202 + script that sets a cookie)
    │   ├── HostNotAllowed       off the profile's allow-list, or a redirect to another host
    │   ├── RobotsDisallowed
    │   ├── TooLarge             past the response size cap
    │   └── Truncated            the body was cut off before its announced length
    ├── ParseError               a page could not be understood
    │   ├── LayoutNotRecognised  a list page with no list, a pager we cannot read
    │   └── NotARelease          an article page with no title or no body
    ├── ExtractError             bad input to the event extractor
    ├── RenderError              a poster could not be drawn (e.g. a character no font has)
    │   └── TemplateError        a poster template file that cannot be used
    ├── DraftError               bad platform data, a draft template that fails, an edit over a limit
    ├── ReviewError              a review action that is not allowed (wrong state, no reviewer, no note)
    └── StoreError               the database refused

Other libraries' errors are translated at one boundary each (httpx in tasks/site.py, SQLAlchemy in
tasks/store.py) and re-raised ``from`` the original so the cause is kept.
"""

from __future__ import annotations


class PublicityError(Exception):
    """Base class: anything the project raises on purpose."""


class SettingsError(PublicityError):
    pass


def _rebuild_fetch_error(
    cls: type[FetchError], message: str, url: str, status: int | None
) -> FetchError:
    return cls(message, url=url, status=status)


def _rebuild_parse_error(cls: type[ParseError], message: str, url: str | None) -> ParseError:
    return cls(message, url=url)


class FetchError(PublicityError):
    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status

    # Keyword-only context breaks the default pickling, which Prefect and process pools use.
    def __reduce__(self):  # noqa: ANN204
        return (_rebuild_fetch_error, (type(self), str(self), self.url, self.status))


class FetchTimeout(FetchError):
    pass


class ConnectFailed(FetchError):
    pass


class BadStatus(FetchError):
    pass


class ChallengePage(FetchError):
    pass


class HostNotAllowed(FetchError):
    pass


class RobotsDisallowed(FetchError):
    pass


class TooLarge(FetchError):
    pass


class Truncated(FetchError):
    pass


class ParseError(PublicityError):
    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    def __reduce__(self):  # noqa: ANN204
        return (_rebuild_parse_error, (type(self), str(self), self.url))


class LayoutNotRecognised(ParseError):
    pass


class NotARelease(ParseError):
    pass


class ExtractError(PublicityError):
    pass


class RenderError(PublicityError):
    pass


class TemplateError(RenderError):
    """A template file that cannot be used; the message names the file and the key."""


class DraftError(PublicityError):
    """Bad platform data, a template that does not render, or an edited text that breaks a limit."""


class ReviewError(PublicityError):
    """A review action that is not allowed: wrong state, no reviewer name, a reject without a note."""


class StoreError(PublicityError):
    pass
