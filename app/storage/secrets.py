"""Where secrets live: the OS keyring when it really works, else a passphrase file.

A *secret* is a short text (the store's recovery key, a private signing key…)
under a name. :func:`open_secret_store` returns a :class:`SecretStore`:

- **OS keyring** (Windows 凭据管理器, macOS 钥匙串, Secret Service/KWallet on
  Linux) through ``keyring`` — only after a write-then-read-then-delete probe
  succeeds. The null and fail backends, and a chainer with no usable backend,
  are refused: they would silently drop a secret.
- otherwise an **encrypted file** ``<data folder>/omw-secrets.json``: scrypt
  derives a key from the user's passphrase, AES-256-GCM seals the whole set of
  secrets. The passphrase comes from :func:`set_passphrase_provider` (the
  window shows a dialog, the ``omw`` command asks in the terminal) or the
  environment variable ``OMW_PASSPHRASE``.

Every ``set`` is read back and compared; a secret that did not stick raises
:class:`SecretError`, it is never dropped silently. ``location_description``
tells the user, in Chinese, where the secrets are.

A lost secret must not mean lost data: the store key is derived from a
**recovery key** (:func:`new_recovery_key`) that is shown and exported at setup;
it alone unlocks the store and its backups (see :mod:`app.storage.crypto_store`).

The environment variable ``OMW_SECRET_STORE=file`` forces the file even when
a keyring works (``keyring`` forces the keyring and fails if it does not work).

Frozen (PyInstaller) builds: ``keyring`` finds its backends through entry
points, which a bundle does not have unless the metadata is copied, so
``build.spec`` needs::

    from PyInstaller.utils.hooks import copy_metadata
    datas += copy_metadata("keyring")
    hiddenimports += [
        "keyring.backends.Windows", "keyring.backends.macOS",
        "keyring.backends.SecretService", "keyring.backends.kwallet",
        "keyring.backends.libsecret", "keyring.backends.chainer",
        "keyring.backends.fail", "keyring.backends.null",
        "win32ctypes.core",                       # Windows backend (pywin32-ctypes)
        "secretstorage", "jeepney",               # Linux Secret Service
        "sqlcipher3", "sqlcipher3.dbapi2",        # encrypted store driver
    ]

and, as a second line of defence, :func:`_platform_backends` imports the
platform's backend by name when entry-point discovery finds nothing.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import secrets as _random
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.errors import DomainError
from app.storage.atomic import atomic_write_bytes, os_reason
from app.storage.passphrase import (  # noqa: F401  (re-exported)
    PassphraseProvider,
    passphrase_provider,
    set_passphrase_provider,
)

SERVICE = "OMWorkbench"
SECRETS_FILENAME = "omw-secrets.json"
ENV_PASSPHRASE = "OMW_PASSPHRASE"
ENV_SECRET_STORE = "OMW_SECRET_STORE"
MIN_PASSPHRASE = 8
FILE_FORMAT = "omw-secrets"
FILE_VERSION = 1
_AAD = b"omw-secrets-v1"
#: scrypt cost for the passphrase file: ~60 ms and 32 MiB per unlock.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1

UNLOCK_HINT = "如密钥丢失，可用恢复密钥解锁：omw key unlock --recovery-file 恢复密钥文件"


class SecretError(DomainError):
    """A secret could not be stored or read; the message says why and where."""


class NoPassphraseError(SecretError):
    """The passphrase of the secret file was needed but not given (the user cancelled)."""


# --------------------------------------------------------------------------- passphrases


def _ask_passphrase(prompt: str, new: bool, given: str | PassphraseProvider | None) -> str:
    if isinstance(given, str):
        value: str | None = given
    elif given is not None:
        value = given(prompt, new)
    elif os.environ.get(ENV_PASSPHRASE):
        value = os.environ[ENV_PASSPHRASE]
    elif (provider := passphrase_provider()) is not None:
        value = provider(prompt, new)
    else:
        value = None
    if not value:
        raise NoPassphraseError(
            "需要密钥文件的口令，但没有提供。请在终端中运行（会提示输入），"
            f"或设置环境变量 {ENV_PASSPHRASE}。"
        )
    if new and len(value) < MIN_PASSPHRASE:
        raise SecretError(f"口令至少 {MIN_PASSPHRASE} 个字符。")
    return value


# --------------------------------------------------------------------------- recovery keys

RECOVERY_SECRET_BYTES = 20  # 160 bits
_RECOVERY_CHECK_BYTES = 5
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TYPO_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def _recovery_check(secret: bytes) -> bytes:
    return hashlib.sha256(b"omw-recovery-check" + secret).digest()[:_RECOVERY_CHECK_BYTES]


def new_recovery_key() -> str:
    """A fresh recovery key: 40 base32 characters in 10 groups of 4, with a checksum."""
    secret = _random.token_bytes(RECOVERY_SECRET_BYTES)
    text = base64.b32encode(secret + _recovery_check(secret)).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The secret of a recovery key typed by a person (case, spaces, dashes ignored)."""
    cleaned = re.sub(r"[\s\-_]", "", text or "").upper().translate(_TYPO_FIXES)
    expected = (RECOVERY_SECRET_BYTES + _RECOVERY_CHECK_BYTES) * 8 // 5
    if len(cleaned) != expected or any(ch not in _B32 for ch in cleaned):
        raise SecretError(
            f"恢复密钥格式不对：应为 {expected} 个字母和数字（A-Z、2-7），每 4 个一组。"
        )
    try:
        raw = base64.b32decode(cleaned)
    except binascii.Error:
        raise SecretError("恢复密钥格式不对。") from None
    secret, check = raw[:RECOVERY_SECRET_BYTES], raw[RECOVERY_SECRET_BYTES:]
    if _recovery_check(secret) != check:
        raise SecretError("恢复密钥校验不符，可能抄错了某个字符，请逐组核对。")
    return secret


