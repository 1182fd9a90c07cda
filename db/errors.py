"""Errors of the storage layer, with a message in Chinese for the user."""


class StoreError(Exception):
    """Base of every error whose message is meant for the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NewerDatabaseError(StoreError):
    """The store was written by a newer version of the app."""


class MissingDriverError(StoreError):
    """The SQLCipher driver is not installed."""
