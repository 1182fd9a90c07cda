"""The exchange-bundle file: encrypted with a passphrase, signed by the laptop's device key.

A bundle is carried by hand (USB stick, shared folder) between laptops at a
client site, so it must be unreadable without the passphrase, and a receiver
must learn who made it and that nothing in it was changed or cut off.

Layout of the file::

    MAGIC                          b"OMWBUNDLE\\n"
    header length (4 bytes, BE)    then the header: JSON, UTF-8
                                   {"format", "version", "kdf": {scrypt n/r/p, salt}, "cipher",
                                    "chunk"}
    chunks                         [length (4 bytes, BE)][AES-256-GCM ciphertext] …

The key is derived from the passphrase with scrypt (the same cost as the secret
file, ~60 ms). The plaintext is cut into chunks of ``chunk`` bytes; chunk *i* is
sealed with the nonce ``i`` (11 bytes) + a final-flag byte and the header as
associated data. Reordered, dropped or appended chunks, a changed header and a
missing final chunk (a truncated copy) all fail authentication. A wrong
passphrase fails the first chunk; GCM cannot tell that apart from an altered
file, and the message says so.

The plaintext is a ZIP archive (deflated) holding:

- ``manifest.json``: ``{"manifest": <the caller's manifest>, "signer": {device id,
  public key}, "members": {name: {"sha256", "size"}}, "created_at"}`` in canonical
  JSON;
- ``manifest.sig``: the device key's Ed25519 signature of ``_CONTEXT + manifest.json``;
- the members themselves.

Signing inside the encryption hides who exchanged what from whoever finds the
stick, and the signature covers every member through its digest. The
signature is checked against the key *carried in the bundle*: whether that
key belongs to a trusted colleague is the importer's decision
(:mod:`app.team.bundles`), not this module's.

Why not ``pyzipper`` (WinZip AES), which the pack archives use: its format is
meant to be opened by 7-Zip, authenticates each member separately (a member
can be removed without notice) and cannot carry a signature; a bundle is only
ever opened by the app.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.errors import DomainError
from app.storage.atomic import atomic_writer, os_reason
from app.storage.device import DeviceKey, verify
from app.storage.secrets import MIN_PASSPHRASE, SCRYPT_N, SCRYPT_P, SCRYPT_R
from db import canonical

MAGIC = b"OMWBUNDLE\n"
FORMAT = "omw-bundle"
VERSION = 1
CIPHER = "AES-256-GCM"
CHUNK = 1 << 20
_CONTEXT = b"omw-bundle-v1\n"
_MANIFEST = "manifest.json"
_SIGNATURE = "manifest.sig"
_RESERVED = frozenset({_MANIFEST, _SIGNATURE})
_TAG = 16
#: headers larger than this are not ours (a real one is ~200 bytes)
_MAX_HEADER = 4096
#: scrypt costs a header may ask for; anything larger would let a crafted file
#: make the importer allocate gigabytes before the passphrase is even checked
_MAX_SCRYPT_N = 2**20
#: plaintext kept in memory before spilling to a temporary file
_SPOOL = 32 << 20


class BundleError(DomainError):
    """The bundle cannot be written or read; the message says why, in Chinese."""


class BundleCancelled(BundleError):
    def __init__(self, message: str = "已取消，未留下任何文件。") -> None:
        super().__init__(message)


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _check(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise BundleCancelled()


# --------------------------------------------------------------------------- writing


def write_bundle(
    target: Path,
    manifest: dict[str, Any],
    members: Iterable[tuple[str, bytes]],
    passphrase: str,
    device: DeviceKey,
    *,
    cancel: Callable[[], bool] | None = None,
) -> str:
    """Write the bundle atomically at ``target`` and return the file's SHA-256 (hex).

    On an error or a cancel nothing is left at ``target`` (an existing file there is
    kept as it was).
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise BundleError(f"交换包口令至少需要 {MIN_PASSPHRASE} 个字符。")
    digests: dict[str, dict[str, Any]] = {}
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as plain:
        with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                _check(cancel)
                if name in _RESERVED or name in digests or not name or name.startswith("/"):
                    raise BundleError(f"交换包成员名称无效或重复：{name}")
                digests[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                archive.writestr(name, data)
            body = canonical.dumps(
                {
                    "manifest": manifest,
                    "signer": {"device_id": device.device_id, "public_key": device.public_key},
                    "members": digests,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
            archive.writestr(_MANIFEST, body)
            archive.writestr(_SIGNATURE, device.sign(_CONTEXT + body))
        _check(cancel)
        plain.seek(0)
        return _encrypt(plain, target, passphrase, cancel)


def _encrypt(
    plain: IO[bytes], target: Path, passphrase: str, cancel: Callable[[], bool] | None
) -> str:
    salt = os.urandom(16)
    header = canonical.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "kdf": {
                "name": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": base64.b64encode(salt).decode(),
            },
            "cipher": CIPHER,
            "chunk": CHUNK,
        }
    )
    aead = AESGCM(_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
    digest = hashlib.sha256()
    with atomic_writer(target) as out:

        def emit(data: bytes) -> None:
            digest.update(data)
            out.write(data)

        emit(MAGIC + struct.pack(">I", len(header)) + header)
        index = 0
        chunk = plain.read(CHUNK)
        while True:
            _check(cancel)
            following = plain.read(CHUNK)
            last = not following
            sealed = aead.encrypt(_nonce(index, last), chunk, header)
            emit(struct.pack(">I", len(sealed)) + sealed)
            if last:
                break
            chunk, index = following, index + 1
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading


@dataclass
class OpenedBundle:
    """A decrypted bundle whose signature and member digests have been checked.

    Use it as a context manager (``with open_bundle(...) as bundle:``) to release
    its temporary plaintext promptly.
    """

    manifest: dict[str, Any]
    signer_device_id: str
    signer_public_key: str
    sha256: str
    created_at: str
    _members: dict[str, dict[str, Any]] = field(repr=False)
    _archive: zipfile.ZipFile = field(repr=False)
    _plain: IO[bytes] = field(repr=False)

    def names(self) -> list[str]:
        return list(self._members)

    def read(self, name: str) -> bytes:
        if name not in self._members:
            raise BundleError(f"交换包中没有 {name}。")
        data = self._archive.read(name)
        if hashlib.sha256(data).hexdigest() != self._members[name]["sha256"]:  # pragma: no cover
            raise BundleError("交换包内容与其签名不符，未导入任何内容。")  # checked at open
        return data

    def close(self) -> None:
        self._archive.close()
        self._plain.close()

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


_NOT_A_BUNDLE = "这不是运维工作台的交换包（文件格式不符）。"
_TRUNCATED = "交换包不完整（文件被截断或复制中断），未导入任何内容。请重新拷贝。"
_WRONG = "无法解开交换包：口令不对，或文件已被改动。"
_TAMPERED = "交换包的签名无效：内容已被改动，未导入任何内容。"


def open_bundle(
    source: Path, passphrase: str, *, cancel: Callable[[], bool] | None = None
) -> OpenedBundle:
    """Decrypt ``source``, verify its signature and every member's digest.

    Raises :class:`BundleError` with a Chinese message for a file that is not a
    bundle, a truncated or altered file, a wrong passphrase, a bad signature or
    a bundle made by a newer version.
    """
    digest = hashlib.sha256()
    plain = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - owned by the result
    try:
        try:
            with open(source, "rb") as stream:
                header = _read_header(stream, digest)
                _decrypt(stream, header, passphrase, plain, digest, cancel)
        except OSError as exc:
            raise BundleError(f"无法读取交换包 {source}：{os_reason(exc)}") from exc
        plain.seek(0)
        return _verify(plain, digest.hexdigest())
    except BaseException:
        plain.close()
        raise


def _read_exact(stream: IO[bytes], size: int, digest: Any) -> bytes:
    data = stream.read(size)
    digest.update(data)
    if len(data) != size:
        raise BundleError(_TRUNCATED)
    return data


def _read_header(stream: IO[bytes], digest: Any) -> tuple[bytes, dict[str, Any]]:
    magic = stream.read(len(MAGIC))
    digest.update(magic)
    if magic != MAGIC:
        raise BundleError(_NOT_A_BUNDLE)
    (length,) = struct.unpack(">I", _read_exact(stream, 4, digest))
    if length > _MAX_HEADER:
        raise BundleError(_NOT_A_BUNDLE)
    raw = _read_exact(stream, length, digest)
    try:
        header = json.loads(raw)
        if header["format"] != FORMAT:
            raise BundleError(_NOT_A_BUNDLE)
        if not isinstance(header["version"], int) or header["version"] > VERSION:
            raise BundleError("此交换包由较新版本的运维工作台制作，请先升级本机的运维工作台。")
        kdf = header["kdf"]
        params = (int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        salt = base64.b64decode(kdf["salt"], validate=True)
        if (
            header["cipher"] != CIPHER
            or kdf["name"] != "scrypt"
            or not 2 <= params[0] <= _MAX_SCRYPT_N
            or not 1 <= params[1] <= 32
            or not 1 <= params[2] <= 16
            or not 0 < int(header["chunk"]) <= 16 * CHUNK
        ):
            raise BundleError(_NOT_A_BUNDLE)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BundleError(_NOT_A_BUNDLE) from exc
    return raw, {"params": params, "salt": salt, "chunk": int(header["chunk"])}


def _decrypt(
    stream: IO[bytes],
    header: tuple[bytes, dict[str, Any]],
    passphrase: str,
    plain: IO[bytes],
    digest: Any,
    cancel: Callable[[], bool] | None,
) -> None:
    raw, info = header
    n, r, p = info["params"]
    aead = AESGCM(_key(passphrase, info["salt"], n, r, p))
    index = 0
    while True:
        _check(cancel)
        prefix = stream.read(4)
        digest.update(prefix)
        if not prefix:
            raise BundleError(_TRUNCATED)  # the final chunk never came
        if len(prefix) != 4:
            raise BundleError(_TRUNCATED)
        (length,) = struct.unpack(">I", prefix)
        if not _TAG <= length <= info["chunk"] + _TAG:
            raise BundleError(_WRONG if index == 0 else _TAMPERED)
        sealed = _read_exact(stream, length, digest)
        for last in (False, True):
            try:
                plain.write(aead.decrypt(_nonce(index, last), sealed, raw))
                break
            except InvalidTag:
                continue
        else:
            raise BundleError(_WRONG if index == 0 else _TAMPERED)
        if last:
            break
        index += 1
    if stream.read(1):
        raise BundleError(_TAMPERED)  # bytes after the final chunk


def _verify(plain: IO[bytes], file_sha256: str) -> OpenedBundle:
    try:
        archive = zipfile.ZipFile(plain)
    except zipfile.BadZipFile as exc:
        raise BundleError(_TAMPERED) from exc
    try:
        infos = {info.filename: info for info in archive.infolist()}
        if _MANIFEST not in infos or _SIGNATURE not in infos:
            raise BundleError(_TAMPERED)
        if infos[_MANIFEST].file_size > 64 << 20 or infos[_SIGNATURE].file_size > 1024:
            raise BundleError(_TAMPERED)
        body = archive.read(_MANIFEST)
        signature = archive.read(_SIGNATURE).decode("ascii", "replace")
        doc = json.loads(body)
        signer = doc["signer"]
        if not verify(signer["public_key"], _CONTEXT + body, signature):
            raise BundleError(_TAMPERED)
        members: dict[str, dict[str, Any]] = doc["members"]
        if set(infos) - _RESERVED != set(members) or len(infos) != len(archive.infolist()):
            raise BundleError(_TAMPERED)
        for name, expected in members.items():
            if infos[name].file_size != expected["size"]:
                raise BundleError(_TAMPERED)
            if hashlib.sha256(archive.read(name)).hexdigest() != expected["sha256"]:
                raise BundleError(_TAMPERED)
        return OpenedBundle(
            manifest=doc["manifest"],
            signer_device_id=str(signer["device_id"]),
            signer_public_key=str(signer["public_key"]),
            sha256=file_sha256,
            created_at=str(doc.get("created_at", "")),
            _members=members,
            _archive=archive,
            _plain=plain,
        )
    except (ValueError, KeyError, TypeError, zipfile.BadZipFile, RuntimeError) as exc:
        archive.close()
        raise BundleError(_TAMPERED) from exc
    except BaseException:
        archive.close()
        raise
