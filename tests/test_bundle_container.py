"""The exchange-bundle file: encryption, signature, truncation and bad input."""

from __future__ import annotations

import json
import os
import struct
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.storage.device import DeviceKey
from app.team import container
from app.team.container import BundleCancelled, BundleError, open_bundle, write_bundle

PASS = "correct horse 12"


def _device() -> DeviceKey:
    return DeviceKey(str(uuid.uuid4()), Ed25519PrivateKey.generate(), secrets=None)  # type: ignore[arg-type]


def _write(tmp_path: Path, members: list[tuple[str, bytes]] | None = None, **kw: Any) -> Path:
    target = tmp_path / "a.omwb"
    members = members if members is not None else [("rows.jsonl", b'{"id": 1}\n' * 10)]
    write_bundle(target, {"kind": "test"}, members, PASS, kw.pop("device", _device()), **kw)
    return target


def test_round_trip_returns_members_signer_and_file_digest(tmp_path: Path) -> None:
    import hashlib

    device = _device()
    big = os.urandom(container.CHUNK * 2 + 17)  # several chunks, incompressible
    target = tmp_path / "b.omwb"
    digest = write_bundle(
        target, {"devices": {"x": 3}}, [("blob/1", big), ("rows", b"abc")], PASS, device
    )
    assert digest == hashlib.sha256(target.read_bytes()).hexdigest()
    with open_bundle(target, PASS) as bundle:
        assert bundle.manifest == {"devices": {"x": 3}}
        assert bundle.signer_device_id == device.device_id
        assert bundle.signer_public_key == device.public_key
        assert bundle.sha256 == digest
        assert sorted(bundle.names()) == ["blob/1", "rows"]
        assert bundle.read("blob/1") == big
        assert bundle.read("rows") == b"abc"
        with pytest.raises(BundleError):
            bundle.read("missing")


def test_contents_are_not_readable_without_the_passphrase(tmp_path: Path) -> None:
    target = _write(tmp_path, [("rows", "故障单 GZ-202611-ZS-004".encode() * 50)])
    raw = target.read_bytes()
    assert "故障单".encode() not in raw and b"GZ-2026" not in raw and b"manifest" not in raw


def test_wrong_passphrase_is_refused_in_chinese(tmp_path: Path) -> None:
    target = _write(tmp_path)
    with pytest.raises(BundleError, match="口令不对"):
        open_bundle(target, "wrong passphrase")


@pytest.mark.parametrize("keep", [0, 5, 20, -1, -17])
def test_truncated_file_is_refused(tmp_path: Path, keep: int) -> None:
    target = _write(tmp_path, [("rows", os.urandom(container.CHUNK + 100))])
    raw = target.read_bytes()
    target.write_bytes(raw[:keep])
    with pytest.raises(BundleError):
        open_bundle(target, PASS)


def test_cut_at_a_chunk_boundary_is_reported_as_truncated(tmp_path: Path) -> None:
    target = _write(tmp_path, [("rows", os.urandom(container.CHUNK * 3))])
    raw = target.read_bytes()
    (hlen,) = struct.unpack(">I", raw[len(container.MAGIC) : len(container.MAGIC) + 4])
    first = len(container.MAGIC) + 4 + hlen
    (clen,) = struct.unpack(">I", raw[first : first + 4])
    target.write_bytes(raw[: first + 4 + clen])  # exactly one whole chunk kept
    with pytest.raises(BundleError, match="不完整"):
        open_bundle(target, PASS)


