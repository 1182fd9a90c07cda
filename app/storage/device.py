"""This device's identity and Ed25519 key, and the audit head kept outside the store.

A *device* is one store on one laptop. It has a random id and an Ed25519 key
pair; the public half is written into the store's ``device`` table (so packs,
backups and bundles can be checked anywhere), the private half is a secret of
the laptop — OS keyring or the passphrase file (:mod:`app.storage.secrets`) —
and never enters the store. Whoever has only the store file (a copy, a
database tool) cannot make a seal the app accepts.

What the key signs:

- every **signature** a person makes on a record (the statement is built in
  :mod:`app.integrity.seals`);
- the **audit-chain head** ``(seq, hash)`` at every commit that appended audit
  entries (:mod:`app.storage.guards`), so truncating or rewriting the chain is
  detected against the last signed head.

The latest signed head is also kept **outside the store**, beside the private
key (secret ``device/<id>/head``): rolling the store back together with its
heads to an older, valid state is then caught, because the chain no longer
reaches the head the laptop remembers. It is only written while the store
agrees with it (:attr:`DeviceKey.rolled_back` stays false), so a rolled-back
store cannot erase that evidence by committing something new.

``device.json`` in the data folder names the device id. If the folder is moved
to another laptop (or its keyring is lost) the private key is missing there,
so that laptop becomes a new device: the old device's public key stays in the
store and its seals still verify.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.errors import DomainError
from app.storage.atomic import atomic_write_bytes
from app.storage.secrets import SecretStore
from db import canonical

DEVICE_FILE = "device.json"
FILE_FORMAT = "omw-device"
_RAW = serialization.Encoding.Raw
_HEAD_CONTEXT = b"omw-audit-head-v1\n"
_SIGNATURE_CONTEXT = b"omw-signature-v1\n"


class DeviceError(DomainError):
    """The device key or its record is unusable; the message says why, in Chinese."""


def key_secret_name(device_id: str) -> str:
    return f"device/{device_id}/ed25519"


def head_secret_name(device_id: str) -> str:
    return f"device/{device_id}/head"


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(_RAW, serialization.PublicFormat.Raw)).decode()


def verify(public_key_b64: str, message: bytes, signature_b64: str | None) -> bool:
    """Whether ``signature_b64`` is a valid Ed25519 signature of ``message``."""
    if not signature_b64:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def head_statement(device_id: str, seq: int, digest: str, at: datetime) -> bytes:
    """What a device signs for an audit head (domain-separated, canonical)."""
    body = {"device_id": device_id, "seq": seq, "hash": digest, "at": at.isoformat()}
    return _HEAD_CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def signature_statement(
    *,
    record_type: str,
    record_id: str,
    record_version: int,
    content_sha256: str,
    role: str,
    signer_name: str,
    signed_at: datetime,
    image_sha256: str,
    device_id: str,
) -> bytes:
    """What a device seals for a person's signature (see :mod:`app.integrity.seals`)."""
    body = {
        "record_type": record_type,
        "record_id": record_id,
        "version": record_version,
        "content_sha256": content_sha256,
        "role": role,
        "signer_name": signer_name,
        "signed_at": signed_at.isoformat(),
        "image_sha256": image_sha256,
        "device_id": device_id,
    }
    return _SIGNATURE_CONTEXT + canonical.dumps(body)