def normalize_recovery_key(text: str) -> str:
    secret = parse_recovery_key(text)
    encoded = base64.b32encode(secret + _recovery_check(secret)).decode("ascii")
    return "-".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def store_key_from_recovery(text: str) -> bytes:
    """The 32-byte SQLCipher key of a store, derived from its recovery key."""
    secret = parse_recovery_key(text)
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"omw-store-key-v1", info=b"sqlcipher"
    ).derive(secret)


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key (safe to show and to write in summaries)."""
    return hashlib.sha256(b"omw-key-id" + key).hexdigest()[:16]


_RECOVERY_LINE = re.compile(r"\b([A-Z2-7]{4}(?:[-\s][A-Z2-7]{4}){9})\b")


def recovery_key_document(recovery_key: str, store_id: str, key_id_: str, created: str) -> str:
    """The text of a recovery-key export file."""
    return (
        "运维工作台 数据存储恢复密钥 / OM Workbench store recovery key\n"
        "==========================================================\n"
        f"数据存储 ID：{store_id}\n"
        f"密钥 ID：{key_id_}\n"
        f"生成时间：{created}\n"
        "\n"
        f"恢复密钥：{recovery_key}\n"
        "\n"
        "请离线妥善保管（例如打印后锁入文件柜），不要与电脑放在一起。\n"
        "任何持有此密钥的人都能解密该数据存储及其备份；丢失此密钥且系统钥匙串/密钥文件\n"
        "也丢失时，加密数据将无法恢复。\n"
        "使用方法：omw key unlock --recovery-file 本文件\n"
    )


def read_recovery_file(path: str | os.PathLike[str]) -> str:
    """The recovery key written in an export file (or a file holding just the key)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SecretError(f"无法读取恢复密钥文件 {path}：{os_reason(exc)}") from None
    match = _RECOVERY_LINE.search(text.upper())
    if match is None:
        raise SecretError(f"文件 {path} 中没有找到恢复密钥。")
    return normalize_recovery_key(match.group(1))


# --------------------------------------------------------------------------- the stores


class SecretStore:
    """Named secrets; see :func:`open_secret_store`."""

    kind: str = ""
    #: where the secrets are, in Chinese, for the window and the command line
    location_description: str = ""
    #: why the OS keyring is not used ("" when it is)
    fallback_reason: str = ""

    def get(self, name: str) -> str | None:
        raise NotImplementedError

    def set(self, name: str, value: str) -> None:
        raise NotImplementedError

    def delete(self, name: str) -> None:
        raise NotImplementedError


def _backend_label(backend: Any) -> str:
    module = type(backend).__module__
    for part, label in (
        ("Windows", "Windows 凭据管理器"),
        ("macOS", "macOS 钥匙串"),
        ("SecretService", "Secret Service（GNOME 密钥环等）"),
        ("libsecret", "libsecret（GNOME 密钥环等）"),
        ("kwallet", "KDE 钱包"),
    ):
        if part in module:
            return label
    return type(backend).__name__


