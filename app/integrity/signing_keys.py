"""Each person's Ed25519 signing key, the trust store, and signing exported files.

Keys
----
Every person (the ``--as`` name / the window's user) has one Ed25519 key pair,
created at first use. The private key is a secret named
``signing/<person>/ed25519`` in the data folder's :class:`app.storage.secrets.SecretStore`
(OS keyring, or the passphrase file; every write is read back). The public key
is recorded in the store's ``signing_key`` table as the person's **own** key
and is trusted automatically. Colleagues' and the PM's public keys (minisign
``.pub`` files) are imported under a name and trusted explicitly
(``omw keys import FILE --name NAME --trust``); only trusted keys make a pack
verify. Trust changes go into the audit log like every other change. A name
that an own or trusted key already has (compared case-folded, NFKC, without
invisible characters: :func:`name_key`) is refused for another key, so a
signer's name always stands for one key; listings show the key id beside it.

Signing (for the export engineer)
---------------------------------
The signature format is minisign's (:mod:`app.integrity.minisign`), so a client can use
``minisign -Vm FILE -p KEY.pub`` as well as ``omw verify``.

- **A pack**: write every file, ``manifest.json`` and ``SHA256SUMS`` into the
  staging folder as now, then, *before* the folder is renamed into place and
  before the zip is closed::

      sig = sign_file(store, exporter, staging / "manifest.json")
      # -> staging / "manifest.json.minisig"; add its bytes to the zip beside
      #    the manifest as f"{plan.folder}/manifest.json.minisig"

  (or ``sign_bytes(store, exporter, manifest_body, file_name="manifest.json")``
  when the bytes are at hand, then ``write_atomic`` it and ``_zip_write`` the
  same bytes). ``manifest.json.minisig`` must not be listed in the manifest or
  in ``SHA256SUMS``; :func:`app.integrity.verify.verify_pack` expects exactly
  ``manifest.json``, ``manifest.json.minisig``, ``SHA256SUMS`` and the listed
  files (an empty folder or any other file is "extra"). Call it outside an open
  write session of the same store: the first call for a person writes the new
  public key (``own_public_key(store, exporter)`` at the start of an export
  creates it early and asks for the secret file's passphrase, if any, up front).
- **The pack zip as a whole** (optional, recommended): after the zip is
  renamed into place, ``sign_file(store, exporter, zip_final)`` writes
  ``<pack>.zip.minisig``; ``verify_pack`` then checks the zip byte for byte as
  well (the inner manifest signature does not cover zip metadata such as
  timestamps).
- **A single exported form**: after ``write_atomic(path, body)`` call
  ``sign_file(store, exporter, path)``; it writes ``<path>.minisig``
  atomically beside it (``form.docx`` → ``form.docx.minisig``).
- **The printed footer**: the code cannot be a hash of the file that contains
  it, so it is computed over the content the form stands for — the record's
  signed content hash (:func:`app.records.signing.content_hash`) when there is
  one, else ``document_digest(canonical content bytes)`` (what
  :func:`app.export.build` already hashes for ``verification_code``) — and the
  exporter's key id::

      key = own_public_key(store, exporter)           # creates the key at first use
      ctx.verification_code = verification_code(key.key_id, digest)   # "KD673-3F9A-07C2"

  Put the same code in the file's manifest entry (``verification_code``): the
  manifest is signed, so a paper copy is matched to its file through it.

``store_or_folder`` is an open :class:`app.storage.store.Store` (preferred while
exporting: no second open) or a data folder path. ``secrets`` may be passed to
reuse an unlocked secret store (the passphrase file asks only once).
Errors are :class:`SigningError` (a :class:`app.errors.DomainError`) in Chinese.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.integrity import minisign
from app.storage.atomic import atomic_write_bytes, os_reason
from app.storage.text_rules import lone_surrogate
from db.models import SigningKey

if TYPE_CHECKING:
    from app.storage.secrets import SecretStore
    from app.storage.store import Store

SECRET_FORMAT = "omw-signing-key/1"
SIGNATURE_SUFFIX = ".minisig"
MAX_NAME = 64


class SigningError(DomainError):
    """A key could not be created, found, imported or used; the message says why."""


@dataclass(frozen=True)
class TrustedKey:
    """A public key with the name it is known under (what verification accepts)."""

    public: minisign.PublicKey
    name: str
    own: bool = False
    trusted: bool = True

    @property
    def key_id(self) -> str:
        return self.public.key_id


# --------------------------------------------------------------------------- names


def person_name(name: str) -> str:
    """A signer's name, checked: not empty, one line, at most 64 characters.

    A lone surrogate (a broken paste, a mis-decoded argument) and control
    characters are refused: a key's name is an identity, nothing is dropped from it.
    """
    if not isinstance(name, str | None):
        raise SigningError("签名人姓名必须是文本。")
    cleaned = (name or "").strip()
    if not cleaned:
        raise SigningError("签名人姓名不能为空。")
    if lone_surrogate(cleaned) is not None:
        raise SigningError("签名人姓名中含有无效字符（常见于复制粘贴出错），请重新输入。")
    if len(cleaned) > MAX_NAME:
        raise SigningError(f"签名人姓名过长（最多 {MAX_NAME} 个字符）。")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise SigningError("签名人姓名不能包含控制字符。")
    return cleaned


def name_key(name: str) -> str:
    """How two key names are compared: NFKC, case-folded, without invisible format characters.

    ``"Zhang San"``, ``" zhang  san "`` and ``"ＺＨＡＮＧ ＳＡＮ"`` (full width) give
    the same key, and invisible format characters (a zero-width space, a
    direction mark) are ignored, so ``"张<U+200B>三"`` is ``"张三"``: a second key
    cannot pass for the first in a listing or a verification.
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())


