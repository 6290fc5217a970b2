"""The Jinja2 environment for the HTML pages we generate (landing page, review board).

Every value on those pages is portal text or a reviewer's, so autoescaping is always on; a missing
variable is an error, not an empty string. One cached environment per template folder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2


@cache
def html_environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
