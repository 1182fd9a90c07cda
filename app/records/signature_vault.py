"""The engineer's own handwritten signature, kept for reuse under a PIN.

The signature image is never stored in plain form: a key is derived from the
PIN/passphrase with scrypt (random salt per file) and the PNG is sealed with
AES-256-GCM, the signer's name bound as associated data. A wrong PIN and a
tampered file are both refused by the authentication tag. One file per signer
lives in ``<data folder>/signatures/``; the client (甲方) never has one and signs
fresh each time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.errors import DomainError
from app.records import _util
from app.records.signing import png_info
from app.storage.text_rules import lone_surrogate

FOLDER = "signatures"
MIN_PIN = 4
VERSION = 1
#: scrypt cost: about 50 ms on a laptop, so guessing a 6-digit PIN offline takes hours.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1


def _file(folder: Path, name: str) -> Path:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
    return Path(folder) / FOLDER / f"{digest}.sig"


def _key(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(pin.encode("utf-8"))


def _name(name: str) -> str:
    return _util.text(name, "签字人姓名", required=True, limit=_util.NAME_LIMIT)


def _pin(pin: str) -> str:
    """The PIN/passphrase as typed; one that cannot be encoded (a lone surrogate) is refused."""
    if not isinstance(pin, str) or lone_surrogate(pin) is not None:
        raise DomainError("PIN/口令中含有无效字符（常见于复制粘贴出错），请重新输入。")
    return pin


def has_signature(folder: Path, name: str) -> bool:
    try:
        return _file(folder, _name(name)).is_file()
    except DomainError:  # an empty or invalid name has no saved signature
        return False


def save_signature(folder: Path, name: str, png: bytes, pin: str) -> Path:
    """Seal ``png`` under ``pin`` for ``name``, replacing an earlier one."""
    name = _name(name)
    pin = _pin(pin)
    if len(pin) < MIN_PIN:
        raise DomainError(f"PIN/口令至少 {MIN_PIN} 位。")
    png_info(png)
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(
        nonce, bytes(png), name.encode("utf-8")
    )
    body = {
        "version": VERSION,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "data": base64.b64encode(sealed).decode(),
    }
    path = _file(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(body), encoding="utf-8")
    partial.replace(path)
    return path


def load_signature(folder: Path, name: str, pin: str) -> bytes:
    """The saved signature PNG of ``name``; refused on a wrong PIN."""
    name = _name(name)
    pin = _pin(pin)
    path = _file(folder, name)
    if not path.is_file():
        raise DomainError(f"没有保存「{name}」的签名。")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        kdf = body["kdf"]
        key = _key(pin, base64.b64decode(body["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        nonce, sealed = base64.b64decode(body["nonce"]), base64.b64decode(body["data"])
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"保存的签名文件已损坏（{exc.__class__.__name__}）。") from None
    try:
        return AESGCM(key).decrypt(nonce, sealed, name.encode("utf-8"))
    except InvalidTag:
        raise DomainError("PIN/口令不正确，或签名文件已被改动。") from None


def forget_signature(folder: Path, name: str) -> bool:
    path = _file(folder, _name(name))
    if path.is_file():
        path.unlink()
        return True
    return False