@dataclass(frozen=True)
class SignedHead:
    device_id: str
    seq: int
    hash: str
    at: datetime
    sig: str

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.isoformat(),
            "sig": self.sig,
        }

    @classmethod
    def from_json(cls, doc: Any) -> SignedHead | None:
        """The head in ``doc``, or ``None`` if ``doc`` is not a well-formed head."""
        try:
            return cls(
                str(doc["device_id"]),
                int(doc["seq"]),
                str(doc["hash"]),
                datetime.fromisoformat(str(doc["at"])),
                str(doc["sig"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def valid_under(self, public_key_b64: str) -> bool:
        message = head_statement(self.device_id, self.seq, self.hash, self.at)
        return verify(public_key_b64, message, self.sig)


@dataclass
class DeviceKey:
    """This laptop's key for one store; made by :func:`load_or_create`."""

    device_id: str
    private: Ed25519PrivateKey = field(repr=False)
    secrets: SecretStore = field(repr=False)
    #: the store does not reach the head remembered outside it (see module docstring)
    rolled_back: bool = False
    #: whether ``rolled_back`` was determined (by the first flush that used the key)
    head_checked: bool = False

    @property
    def public_key(self) -> str:
        return public_b64(self.private.public_key())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()

    def sign_head(self, seq: int, digest: str, at: datetime) -> SignedHead:
        sig = self.sign(head_statement(self.device_id, seq, digest, at))
        return SignedHead(self.device_id, seq, digest, at, sig)

    def outside_head(self) -> SignedHead | None:
        """The latest head remembered beside the key, if any."""
        text = self.secrets.get(head_secret_name(self.device_id))
        if not text:
            return None
        try:
            return SignedHead.from_json(json.loads(text))
        except ValueError:
            return None

    def remember_head(self, head: SignedHead) -> None:
        """Keep ``head`` outside the store, unless the store was found rolled back."""
        if not self.rolled_back:
            self.secrets.set(head_secret_name(self.device_id), json.dumps(head.as_json()))

    def reset_outside_head(self, head: SignedHead | None) -> None:
        """After a restore the user asked for: the restored store's head is the reference."""
        self.rolled_back = False
        self.head_checked = True
        if head is None:
            self.secrets.delete(head_secret_name(self.device_id))
        else:
            self.remember_head(head)


def device_file(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / DEVICE_FILE


def recorded_device_id(folder: str | os.PathLike[str]) -> str | None:
    """The device id ``device.json`` names, or ``None`` (no file, or not readable)."""
    try:
        doc = json.loads(device_file(folder).read_bytes())
        value = uuid.UUID(str(doc["device_id"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(value) if doc.get("format") == FILE_FORMAT else None


def default_label() -> str:
    """A human hint for the device list: the computer's name."""
    try:
        return socket.gethostname()[:128]
    except OSError:
        return ""


def peek(folder: str | os.PathLike[str], secrets: SecretStore) -> DeviceKey | None:
    """This laptop's key for the store in ``folder`` if it has one; creates nothing."""
    device_id = recorded_device_id(folder)
    if device_id is None or not secrets.get(key_secret_name(device_id)):
        return None
    return load_or_create(folder, secrets)[0]


def latest_head(session: Any) -> SignedHead | None:
    """The head signed last in a store (what packs and backups carry).

    Each device numbers its own chain (revision 0009), so the latest by signing
    time, not the highest number: the head of the laptop that wrote last.
    """
    from sqlalchemy import select

    from db.models import AuditHead

    latest = select(AuditHead).order_by(AuditHead.at.desc(), AuditHead.seq.desc()).limit(1)
    row = session.scalar(latest)
    return None if row is None else SignedHead(row.device_id, row.seq, row.hash, row.at, row.sig)


def head_problem(session: Any, head: SignedHead, devices: dict[str, str], source: str) -> str:
    """What is wrong with a signed head against the store's chain ("" when nothing).

    ``devices`` maps device ids to public keys; ``source`` says where the head
    comes from (「数据库中」, 「本机记得的」, 「备份 X 」…). One definition for the
    check (:mod:`app.records.integrity_check`) and for the guard that refuses to
    sign on over a damaged chain (:mod:`app.storage.guards`).
    """
    from sqlalchemy import select

    from db.models import AuditEntry

    public = devices.get(head.device_id)
    if public is None:
        return f"{source}的链头来自未知设备 {head.device_id[:8]}。"
    if not head.valid_under(public):
        return f"{source}的链头签名无效（被改动）。"
    stored = session.scalar(
        select(AuditEntry.hash).where(
            AuditEntry.device_id == head.device_id, AuditEntry.device_seq == head.seq
        )
    )
    if stored is None:
        # a head signed before revision 0009 over the one shared chain, which became the
        # chain of the device that wrote last: it still names its entry by number and hash
        stored = session.scalar(
            select(AuditEntry.hash).where(
                AuditEntry.device_seq == head.seq, AuditEntry.hash == head.hash
            )
        )
    if stored is None:
        return (
            f"{source}记录审计日志已有 {head.seq} 条（{head.at:%Y-%m-%d %H:%M}），"
            "数据库中却没有这么多：数据库被回退，或审计日志被截断。"
        )
    if stored != head.hash:
        return f"第 {head.seq} 条审计日志与{source}签名的链头不符：审计日志被改写。"
    return ""


def tail_problem(top_seq: int, last_seq: int, device: str = "") -> str:
    """Entries after the furthest signed head ("" when there are none)."""
    if last_seq > top_seq:
        return (
            f"{device}第 {top_seq + 1}–{last_seq} 条审计日志在最后一个签名链头之后，"
            "不是本应用写入的。"
        )
    return ""


def tail_problems(session: Any, heads: list[SignedHead]) -> list[str]:
    """Entries of each device's chain after its signed head, and entries of no chain.

    A chain without any head is reported too, unless no device has signed a
    head in the store yet; entries of no device (written before devices had
    keys) are expected only before the first device's entries.
    """
    from sqlalchemy import func, select

    from db.models import AuditEntry

    if not heads:
        return []
    top = {head.device_id: head.seq for head in heads}
    problems: list[str] = []
    chains = session.execute(
        select(
            AuditEntry.device_id,
            func.min(AuditEntry.seq),
            func.max(AuditEntry.seq),
            func.max(AuditEntry.device_seq),
        ).group_by(AuditEntry.device_id)
    ).all()
    several = len(chains) > 1
    signed_from = min(
        (first for device_id, first, *_ in chains if device_id is not None), default=0
    )
    for device_id, _first, last, last_device_seq in chains:
        if device_id is None:  # a chain from before devices precedes every device's entries
            if signed_from and last > signed_from:
                late = session.scalar(
                    select(func.min(AuditEntry.seq)).where(
                        AuditEntry.device_id.is_(None), AuditEntry.seq > signed_from
                    )
                )
                problems.append(tail_problem(late - 1, last))
        elif device_id in top:
            label = f"设备 {device_id[:8]} 的" if several else ""
            problems.append(tail_problem(top[device_id], last_device_seq, label))
        else:
            problems.append(f"设备 {device_id[:8]} 的审计日志没有签名的链头，不是本应用写入的。")
    return [p for p in problems if p]


def load_or_create(folder: str | os.PathLike[str], secrets: SecretStore) -> tuple[DeviceKey, bool]:
    """This laptop's key for the store in ``folder``, and whether it was just created."""
    device_id = recorded_device_id(folder)
    if device_id is not None:
        text = secrets.get(key_secret_name(device_id))
        if text:
            try:
                raw = base64.b64decode(text, validate=True)
                return DeviceKey(
                    device_id, Ed25519PrivateKey.from_private_bytes(raw), secrets
                ), False
            except (ValueError, binascii.Error):
                raise DeviceError(
                    f"本机的设备密钥已损坏（{secrets.location_description}），无法为记录签名。"
                ) from None
    device_id = str(uuid.uuid4())
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    secrets.set(key_secret_name(device_id), base64.b64encode(raw).decode())
    body = {"format": FILE_FORMAT, "device_id": device_id, "created": datetime.now().isoformat()}
    atomic_write_bytes(device_file(folder), json.dumps(body, indent=1).encode())
    return DeviceKey(device_id, private, secrets), True
