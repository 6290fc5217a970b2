"""Secrets for the flows: from the environment, or else from Prefect Secret blocks. Never logged.

(Not named ``secrets.py``: Prefect puts an entrypoint's folder, flows/, first on ``sys.path`` of a
deployment's run, so that name would hide the standard library's ``secrets`` from every import.)

Two settings hold secrets (tasks/settings.py keeps both as ``SecretStr``): the site's cookie
(``PUBLICITY_COOKIE``, e.g. after an anti-bot challenge) and the reviewers' notification URLs
(``PUBLICITY_NOTIFY_URLS``, Apprise URLs carrying tokens). On a Prefect server they can live in
Secret blocks instead, so that no worker's environment holds them:

    prefect block create secret    # or in the UI: Blocks > + > Secret, named as below
    publicity-cookie               -> Settings.cookie
    publicity-notify-urls          -> Settings.notify_urls

An environment variable wins over a block (a worker can override the server's value). Only where a
value came from is logged ("cookie: from Secret block 'publicity-cookie'"), never the value; the
settings keep it as ``SecretStr``, whose repr is ``'**********'``, so it cannot leak into a log line,
an artifact or a run's result by accident.

    settings = with_secrets(load_settings(out=out), log=logger.info)
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from tasks.settings import Settings

# Settings field -> Secret block name (block names: lowercase letters, digits and dashes).
SECRET_BLOCKS: dict[str, str] = {
    "cookie": "publicity-cookie",
    "notify_urls": "publicity-notify-urls",
}

BlockReader = Callable[[str], str | None]


def read_secret_block(name: str) -> str | None:
    """The value of the Secret block ``name`` on the current Prefect API, or None if none."""
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(name, _sync=True).get()  # type: ignore[call-arg]
    except ValueError:  # "Unable to find block document named ..." : not configured
        return None
    return None if value is None else str(value)


def with_secrets(
    settings: Settings, *, read_block: BlockReader | None = None,
    log: Callable[[str], None] | None = None,
) -> Settings:
    """``settings`` with each secret the environment left unset filled from its Secret block.

    A block that cannot be read (the API is down, a permission) leaves the setting unset and is
    logged by name with the error's type only.
    """
    read = read_block or read_secret_block
    say = log or (lambda message: None)
    updates: dict[str, SecretStr] = {}
    for field, block in SECRET_BLOCKS.items():
        if getattr(settings, field) is not None:
            say(f"{field}: from the environment (PUBLICITY_{field.upper()})")
            continue
        try:
            value = read(block)
        except Exception as exc:  # noqa: BLE001 - a missing secret must not end the run
            say(f"{field}: Secret block {block!r} could not be read ({type(exc).__name__})")
            continue
        if value:
            updates[field] = SecretStr(value)
            say(f"{field}: from Secret block {block!r}")
    return settings.model_copy(update=updates) if updates else settings
