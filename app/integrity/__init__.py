"""Proof that records are genuine: signing keys, minisign-compatible signatures and
verification of packs and stores."""