def name_holder(session: Session, name: str, key_id: str) -> SigningKey | None:
    """Another key (not ``key_id``) that is own or trusted and has the same name, if any."""
    wanted = name_key(name)
    rows = session.scalars(select(SigningKey).where(SigningKey.key_id != key_id)).all()
    for row in sorted(rows, key=lambda r: (not r.own, r.key_id)):
        if (row.own or row.trusted) and name_key(row.name) == wanted:
            return row
    return None


def _distinct_name(session: Session, name: str, key_id: str, *, trusting: bool = False) -> None:
    """Refuse (:class:`SigningError`) a name another own or trusted key already has."""
    other = name_holder(session, name, key_id)
    if other is None:
        return
    whose = "本人的密钥" if other.own else "另一把受信任的公钥"
    how = (
        "请先用 omw keys import 公钥文件 --name 新名称 为它改名，再信任"
        if trusting
        else "请换一个能区分的名称再导入"
    )
    raise SigningError(
        f"{'无法信任' if trusting else '无法导入'}密钥 ID 为 {key_id} 的公钥："
        f"{whose}已使用姓名“{other.name}”（密钥 ID {other.key_id}），"
        f"同名的两把公钥在核验结果中难以区分。{how}，例如加上单位或用途：“{name}（项目经理）”。"
    )


def secret_name(person: str) -> str:
    """The secret store name of a person's private key."""
    return f"signing/{person_name(person)}/ed25519"


# --------------------------------------------------------------------------- store access


def _folder_of(store_or_folder: Any) -> Path:
    folder = getattr(store_or_folder, "folder", None)
    if folder is not None:
        return Path(folder)
    from app.storage import paths

    return paths.data_dir(store_or_folder)


@contextmanager
def _session(store_or_folder: Any, actor: str) -> Iterator[Session]:
    """A session of the given store, or of the folder's store opened for the call."""
    if hasattr(store_or_folder, "session"):
        with store_or_folder.session() as session:
            yield session
        return
    from app.storage.store import Store

    store = Store.open(store_or_folder, actor=actor)
    try:
        with store.session() as session:
            yield session
    finally:
        store.close()


def _secrets(store_or_folder: Any, secrets: SecretStore | None) -> SecretStore:
    if secrets is not None:
        return secrets
    if hasattr(store_or_folder, "secret_store"):  # an open Store: its (unlocked) secret store
        return store_or_folder.secret_store()
    from app.storage.secrets import open_secret_store

    return open_secret_store(_folder_of(store_or_folder))


