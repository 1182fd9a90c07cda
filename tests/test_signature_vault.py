"""The engineer's saved signature is sealed under a PIN, never stored in plain form."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import DomainError
from app.records import signature_vault as vault
from tests.factories import png_bytes


def test_round_trip_and_wrong_pin(tmp_path: Path) -> None:
    png = png_bytes(seed=7)
    assert not vault.has_signature(tmp_path, "张工")
    path = vault.save_signature(tmp_path, "张工", png, "2468")
    assert vault.has_signature(tmp_path, "张工")
    raw = path.read_bytes()
    assert b"PNG" not in raw and b"IHDR" not in raw and "张工".encode() not in raw
    assert vault.load_signature(tmp_path, "张工", "2468") == png
    with pytest.raises(DomainError, match="PIN"):
        vault.load_signature(tmp_path, "张工", "1357")
    assert vault.forget_signature(tmp_path, "张工")
    assert not vault.has_signature(tmp_path, "张工")


def test_a_file_copied_to_another_name_or_tampered_is_refused(tmp_path: Path) -> None:
    path = vault.save_signature(tmp_path, "张工", png_bytes(), "2468")
    other = vault.save_signature(tmp_path, "李工", png_bytes(seed=1), "2468")
    other.write_bytes(path.read_bytes())
    with pytest.raises(DomainError):
        vault.load_signature(tmp_path, "李工", "2468")
    path.write_text(path.read_text().replace('"data": "', '"data": "AAAA'), encoding="utf-8")
    with pytest.raises(DomainError):
        vault.load_signature(tmp_path, "张工", "2468")


def test_short_pins_and_non_png_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="至少"):
        vault.save_signature(tmp_path, "张工", png_bytes(), "12")
    with pytest.raises(DomainError, match="PNG"):
        vault.save_signature(tmp_path, "张工", b"not an image at all, surely", "1234")
