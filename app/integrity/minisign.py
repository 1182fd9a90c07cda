"""minisign-compatible Ed25519 keys and signatures, in pure Python.

The formats are exactly those of `minisign <https://jedisct1.github.io/minisign/>`_
(0.8 and later), so a client can check what the app signs with the standard
tool (``minisign -Vm FILE -p KEY.pub``) as well as with ``omw verify``.

Public key file (``.pub``)::

    untrusted comment: <text>
    base64("Ed" || keynum[8] || public_key[32])

Signature file (``FILE.minisig``)::

    untrusted comment: <text>
    base64("ED" || keynum[8] || Ed25519(BLAKE2b-512(FILE))[64])
    trusted comment: <text>
    base64(Ed25519(signature[64] || trusted comment)[64])

``"ED"`` (the file is pre-hashed with BLAKE2b-512) is minisign's default since
0.8 and what :func:`sign` writes; the legacy ``"Ed"`` (the signature is over
the file itself) is still verified. The *trusted comment* is covered by the
second ("global") signature; the *untrusted comment* lines are not signed by
design and are never shown as facts.

The *key id* is the 8-byte ``keynum`` as minisign prints it: the hexadecimal
little-endian 64-bit number, upper case (``D673AD8D091A79DE``).

Secret key file (optional export, :func:`secret_key_file`)::

    untrusted comment: <text>
    base64("Ed" || kdf "Sc"|"\\0\\0" || "B2" || salt[32] || opslimit[8] || memlimit[8]
           || (keynum[8] || seed[32] || public_key[32] || BLAKE2b-256 check[32]) XOR scrypt stream)

The scrypt parameters are derived from ``opslimit``/``memlimit`` exactly like
libsodium's ``crypto_pwhash_scryptsalsa208sha256`` (:func:`scrypt_params`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets as _random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.errors import DomainError

ALG_ED25519 = b"Ed"  # keys, and legacy signatures over the whole file
ALG_HASHED = b"ED"  # signatures over BLAKE2b-512(file), the default since minisign 0.8
KDF_SCRYPT = b"Sc"
KDF_NONE = b"\x00\x00"
CHK_BLAKE2B = b"B2"
KEYNUM_BYTES = 8
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
SIGNATURE_BYTES = 64
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
#: minisign's own limits on comment lengths (bytes, without the prefix)
COMMENT_MAX_BYTES = 1024
TRUSTED_COMMENT_MAX_BYTES = 8192
#: no signature or key file is larger than this
MAX_SIGNATURE_FILE_BYTES = 16 * 1024
MAX_KEY_FILE_BYTES = 8 * 1024
#: legacy ("Ed") signatures need the whole file in memory
MAX_LEGACY_SIGNED_BYTES = 64 * 1024 * 1024
#: scrypt cost of an exported secret key: N=2^17, r=8, p=1 (128 MiB, well under a second)
EXPORT_OPSLIMIT = 2**22
EXPORT_MEMLIMIT = 2**28
#: refuse to derive from key files that ask for more than this (a hostile file could ask for TBs)
MAX_SCRYPT_MEMORY = 2**31
_CHUNK = 1024 * 1024


class MinisignError(DomainError):
    """A key or signature is malformed, or a signature does not verify."""


def key_id_of(keynum: bytes) -> str:
    """The key id of a ``keynum`` as minisign prints it (``D673AD8D091A79DE``)."""
    return keynum[::-1].hex().upper()


def keynum_of(key_id: str) -> bytes:
    """The 8-byte ``keynum`` of a printed key id (the reverse of :func:`key_id_of`)."""
    text = (key_id or "").strip()
    if len(text) != 2 * KEYNUM_BYTES:
        raise MinisignError(f"密钥 ID 应为 16 位十六进制数字：“{text[:40]}”。")
    try:
        return bytes.fromhex(text)[::-1]
    except ValueError:
        raise MinisignError(f"密钥 ID 应为 16 位十六进制数字：“{text[:40]}”。") from None


def _clean_comment(text: str, limit: int) -> str:
    """A comment on one line: control characters become spaces, cut to ``limit`` bytes."""
    cleaned = "".join(" " if (ord(ch) < 32 and ch != "\t") or ord(ch) == 127 else ch for ch in text)
    data = cleaned.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def _b64decode(line: str, what: str) -> bytes:
    try:
        return base64.b64decode(line.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise MinisignError(f"{what}不是有效的 base64 编码。") from None


def _text_lines(data: str | bytes, what: str, limit: int) -> list[str]:
    if isinstance(data, bytes | bytearray):
        if len(data) > limit:
            raise MinisignError(f"{what}过大（{len(data)} 字节），不是 minisign 文件。")
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise MinisignError(f"{what}不是 UTF-8 文本。") from None
    else:
        text = data
        if len(text) > limit:
            raise MinisignError(f"{what}过大，不是 minisign 文件。")
    if text.startswith("\ufeff"):
        text = text[1:]
    return [line.rstrip("\r") for line in text.split("\n")]


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class PublicKey:
    keynum: bytes
    key: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.keynum)

    def line(self) -> str:
        """The base64 line (what ``minisign -P`` takes)."""
        return base64.b64encode(ALG_ED25519 + self.keynum + self.key).decode("ascii")

    def file_text(self, comment: str | None = None) -> str:
        """The content of a ``.pub`` file."""
        comment = _clean_comment(comment or f"minisign public key {self.key_id}", COMMENT_MAX_BYTES)
        return f"{UNTRUSTED_PREFIX}{comment}\n{self.line()}\n"

    def _verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.key)


@dataclass(frozen=True)
class SecretKey:
    keynum: bytes
    seed: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.keynum)

    @property
    def public(self) -> PublicKey:
        raw = self._signer().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKey(self.keynum, raw)

    def _signer(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def generate() -> SecretKey:
    """A fresh key pair with a random key id."""
    return SecretKey(_random.token_bytes(KEYNUM_BYTES), _random.token_bytes(SEED_BYTES))


def parse_public_key(data: str | bytes) -> PublicKey:
    """A public key from a ``.pub`` file's content, or from its base64 line alone."""
    lines = [line for line in _text_lines(data, "公钥文件", MAX_KEY_FILE_BYTES) if line.strip()]
    if lines and lines[0].startswith(UNTRUSTED_PREFIX):
        lines = lines[1:]
    if not lines:
        raise MinisignError("公钥文件中没有公钥。")
    raw = _b64decode(lines[0].strip(), "公钥")
    if len(raw) != 2 + KEYNUM_BYTES + PUBLIC_KEY_BYTES or raw[:2] != ALG_ED25519:
        raise MinisignError("不是 minisign 的 Ed25519 公钥（长度或算法不符）。")
    return PublicKey(raw[2 : 2 + KEYNUM_BYTES], raw[2 + KEYNUM_BYTES :])


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Signature:
    algorithm: bytes  # ALG_HASHED or ALG_ED25519 (legacy)
    keynum: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes
    untrusted_comment: str = ""

    @property
    def key_id(self) -> str:
        return key_id_of(self.keynum)

    @property
    def prehashed(self) -> bool:
        return self.algorithm == ALG_HASHED

    def file_text(self) -> str:
        line = base64.b64encode(self.algorithm + self.keynum + self.signature).decode("ascii")
        glob = base64.b64encode(self.global_signature).decode("ascii")
        return (
            f"{UNTRUSTED_PREFIX}{self.untrusted_comment}\n{line}\n"
            f"{TRUSTED_PREFIX}{self.trusted_comment}\n{glob}\n"
        )


