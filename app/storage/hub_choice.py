"""Whether a data folder works on a team hub, answered without SQLAlchemy.

The names :mod:`app.storage.hub` decides by (``OMW_DATABASE_URL``, the folder's
``hub.json``), kept here so that the read-only path of ``omw due``
(:mod:`app.storage.readonly`) can tell a store file from a hub without importing
the hub module and SQLAlchemy with it.
"""

from __future__ import annotations

import json
from pathlib import Path

ENV_DATABASE_URL = "OMW_DATABASE_URL"
HUB_FILE = "hub.json"


def saved_url(folder: Path) -> str | None:
    """The hub saved for the data folder ``folder`` (``hub.json``), if any."""
    try:
        doc = json.loads((Path(folder) / HUB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = doc.get("url") if isinstance(doc, dict) else None
    return url if isinstance(url, str) and url else None