class KeyringSecretStore(SecretStore):
    kind = "keyring"

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.location_description = f"系统钥匙串（{_backend_label(backend)}），服务名 {SERVICE}"

    def get(self, name: str) -> str | None:
        try:
            value = self.backend.get_password(SERVICE, name)
        except Exception as exc:
            raise SecretError(
                f"无法从{self.location_description}读取密钥：{exc}。{UNLOCK_HINT}"
            ) from None
        return value if isinstance(value, str) else None

    def set(self, name: str, value: str) -> None:
        try:
            self.backend.set_password(SERVICE, name, value)
            stored = self.backend.get_password(SERVICE, name)
        except Exception as exc:
            raise SecretError(f"无法把密钥保存到{self.location_description}：{exc}") from None
        if stored != value:
            raise SecretError(
                f"{self.location_description}没有保存住密钥（写入后读回不一致），"
                f"请改用加密文件保存（设置环境变量 {ENV_SECRET_STORE}=file）。"
            )

    def delete(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.backend.delete_password(SERVICE, name)


class FileSecretStore(SecretStore):
    """All secrets in one AES-GCM sealed JSON file, unlocked by a passphrase."""

    kind = "file"

    def __init__(
        self, path: Path, passphrase: str | PassphraseProvider | None = None, reason: str = ""
    ) -> None:
        self.path = path
        self._passphrase = passphrase
        self._key: bytes | None = None
        self._salt: bytes | None = None
        self._params: dict[str, int] = {}
        self._secrets: dict[str, str] | None = None
        self.fallback_reason = reason
        self.location_description = f"口令保护的加密文件 {path}"

    # -- file format

    def _damaged(self, detail: str) -> SecretError:
        return SecretError(f"密钥文件 {self.path} 已损坏（{detail}）。{UNLOCK_HINT}")

    def _load(self) -> dict[str, str]:
        if self._secrets is not None:
            return self._secrets
        if not self.path.exists():
            self._secrets = {}
            return self._secrets
        try:
            doc = json.loads(self.path.read_bytes())
            if doc.get("format") != FILE_FORMAT:
                raise self._damaged("不是运维工作台的密钥文件")
            if doc.get("version") != FILE_VERSION:
                raise self._damaged(f"未知的文件版本 {doc.get('version')!r}")
            kdf = doc["kdf"]
            params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
            if not (2 <= params["n"] <= 2**20 and 1 <= params["r"] <= 32 and 1 <= params["p"] <= 4):
                raise self._damaged("密钥派生参数超出范围")
            salt = base64.b64decode(kdf["salt"], validate=True)
            nonce = base64.b64decode(doc["nonce"], validate=True)
            sealed = base64.b64decode(doc["ciphertext"], validate=True)
        except SecretError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise self._damaged("内容无法解析") from None
        passphrase = _ask_passphrase(
            f"请输入密钥文件 {self.path.name} 的口令", False, self._passphrase
        )
        try:
            key = Scrypt(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))
        except ValueError:
            raise self._damaged("密钥派生参数无效") from None
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, _AAD)
        except InvalidTag:
            raise SecretError(
                f"无法解开密钥文件 {self.path}：口令错误，或文件已被改动。{UNLOCK_HINT}"
            ) from None
        try:
            data = json.loads(plain)["secrets"]
            if not isinstance(data, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise self._damaged("内容无法解析") from None
        self._key, self._salt, self._params = key, salt, params
        self._secrets = {str(k): str(v) for k, v in data.items()}
        return self._secrets

    def _save(self, secrets: dict[str, str]) -> None:
        if self._key is None or self._salt is None:
            passphrase = _ask_passphrase(
                f"请设置密钥文件 {self.path.name} 的口令（至少 {MIN_PASSPHRASE} 位）",
                True,
                self._passphrase,
            )
            self._salt = _random.token_bytes(16)
            self._params = {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
            self._key = Scrypt(salt=self._salt, length=32, **self._params).derive(
                passphrase.encode("utf-8")
            )
        nonce = _random.token_bytes(12)
        plain = json.dumps({"secrets": secrets}, ensure_ascii=False).encode("utf-8")
        doc = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "kdf": {
                "name": "scrypt",
                **self._params,
                "salt": base64.b64encode(self._salt).decode(),
            },
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(AESGCM(self._key).encrypt(nonce, plain, _AAD)).decode(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, json.dumps(doc, indent=1).encode("utf-8"), mode=0o600)
        self._secrets = dict(secrets)

    # -- API

    def get(self, name: str) -> str | None:
        return self._load().get(name)

    def set(self, name: str, value: str) -> None:
        secrets = dict(self._load())
        secrets[name] = value
        self._save(secrets)
        try:
            stored = _decrypt_with_key(self.path, self._key).get(name)
        except (OSError, ValueError, KeyError, InvalidTag):
            stored = None
        if stored != value:
            raise SecretError(f"密钥没有写入 {self.path}（写入后读回不一致）。")

    def delete(self, name: str) -> None:
        secrets = dict(self._load())
        if secrets.pop(name, None) is not None:
            self._save(secrets)

    def set_passphrase(self, passphrase: str | PassphraseProvider | None) -> None:
        self._passphrase = passphrase


def _decrypt_with_key(path: Path, key: bytes | None) -> dict[str, str]:
    assert key is not None
    doc = json.loads(path.read_bytes())
    nonce = base64.b64decode(doc["nonce"])
    plain = AESGCM(key).decrypt(nonce, base64.b64decode(doc["ciphertext"]), _AAD)
    secrets: dict[str, str] = json.loads(plain)["secrets"]
    return secrets


# --------------------------------------------------------------------------- choosing


def _is_placeholder(backend: Any) -> bool:
    """Backends that exist only to fail or to drop everything."""
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    try:
        from keyring.backends.chainer import ChainerBackend
    except ImportError:  # pragma: no cover
        return False
    if isinstance(backend, ChainerBackend):
        inner = list(getattr(backend, "backends", []))
        return not inner or all(_is_placeholder(b) for b in inner)
    return False


def probe_keyring(backend: Any) -> str:
    """Write, read back and delete a random value; return "" if it works, else why not."""
    if _is_placeholder(backend):
        return f"没有可用的系统钥匙串（{type(backend).__module__}.{type(backend).__name__}）"
    name = f"probe-{_random.token_hex(8)}"
    value = _random.token_urlsafe(24)
    try:
        backend.set_password(SERVICE, name, value)
        try:
            got = backend.get_password(SERVICE, name)
        finally:
            with contextlib.suppress(Exception):
                backend.delete_password(SERVICE, name)
    except Exception as exc:
        return f"系统钥匙串出错：{type(exc).__name__}: {exc}"
    if got != value:
        return "系统钥匙串写入后读不回（可能是空实现或已锁定）"
    return ""


def _platform_backends() -> list[Any]:
    """The platform's real backends, imported by name (for bundles without entry points)."""
    names: list[tuple[str, str]]
    if sys.platform == "win32":
        names = [("keyring.backends.Windows", "WinVaultKeyring")]
    elif sys.platform == "darwin":
        names = [("keyring.backends.macOS", "Keyring")]
    else:
        names = [
            ("keyring.backends.SecretService", "Keyring"),
            ("keyring.backends.kwallet", "DBusKeyring"),
        ]
    found = []
    for module, cls in names:
        try:
            mod = __import__(module, fromlist=[cls])
            found.append(getattr(mod, cls)())
        except Exception:
            continue
    return found


def _candidates() -> list[Any]:
    import keyring

    try:
        default = keyring.get_keyring()
    except Exception:
        default = None
    if os.environ.get("PYTHON_KEYRING_BACKEND"):  # chosen explicitly (tests do): nothing else
        return [default] if default is not None else []
    found = [default] if default is not None else []
    if default is None or _is_placeholder(default):
        found += _platform_backends()
    return found


def secrets_file(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / SECRETS_FILENAME


def open_secret_store(
    folder: str | os.PathLike[str],
    *,
    prefer: str | None = None,
    backend: Any = None,
    passphrase: str | PassphraseProvider | None = None,
) -> SecretStore:
    """The secret store for a data folder: a working OS keyring, else the passphrase file.

    ``prefer`` is ``"keyring"``, ``"file"`` or ``None`` (automatic; the
    environment variable ``OMW_SECRET_STORE`` may set it). ``backend`` replaces
    the ``keyring`` default (tests pass broken backends here).
    """
    prefer = prefer or os.environ.get(ENV_SECRET_STORE) or None
    if prefer not in (None, "keyring", "file"):
        raise SecretError(f"未知的密钥保存方式 {prefer!r}（可选 keyring 或 file）。")
    path = secrets_file(folder)
    if prefer == "file":
        return FileSecretStore(path, passphrase, reason="按设置使用加密文件")
    reasons = []
    for candidate in [backend] if backend is not None else _candidates():
        reason = probe_keyring(candidate)
        if not reason:
            return KeyringSecretStore(candidate)
        reasons.append(reason)
    reason = "；".join(reasons) or "没有找到系统钥匙串"
    if prefer == "keyring":
        raise SecretError(f"无法使用系统钥匙串：{reason}")
    return FileSecretStore(path, passphrase, reason=reason)
