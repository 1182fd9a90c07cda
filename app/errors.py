"""The errors the app raises; each carries a message in Chinese that the UI and CLI show as is.

The storage layer's errors are part of this vocabulary, so the window and the
command line catch them from here and never reach into ``db/``.
"""

from db.errors import MissingDriverError, NewerDatabaseError, StoreError

__all__ = [
    "DomainError",
    "LockedError",
    "MissingDriverError",
    "NewerDatabaseError",
    "NotFound",
    "RefusedError",
    "StoreDamaged",
    "StoreError",
    "StoreFailure",
]


class DomainError(StoreError):
    """Invalid input or a forbidden operation; nothing was written."""


class NotFound(DomainError):
    """A referenced record does not exist."""


class LockedError(DomainError):
    """The record is signed and locked; only an amendment may change it."""


class RefusedError(DomainError):
    """The database itself refused the change (a constraint or a protection trigger).

    Raised by :func:`app.storage.db_errors.translate` in place of SQLAlchemy's
    English ``IntegrityError``; the transaction was rolled back, nothing was written.
    """


class StoreFailure(DomainError):
    """The database could not be written or read (busy, full, read-only, damaged).

    Not the user's input: the operation may succeed later or after a repair.
    The transaction was rolled back, nothing was written.
    """


class StoreDamaged(StoreFailure):
    """The store's file is damaged: only a backup brings it back (``omw restore``)."""
