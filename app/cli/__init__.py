"""The ``omw`` command line."""