def _encode_secret(key: minisign.SecretKey, person: str) -> str:
    import base64

    return json.dumps(
        {
            "format": SECRET_FORMAT,
            "person": person,
            "key_id": key.key_id,
            "keynum": key.keynum.hex(),
            "seed": base64.b64encode(key.seed).decode("ascii"),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        ensure_ascii=False,
    )


def _decode_secret(value: str, person: str) -> minisign.SecretKey:
    import base64
    import binascii

    try:
        doc = json.loads(value)
        if doc.get("format") != SECRET_FORMAT:
            raise ValueError
        keynum = bytes.fromhex(doc["keynum"])
        seed = base64.b64decode(doc["seed"], validate=True)
        if len(keynum) != minisign.KEYNUM_BYTES or len(seed) != minisign.SEED_BYTES:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise SigningError(f"{person} 的签名私钥已损坏，无法使用。") from None
    return minisign.SecretKey(keynum, seed)


def _register_own(session: Session, public: minisign.PublicKey, person: str) -> SigningKey:
    row = session.scalar(select(SigningKey).where(SigningKey.key_id == public.key_id))
    if row is None:
        row = SigningKey(
            key_id=public.key_id,
            public_key=public.line(),
            name=person,
            own=True,
            trusted=True,
            source="本机生成",
        )
        session.add(row)
        session.flush()
    elif row.public_key != public.line():
        raise SigningError(
            f"密钥 ID {public.key_id} 已被另一把公钥占用，无法登记 {person} 的密钥。"
        )
    elif not row.own:
        row.own, row.name = True, person
        session.flush()
    return row


def own_secret_key(
    store_or_folder: Store | str | os.PathLike[str],
    person: str,
    *,
    create: bool = True,
    secrets: SecretStore | None = None,
) -> minisign.SecretKey:
    """The person's private key, created (and its public key registered) at first use."""
    person = person_name(person)
    store_secrets = _secrets(store_or_folder, secrets)
    name = secret_name(person)
    value = store_secrets.get(name)
    if value is not None:
        key = _decode_secret(value, person)
        with _session(store_or_folder, person) as session:
            _register_own(session, key.public, person)
        return key
    if not create:
        raise SigningError(f"{person} 还没有签名密钥。")
    key = minisign.generate()
    store_secrets.set(name, _encode_secret(key, person))  # read back; raises if it did not stick
    with _session(store_or_folder, person) as session:
        _register_own(session, key.public, person)
    return key


def own_public_key(
    store_or_folder: Store | str | os.PathLike[str],
    person: str,
    *,
    secrets: SecretStore | None = None,
) -> minisign.PublicKey:
    """The person's public key (the key pair is created at first use)."""
    return own_secret_key(store_or_folder, person, secrets=secrets).public


# --------------------------------------------------------------------------- signing


def untrusted_comment(key_id: str) -> str:
    """The (unsigned, by minisign's design) first line of every signature the app writes.

    :func:`app.integrity.verify.verify_pack` insists on exactly this line for signatures
    whose trusted comment names a ``signer:``, so no byte of them goes unchecked.
    """
    return f"signature from OM Workbench key {key_id}"


def _trusted_comment(signer: str, file_name: str, timestamp: int) -> str:
    clean = re.sub(r"[\t\r\n]", " ", signer)
    name = re.sub(r"[\t\r\n]", " ", Path(file_name).name) if file_name else ""
    return f"timestamp:{timestamp}\tfile:{name}\thashed\tsigner:{clean}"


def sign_file(
    store_or_folder: Store | str | os.PathLike[str],
    signer_name: str,
    path: str | os.PathLike[str],
    *,
    secrets: SecretStore | None = None,
    timestamp: int | None = None,
) -> Path:
    """Sign the file at ``path``; write ``<path>.minisig`` atomically and return its path.

    The file is hashed in chunks (BLAKE2b-512, minisign's prehashed ``ED``
    signature), so large files are fine.
    """
    target = Path(path)
    try:
        digest = minisign.blake2b_file(target)
    except OSError as exc:
        raise SigningError(f"无法读取要签名的文件 {target}：{os_reason(exc)}") from None
    key = own_secret_key(store_or_folder, signer_name, secrets=secrets)
    signature = minisign.sign_digest(
        key,
        digest,
        trusted_comment=_trusted_comment(
            person_name(signer_name), target.name, int(timestamp or time.time())
        ),
        untrusted_comment=untrusted_comment(key.key_id),
    )
    out = target.with_name(target.name + SIGNATURE_SUFFIX)
    atomic_write_bytes(out, signature.file_text().encode("utf-8"))
    return out


def document_digest(data: bytes) -> str:
    """The SHA-256 (hex) of a document's bytes or canonical content."""
    return hashlib.sha256(bytes(data)).hexdigest()


def verification_code(key_id: str, digest: str | bytes) -> str:
    """A short code for a printed footer: ``K`` + key id prefix, then the digest prefix.

    ``verification_code("D673AD8D091A79DE", "3f9a07c2…")`` → ``"KD673-3F9A-07C2"``.
    ``digest`` is a SHA-256 hex string (or its raw bytes). The code identifies,
    it does not prove: the proof is the signed manifest/``.minisig``.
    """
    kid = (key_id or "").strip().upper()
    hexdigest = digest.hex() if isinstance(digest, bytes | bytearray) else str(digest).strip()
    if not re.fullmatch(r"[0-9A-F]{4,}", kid):
        raise SigningError(f"密钥 ID 格式不对：“{kid[:40]}”。")
    if not re.fullmatch(r"[0-9a-fA-F]{8,}", hexdigest):
        raise SigningError("文档摘要应为十六进制的 SHA-256 值。")
    head = hexdigest[:8].upper()
    return f"K{kid[:4]}-{head[:4]}-{head[4:8]}"


# --------------------------------------------------------------------------- the trust store


def _as_trusted(row: SigningKey) -> TrustedKey:
    return TrustedKey(minisign.parse_public_key(row.public_key), row.name, row.own, row.trusted)


def list_keys(session: Session) -> list[SigningKey]:
    """Every known key: own keys first, then by name."""
    rows = session.scalars(select(SigningKey)).all()
    return sorted(rows, key=lambda r: (not r.own, r.name, r.key_id))


def known_keys(session: Session) -> list[TrustedKey]:
    """Every known key (``trusted`` says which ones verification accepts)."""
    return [_as_trusted(r) for r in list_keys(session)]


def trusted_keys(session: Session) -> list[TrustedKey]:
    return [k for k in known_keys(session) if k.trusted]


def find_key(session: Session, key_id: str) -> SigningKey:
    """A key by its id, or by an unambiguous prefix of at least 4 characters."""
    text = (key_id or "").strip().upper()
    if not re.fullmatch(r"[0-9A-F]{4,16}", text):
        raise SigningError(f"密钥 ID 应为 4 到 16 位十六进制数字：“{text[:40]}”。")
    rows = [r for r in session.scalars(select(SigningKey)).all() if r.key_id.startswith(text)]
    if not rows:
        raise SigningError(f"没有 ID 为 {text} 的公钥。先用 omw keys import 导入。")
    if len(rows) > 1:
        ids = "、".join(r.key_id for r in rows)
        raise SigningError(f"密钥 ID {text} 对应多把公钥（{ids}），请写完整的 ID。")
    return rows[0]


def import_public_key(
    session: Session,
    data: str | bytes,
    name: str,
    *,
    trust: bool = False,
    source: str = "",
) -> SigningKey:
    """Record a colleague's or the PM's public key (a minisign ``.pub``) under ``name``.

    A key already known keeps its trust unless ``trust`` is given (importing it
    again under another name renames it); the same key id with a different key
    is refused (a collision or a forgery), and so is a name that another own or
    trusted key already has (compared by :func:`name_key`): two keys under one
    name could not be told apart where signers are shown.
    """
    public = minisign.parse_public_key(data)
    person = person_name(name)
    row = session.scalar(select(SigningKey).where(SigningKey.key_id == public.key_id))
    if row is not None:
        if row.public_key != public.line():
            raise SigningError(
                f"已有 ID 为 {public.key_id} 的另一把公钥（{row.name}）；"
                "两把不同的公钥不能共用一个 ID，已拒绝导入。请向对方核实。"
            )
        if row.own:
            return row
        _distinct_name(session, person, row.key_id)
        row.name = person
        if trust:
            row.trusted = True
        session.flush()
        return row
    _distinct_name(session, person, public.key_id)
    row = SigningKey(
        key_id=public.key_id,
        public_key=public.line(),
        name=person,
        own=False,
        trusted=trust,
        source=source[:500],
    )
    session.add(row)
    session.flush()
    return row


def set_trusted(session: Session, key_id: str, trusted: bool) -> SigningKey:
    """Trust or distrust a key; trusting one whose name an own or trusted key has is refused."""
    row = find_key(session, key_id)
    if trusted and not row.trusted:
        _distinct_name(session, row.name, row.key_id, trusting=True)
    if row.trusted != trusted:
        row.trusted = trusted
        session.flush()
    return row


def load_public_key_file(path: str | os.PathLike[str], name: str = "") -> TrustedKey:
    """A public key file given on the command line (``omw verify --key``), trusted for that run."""
    file = Path(path)
    try:
        if file.stat().st_size > minisign.MAX_KEY_FILE_BYTES:
            raise SigningError(f"{file} 不是公钥文件（过大）。")
        data = file.read_bytes()
    except OSError as exc:
        raise SigningError(f"无法读取公钥文件 {file}：{os_reason(exc)}") from None
    public = minisign.parse_public_key(data)
    return TrustedKey(public, name or f"{file.name}（命令行指定）", own=False, trusted=True)