def parse_signature(data: str | bytes) -> Signature:
    """A ``.minisig`` file's content; malformed or truncated files raise :class:`MinisignError`."""
    lines = _text_lines(data, "签名文件", MAX_SIGNATURE_FILE_BYTES)
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 4:
        raise MinisignError("签名文件不完整（应有 4 行），可能被截断。")
    if len(lines) > 4:
        raise MinisignError("签名文件有多余的内容。")
    untrusted, sig_line, trusted, glob_line = lines
    if not untrusted.startswith(UNTRUSTED_PREFIX):
        raise MinisignError("签名文件第 1 行应以 “untrusted comment: ” 开头。")
    raw = _b64decode(sig_line, "签名")
    if len(raw) != 2 + KEYNUM_BYTES + SIGNATURE_BYTES:
        raise MinisignError("签名长度不对，签名文件可能被截断或改动。")
    algorithm = raw[:2]
    if algorithm not in (ALG_HASHED, ALG_ED25519):
        raise MinisignError("不支持的签名算法（不是 minisign 的 Ed25519 签名）。")
    if not trusted.startswith(TRUSTED_PREFIX):
        raise MinisignError("签名文件第 3 行应以 “trusted comment: ” 开头。")
    comment = trusted[len(TRUSTED_PREFIX) :]
    if len(comment.encode("utf-8")) > TRUSTED_COMMENT_MAX_BYTES:
        raise MinisignError("签名文件的可信注释过长。")
    glob = _b64decode(glob_line, "注释签名")
    if len(glob) != SIGNATURE_BYTES:
        raise MinisignError("注释签名长度不对，签名文件可能被截断或改动。")
    return Signature(
        algorithm=algorithm,
        keynum=raw[2 : 2 + KEYNUM_BYTES],
        signature=raw[2 + KEYNUM_BYTES :],
        trusted_comment=comment,
        global_signature=glob,
        untrusted_comment=untrusted[len(UNTRUSTED_PREFIX) :],
    )