def test_flipped_byte_anywhere_is_refused(tmp_path: Path) -> None:
    target = _write(tmp_path)
    raw = bytearray(target.read_bytes())
    for position in (len(container.MAGIC) + 10, len(raw) // 2, len(raw) - 1):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        target.write_bytes(bytes(changed))
        with pytest.raises(BundleError):
            open_bundle(target, PASS)


def test_appended_bytes_are_refused(tmp_path: Path) -> None:
    target = _write(tmp_path)
    target.write_bytes(target.read_bytes() + b"\x00\x00\x00\x10" + b"x" * 16)
    with pytest.raises(BundleError, match="签名无效"):
        open_bundle(target, PASS)


def test_not_a_bundle_and_newer_version(tmp_path: Path) -> None:
    other = tmp_path / "x.docx"
    other.write_bytes(b"PK\x03\x04 not ours")
    with pytest.raises(BundleError, match="不是运维工作台的交换包"):
        open_bundle(other, PASS)
    target = _write(tmp_path)
    raw = target.read_bytes()
    start = len(container.MAGIC) + 4
    (hlen,) = struct.unpack(">I", raw[len(container.MAGIC) : start])
    header = json.loads(raw[start : start + hlen])
    header["version"] = container.VERSION + 1
    new = json.dumps(header).encode()
    target.write_bytes(container.MAGIC + struct.pack(">I", len(new)) + new + raw[start + hlen :])
    with pytest.raises(BundleError, match="较新版本"):
        open_bundle(target, PASS)


def test_a_huge_scrypt_cost_in_a_crafted_header_is_refused(tmp_path: Path) -> None:
    header = json.dumps(
        {
            "format": "omw-bundle",
            "version": 1,
            "kdf": {"name": "scrypt", "n": 2**30, "r": 8, "p": 1, "salt": "AAAA"},
            "cipher": "AES-256-GCM",
            "chunk": container.CHUNK,
        }
    ).encode()
    target = tmp_path / "x.omwb"
    target.write_bytes(container.MAGIC + struct.pack(">I", len(header)) + header)
    with pytest.raises(BundleError, match="不是运维工作台的交换包"):
        open_bundle(target, PASS)


def _rewrite_inner(target: Path, change: Any) -> None:
    """Decrypt, change the inner archive, re-encrypt with the passphrase (an insider's forgery)."""
    import io

    opened = open_bundle(target, PASS)
    opened._plain.seek(0)
    inner = zipfile.ZipFile(io.BytesIO(opened._plain.read()))
    files = {name: inner.read(name) for name in inner.namelist()}
    opened.close()
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    buffer.seek(0)
    container._encrypt(buffer, target, PASS, None)


def test_a_member_changed_by_someone_with_the_passphrase_is_caught_by_the_signature(
    tmp_path: Path,
) -> None:
    target = _write(tmp_path, [("rows", b"original"), ("other", b"x")])

    def edit(files: dict[str, bytes]) -> None:
        files["rows"] = b"forged!!"

    _rewrite_inner(target, edit)
    with pytest.raises(BundleError, match="签名无效"):
        open_bundle(target, PASS)


@pytest.mark.parametrize("edit", ["drop-member", "add-member", "resign-other-key"])
def test_members_removed_added_or_resigned_are_refused(tmp_path: Path, edit: str) -> None:
    target = _write(tmp_path, [("rows", b"original"), ("other", b"x")])

    def change(files: dict[str, bytes]) -> None:
        if edit == "drop-member":
            del files["other"]
        elif edit == "add-member":
            files["extra"] = b"smuggled"
        else:  # a new signature by another key over the same manifest claiming the first signer
            statement = b"omw-bundle-v1\n" + files["manifest.json"]
            files["manifest.sig"] = _device().sign(statement).encode()

    _rewrite_inner(target, change)
    with pytest.raises(BundleError, match="签名无效"):
        open_bundle(target, PASS)


def test_cancel_and_errors_leave_nothing_at_the_target(tmp_path: Path) -> None:
    target = tmp_path / "c.omwb"
    with pytest.raises(BundleCancelled):
        write_bundle(target, {}, [("a", b"1")], PASS, _device(), cancel=lambda: True)
    with pytest.raises(BundleError, match="成员名称"):
        write_bundle(target, {}, [("a", b"1"), ("a", b"2")], PASS, _device())
    with pytest.raises(BundleError, match="至少需要"):
        write_bundle(target, {}, [("a", b"1")], "short", _device())
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"previous")
    with pytest.raises(BundleCancelled):
        write_bundle(target, {}, [("a", b"1")], PASS, _device(), cancel=lambda: True)
    assert target.read_bytes() == b"previous"


def test_unreadable_path_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="无法读取交换包"):
        open_bundle(tmp_path / "absent.omwb", PASS)
