"""Contract profiles: their schema, the built-in YAML files and the contracts installed
in a store."""
