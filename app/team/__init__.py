"""The team: identity, exchange bundles and merging across laptops."""
