"""Where the user's data lives and where bundled resources are found.

One module answers both questions so that source runs, installed runs and the
PyInstaller bundle agree. The data folder is chosen, in order, by an explicit
argument (``--data-dir``), the ``OMW_DATA_DIR`` environment variable, then the
platform's user data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "OMWorkbench"
ENV_DATA_DIR = "OMW_DATA_DIR"
DB_FILENAME = "omw.sqlite3"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder, creating it if needed (owner-only: :mod:`app.storage.privacy`)."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path = path.expanduser().resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """The user's cache folder (compiled templates, :mod:`app.export.compile_cache`)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def db_path(folder: Path) -> Path:
    return folder / DB_FILENAME


#: The package folder ``app/`` (this file is ``app/storage/paths.py``).
_PACKAGE = Path(__file__).resolve().parents[1]


def resources_root() -> Path:
    """The ``resources/`` folder: the one place that answers where bundled files are.

    - frozen (PyInstaller): ``sys._MEIPASS/resources`` (see ``build.spec``);
    - installed from a wheel: ``app/resources`` inside site-packages (``setup.py``
      maps the top-level folder there);
    - a source checkout, editable installs included: ``<repo>/resources``.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    installed = _PACKAGE / "resources"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_root().joinpath(*parts)
