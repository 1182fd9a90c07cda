"""Full-text search of the records: the tokeniser, the index kept in each transaction, queries.

The lowest package: the store (:mod:`app.storage.store`) installs the index on every
session, so it may import nothing of ``app`` but the shared errors.
"""
