"""The store's tables, declared once (SQLAlchemy Core): what every other part of ``tasks._store``
reads and writes, and what ``tasks._store.migrate`` creates and versions.

Times are ISO 8601 text in Asia/Shanghai (see ``tasks._store.times``); lists are JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 1  # raise with a step in tasks._store.migrate.MIGRATIONS

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

releases_table = sa.Table(
    "releases",
    metadata,
    sa.Column("url", sa.String(1024), primary_key=True),
    sa.Column("post_id", sa.String(64)),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("published", sa.String(40), nullable=False, index=True),
    sa.Column("source", sa.Text),
    sa.Column("column_name", sa.Text),
    sa.Column("site_name", sa.Text),
    sa.Column("keywords", sa.Text, nullable=False, default="[]"),
    sa.Column("description", sa.Text),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("images", sa.Text, nullable=False, default="[]"),
    sa.Column("attachments", sa.Text, nullable=False, default="[]"),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("first_seen", sa.String(40), nullable=False),
    sa.Column("updated", sa.String(40), nullable=False),  # last change of content
    sa.Column("last_checked", sa.String(40), nullable=False),
    sa.Column("listed_in", sa.String(1024)),  # the list page URL it was found on
)

events_table = sa.Table(
    "events",
    metadata,
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("start", sa.String(40), nullable=False),
    sa.Column("end", sa.String(40)),
    sa.Column("time_of_day", sa.String(16)),
    sa.Column("venue", sa.Text),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("online", sa.Text),
    sa.PrimaryKeyConstraint("release_url", "seq"),
)

fetch_state_table = sa.Table(
    "fetch_state",
    metadata,
    sa.Column("url", sa.String(1024), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "list" | "article"
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),  # failures since last success
    sa.Column("last_attempt", sa.String(40)),
    sa.Column("last_success", sa.String(40)),
    sa.Column("listed_title", sa.Text),
    sa.Column("listed_date", sa.String(10)),
)

posters_table = sa.Table(
    "posters",
    metadata,
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("event_seq", sa.Integer, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("template", sa.String(64), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),  # relative to OUT/public
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("input_key", sa.String(64), nullable=False),  # hash of what was drawn: skip if same
    sa.Column("warnings", sa.Text, nullable=False, default="[]"),
    sa.Column("rendered_at", sa.String(40), nullable=False),
    sa.PrimaryKeyConstraint("release_url", "event_seq", "format"),
)

runs_table = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flow", sa.String(32), nullable=False),
    sa.Column("started", sa.String(40), nullable=False),
    sa.Column("finished", sa.String(40)),
    sa.Column("state", sa.String(16), nullable=False),  # running | completed | failed
    sa.Column("source", sa.Text),
    sa.Column("summary", sa.Text),  # JSON: counts and failures
    sa.Column("error", sa.Text),
)

# ---- drafts and their review (issue 6) ---------------------------------------------------------
# Added tables only (created by create_all on open). A draft is one version of one platform's text
# for one release; versions of a (release, platform) are numbered from 1 and never deleted.
# draft_history records every change: who, when, the action, from and to, the note, what changed.

drafts_table = sa.Table(
    "drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("release_url", sa.String(1024), nullable=False, index=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("digest", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("images", sa.Text, nullable=False, default="[]"),  # JSON: PosterRef fields
    sa.Column("notes", sa.Text, nullable=False, default="[]"),
    sa.Column("invalid_reason", sa.Text),
    sa.Column("release_title", sa.Text, nullable=False),
    sa.Column("events_end", sa.String(10)),  # YYYY-MM-DD, the last day of the events
    sa.Column("input_key", sa.String(64), nullable=False, default=""),
    sa.Column("source_key", sa.String(64), nullable=False, default=""),
    sa.Column("parent_id", sa.Integer),
    sa.Column("created", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("updated", sa.String(40), nullable=False),
    sa.UniqueConstraint("release_url", "platform", "version", name="uq_drafts_version"),
)

draft_history_table = sa.Table(
    "draft_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("draft_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(16)),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("changes", sa.Text),
)