def blake2b_digest(data: bytes) -> bytes:
    """The BLAKE2b-512 digest that ``"ED"`` signatures sign."""
    return hashlib.blake2b(data, digest_size=64).digest()


def blake2b_file(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """BLAKE2b-512 of a file, read in chunks (``limit``: refuse larger files)."""
    h = hashlib.blake2b(digest_size=64)
    read = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            read += len(chunk)
            if limit is not None and read > limit:
                raise MinisignError("文件过大，无法核验。")
            h.update(chunk)
    return h.digest()


def sign_digest(
    secret: SecretKey,
    digest: bytes,
    *,
    trusted_comment: str,
    untrusted_comment: str = "signature from minisign secret key",
) -> Signature:
    """A prehashed (``"ED"``) signature of a BLAKE2b-512 ``digest`` (see :func:`blake2b_file`)."""
    if len(digest) != 64:
        raise ValueError("digest must be BLAKE2b-512 (64 bytes)")
    trusted = _clean_comment(trusted_comment, TRUSTED_COMMENT_MAX_BYTES)
    signer = secret._signer()
    sig = signer.sign(digest)
    glob = signer.sign(sig + trusted.encode("utf-8"))
    return Signature(
        ALG_HASHED,
        secret.keynum,
        sig,
        trusted,
        glob,
        _clean_comment(untrusted_comment, COMMENT_MAX_BYTES),
    )


def sign(
    secret: SecretKey,
    data: bytes,
    *,
    trusted_comment: str,
    untrusted_comment: str = "signature from minisign secret key",
) -> Signature:
    """A prehashed (``"ED"``) signature of ``data``; ``.file_text()`` is the ``.minisig``."""
    return sign_digest(
        secret,
        blake2b_digest(data),
        trusted_comment=trusted_comment,
        untrusted_comment=untrusted_comment,
    )


def verify(
    public: PublicKey,
    signature: Signature,
    *,
    data: bytes | None = None,
    digest: bytes | None = None,
) -> None:
    """Check ``signature`` over ``data`` (or its BLAKE2b-512 ``digest``) and its trusted comment.

    Raises :class:`MinisignError` with a Chinese message when the key id does
    not match, the signature is wrong (the file was changed) or the trusted
    comment was changed.
    """
    if signature.keynum != public.keynum:
        raise MinisignError(
            f"签名使用的密钥 {signature.key_id} 与公钥 {public.key_id} 不符（用错了公钥）。"
        )
    if signature.prehashed:
        message = digest if digest is not None else blake2b_digest(data or b"")
    else:
        if data is None:
            raise MinisignError("旧格式签名（Ed）需要完整的文件内容。")
        message = data
    verifier = public._verifier()
    try:
        verifier.verify(signature.signature, message)
    except InvalidSignature:
        raise MinisignError(
            "签名无效：文件内容与签名不符（文件被改动，或签名不属于此文件）。"
        ) from None
    try:
        verifier.verify(
            signature.global_signature,
            signature.signature + signature.trusted_comment.encode("utf-8"),
        )
    except InvalidSignature:
        raise MinisignError("可信注释的签名无效：签名文件中的可信注释被改动。") from None


def verify_file(
    public: PublicKey, signature: Signature, path: str | os.PathLike[str], limit: int | None = None
) -> None:
    """:func:`verify` for a file on disk, read in chunks (legacy signatures: whole file)."""
    if signature.prehashed:
        verify(public, signature, digest=blake2b_file(path, limit))
        return
    size = Path(path).stat().st_size
    if size > min(limit or MAX_LEGACY_SIGNED_BYTES, MAX_LEGACY_SIGNED_BYTES):
        raise MinisignError("旧格式签名（Ed）的文件过大，无法核验。")
    verify(public, signature, data=Path(path).read_bytes())


def trusted_fields(comment: str) -> dict[str, str]:
    """``key:value`` fields of a tab-separated trusted comment (minisign's own style)."""
    fields: dict[str, str] = {}
    for part in comment.split("\t"):
        key, sep, value = part.partition(":")
        if sep and key and key not in fields:
            fields[key] = value
    return fields


# --------------------------------------------------------------------------- secret key files


def scrypt_params(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """``(N, r, p)`` of libsodium's ``crypto_pwhash_scryptsalsa208sha256`` for the limits."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
        n_log2 = 1
        while n_log2 < 63 and (1 << n_log2) <= max_n // 2:
            n_log2 += 1
    else:
        max_n = memlimit // (r * 128)
        n_log2 = 1
        while n_log2 < 63 and (1 << n_log2) <= max_n // 2:
            n_log2 += 1
        max_rp = min((opslimit // 4) // (1 << n_log2), 0x3FFFFFFF)
        p = max(max_rp // r, 1)
    return 1 << n_log2, r, p


def _secret_check(keynum: bytes, seed: bytes, public: bytes) -> bytes:
    return hashlib.blake2b(ALG_ED25519 + keynum + seed + public, digest_size=32).digest()


def _scrypt_stream(password: str, salt: bytes, opslimit: int, memlimit: int, length: int) -> bytes:
    n, r, p = scrypt_params(opslimit, memlimit)
    if 128 * n * r * p > MAX_SCRYPT_MEMORY:
        raise MinisignError("密钥文件要求的口令派生参数过大，已拒绝。")
    return Scrypt(salt=salt, length=length, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def secret_key_file(
    secret: SecretKey,
    password: str | None,
    comment: str = "minisign encrypted secret key",
    *,
    opslimit: int = EXPORT_OPSLIMIT,
    memlimit: int = EXPORT_MEMLIMIT,
) -> str:
    """A minisign secret key file; encrypted with ``password`` (``None``: unencrypted)."""
    public = secret.public.key
    plain = secret.keynum + secret.seed + public
    plain += _secret_check(secret.keynum, secret.seed, public)
    if password is None:
        kdf, salt, ops, mem, body = KDF_NONE, bytes(32), 0, 0, plain
    else:
        kdf, salt, ops, mem = KDF_SCRYPT, _random.token_bytes(32), opslimit, memlimit
        body = _xor(plain, _scrypt_stream(password, salt, ops, mem, len(plain)))
    raw = (
        ALG_ED25519
        + kdf
        + CHK_BLAKE2B
        + salt
        + ops.to_bytes(8, "little")
        + mem.to_bytes(8, "little")
        + body
    )
    text = base64.b64encode(raw).decode("ascii")
    return f"{UNTRUSTED_PREFIX}{_clean_comment(comment, COMMENT_MAX_BYTES)}\n{text}\n"


def parse_secret_key(data: str | bytes, password: str | None = None) -> SecretKey:
    """A secret key from a minisign secret key file (encrypted ones need ``password``)."""
    lines = [line for line in _text_lines(data, "私钥文件", MAX_KEY_FILE_BYTES) if line.strip()]
    if len(lines) < 2 or not lines[0].startswith(UNTRUSTED_PREFIX):
        raise MinisignError("不是 minisign 私钥文件。")
    raw = _b64decode(lines[1].strip(), "私钥")
    if len(raw) != 158 or raw[:2] != ALG_ED25519 or raw[4:6] != CHK_BLAKE2B:
        raise MinisignError("不是 minisign 的 Ed25519 私钥（长度或算法不符）。")
    kdf, salt = raw[2:4], raw[6:38]
    ops = int.from_bytes(raw[38:46], "little")
    mem = int.from_bytes(raw[46:54], "little")
    body = raw[54:]
    if kdf == KDF_SCRYPT:
        if not password:
            raise MinisignError("该私钥文件有口令保护，请提供口令。")
        body = _xor(body, _scrypt_stream(password, salt, ops, mem, len(body)))
    elif kdf != KDF_NONE:
        raise MinisignError("不支持的私钥加密方式。")
    keynum, sk, check = body[:8], body[8:72], body[72:]
    seed, public = sk[:32], sk[32:]
    secret = SecretKey(keynum, seed)
    if secret.public.key != public:
        raise MinisignError("私钥无法解开：口令错误，或文件已损坏。")
    if kdf == KDF_SCRYPT and check != _secret_check(keynum, seed, public):
        raise MinisignError("私钥校验和不符：口令错误，或文件已损坏。")
    return secret


def find_key(keys: Iterable[PublicKey], key_id: str) -> PublicKey | None:
    return next((k for k in keys if k.key_id == key_id.upper()), None)
