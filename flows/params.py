"""The flows' parameters as pydantic models: types, defaults, limits and the help the UI shows.

Each model is the single source of a flow's parameters. The flow keeps a flat signature (so
``poll(site="sample", out="out")`` and ``run_deployment(..., parameters={"max_pages": 5})`` read
naturally) whose defaults are the model's fields, taken with ``param``; Prefect reads a field
default's description into the deployment's parameter schema, and ``param`` copies the field's
limits (minimum, maximum, pattern …) into the schema too, so the UI form refuses a bad value before
a run starts. Inside the flow, ``PollParams.model_validate(...)`` checks the same limits again for
calls from Python, with a ``SettingsError`` that names the field.

    @flow
    def poll(max_pages: int = param(PollParams, "max_pages"), ...) -> dict: ...

No Prefect import here: the CLI validates options with these models before paying Prefect's
start-up.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from tasks.errors import SettingsError

# JSON-schema keywords that carry a field's limits; copied into the flow's parameter schema.
_LIMIT_KEYWORDS = (
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern", "format", "enum", "minItems", "maxItems",
)
_URL_PATTERN = r"^https?://"
_NAME_PATTERN = r"^[A-Za-z0-9_./-]+$"

Model = TypeVar("Model", bound=BaseModel)


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _SiteParams(_Params):
    """Where to read from and write to; shared by poll, backfill and rebuild."""

    out: str | None = Field(
        None,
        description="Output folder for feeds, posters, drafts and the store "
        "(empty: the PUBLICITY_OUT setting, default 'out', relative to the project folder).",
    )
    site: str | None = Field(
        None,
        pattern=_NAME_PATTERN,
        description="Site profile: a name in assets/sites/ such as 'dongguan' or 'sample' "
        "(empty: the PUBLICITY_SITE setting, default 'dongguan').",
    )
    base_url: str | None = Field(
        None,
        pattern=_URL_PATTERN,
        description="Serve the site profile from another base URL, e.g. the bundled sample site "
        "on http://127.0.0.1:PORT/ (empty: the profile's own base URL).",
    )


class PollParams(_SiteParams):
    """The ``poll`` flow: new and edited releases since the last run."""

    source: str | None = Field(
        None,
        pattern=_URL_PATTERN,
        description="One list page URL to poll instead of the site profile's columns, e.g. "
        "https://www.dg.gov.cn/zwgk/jdhy/xwfbh/ (empty: every column of the profile).",
    )
    max_pages: int = Field(
        3, ge=1, le=1000,
        description="List pages to walk per column at most (the walk stops earlier at an "
        "unchanged page or a known release).",
    )
    recheck_hours: float | None = Field(
        6.0, ge=0,
        description="Re-check a known release for edits when it was last checked this many hours "
        "ago (0: every run; empty: never).",
    )
    recheck_days: int = Field(
        30, ge=0,
        description="Only releases published within this many days are re-checked for edits.",
    )


class BackfillParams(_SiteParams):
    """The ``backfill`` flow: older releases, walking deeper than a poll does."""

    source: str | None = Field(
        None,
        pattern=_URL_PATTERN,
        description="One list page URL to backfill instead of the site profile's columns "
        "(empty: every column of the profile).",
    )
    pages: int = Field(
        10, ge=1, le=1000,
        description="List pages to walk per column, newest first, without stopping at known "
        "releases (the portal lists about 15-20 releases per page).",
    )
    since: date | None = Field(
        None,
        description="Keep only releases published on or after this day (YYYY-MM-DD); the walk "
        "stops at the first list page listing only older releases, and reads at most 'pages' "
        "pages per column (empty: every release on those pages).",
    )
    recheck_known: bool = Field(
        False,
        description="Also re-check the releases already in the store (published since 'since') "
        "for edits, with conditional requests.",
    )


class RebuildParams(_SiteParams):
    """The ``rebuild`` flow: every output from the store, no fetching."""

    posters: bool = Field(
        True,
        description="Draw the posters that are missing or whose event, template or fonts changed "
        "(unchanged ones are kept).",
    )


def param(model: type[BaseModel], name: str) -> Any:
    """A model field as a flow parameter's default: its default, description and limits.

    Prefect takes the default and the description from a ``FieldInfo`` default; the limits travel
    in ``json_schema_extra``, which Prefect merges into the parameter's schema.
    """
    field = model.model_fields[name]
    schema = model.model_json_schema()["properties"][name]
    limits = {k: v for k, v in _limits(schema).items() if k in _LIMIT_KEYWORDS}
    return Field(field.default, description=field.description, json_schema_extra=limits or None)


def _limits(schema: dict[str, Any]) -> dict[str, Any]:
    # An optional field's limits sit in the non-null branch of anyOf.
    found = {k: v for k, v in schema.items() if k in _LIMIT_KEYWORDS}
    for branch in schema.get("anyOf", []):
        if branch.get("type") != "null":
            found.update({k: v for k, v in branch.items() if k in _LIMIT_KEYWORDS})
    return found


def validate_params(model: type[Model], values: dict[str, Any]) -> Model:
    """The flow's arguments as the model, or a ``SettingsError`` naming each bad field."""
    cleaned = {k: (v.default if isinstance(v, FieldInfo) else v) for k, v in values.items()}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'parameters'}: {e['msg']}" for e in exc.errors()
        )
        raise SettingsError(f"Invalid {model.__name__[:-6].lower()} parameters: {problems}") from exc
