"""The data folder's error log: where an error nobody expected is kept, with its traceback.

The window (:mod:`ui.errors`) logs to it through :mod:`logging`; a command
(:mod:`app.cli.main`) appends the traceback of a failure it did not expect. The
user is told in Chinese where the file is, never shown the traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.storage.privacy import create_private

#: the error log, in the data folder
LOG_NAME = "omw-errors.log"
#: bytes after which the log starts anew (the previous one kept as ``omw-errors.log.1``)
LOG_LIMIT = 1_000_000
#: how an entry begins (its traceback follows on the next lines)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def path_in(folder: Path) -> Path:
    """``folder``'s error log; one past :data:`LOG_LIMIT` is first set aside as ``….1``."""
    path = folder / LOG_NAME
    try:
        if path.stat().st_size > LOG_LIMIT:
            path.replace(path.with_name(LOG_NAME + ".1"))
    except FileNotFoundError:
        pass
    return path


class PrivateFileHandler(logging.FileHandler):
    """A log file made when first written (none in a folder where nothing went wrong),
    owner-only as the store beside it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is None:
            create_private(Path(self.baseFilename))
        super().emit(record)


def record(folder: Path, what: str, error: BaseException) -> Path:
    """Append ``error`` with its traceback to ``folder``'s log, headed ``what``; the log.

    Written by the window's handler, so both write their entries the same way.
    """
    path = path_in(folder)
    handler = PrivateFileHandler(path)
    trace = (type(error), error, error.__traceback__)
    try:
        handler.handle(logging.LogRecord("omw", logging.ERROR, __file__, 0, what, None, trace))
    finally:
        handler.close()
    return path
