"""Where data lives and how it is kept: the store, its encryption and secrets, backups,
the single-writer instance lock, atomic files and the resource locator."""
