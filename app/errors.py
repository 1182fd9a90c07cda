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
    "StoreError",
]


class DomainError(StoreError):
    """Invalid input or a forbidden operation; nothing was written."""


class NotFound(DomainError):
    """A referenced record does not exist."""


class LockedError(DomainError):
    """The record is signed and locked; only an amendment may change it."""
