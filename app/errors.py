"""Domain errors carry a message in Chinese that the UI and CLI show as is."""

from db.errors import StoreError


class DomainError(StoreError):
    """Invalid input or a forbidden operation; nothing was written."""


class NotFound(DomainError):
    """A referenced record does not exist."""


class LockedError(DomainError):
    """The record is signed and locked; only an amendment may change it."""
