"""Secrets: a real keyring or a passphrase file, never a silent drop; recovery keys."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import chainer, fail, null

from app.storage import secrets
from app.storage.secrets import (
    FileSecretStore,
    KeyringSecretStore,
    SecretError,
    open_secret_store,
)
from tests.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def no_passphrase_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(secrets.ENV_PASSPHRASE, raising=False)
    monkeypatch.delenv(secrets.ENV_SECRET_STORE, raising=False)


# --------------------------------------------------------------------------- recovery keys


def test_recovery_key_is_readable_and_checked() -> None:
    key = secrets.new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 10 and all(len(g) == 4 for g in groups)
    assert secrets.new_recovery_key() != key
    store_key = secrets.store_key_from_recovery(key)
    assert len(store_key) == 32
    # typed by a person: lower case, spaces, 0 for O and 1 for I are forgiven
    typed = key.lower().replace("-", " ").replace("o", "0").replace("i", "1")
    assert secrets.store_key_from_recovery(typed) == store_key
    assert secrets.normalize_recovery_key(typed) == key
    # one wrong character is caught by the checksum, not turned into a wrong key
    wrong = ("B" if key[0] != "B" else "C") + key[1:]
    with pytest.raises(SecretError, match="校验不符"):
        secrets.store_key_from_recovery(wrong)
    with pytest.raises(SecretError, match="格式不对"):
        secrets.parse_recovery_key(key[:-5])
    assert secrets.key_id(store_key) == secrets.key_id(store_key) != secrets.key_id(bytes(32))


def test_recovery_file_round_trip(tmp_path: Path) -> None:
    key = secrets.new_recovery_key()
    doc = secrets.recovery_key_document(key, "store-1", "abcd", "2026-01-05 09:00:00")
    path = tmp_path / "恢复密钥.txt"
    path.write_text(doc, encoding="utf-8")
    assert secrets.read_recovery_file(path) == key
    (tmp_path / "empty.txt").write_text("没有密钥", encoding="utf-8")
    with pytest.raises(SecretError, match="没有找到恢复密钥"):
        secrets.read_recovery_file(tmp_path / "empty.txt")
    with pytest.raises(SecretError, match="无法读取"):
        secrets.read_recovery_file(tmp_path / "missing.txt")


# --------------------------------------------------------------------------- choosing a backend


class ForgetfulKeyring(MemoryKeyring):
    """Accepts every secret and keeps none (what a null backend does silently)."""

    def get_password(self, service: str, username: str) -> str | None:
        return None


class EmptyChainer(chainer.ChainerBackend):
    """A chainer that found no backend (what a bundle without keyring metadata gets)."""

    backends: list[Any] = []  # type: ignore[assignment]  # noqa: RUF012


class OnlyPlaceholdersChainer(chainer.ChainerBackend):
    backends: list[Any] = [fail.Keyring(), null.Keyring()]  # type: ignore[assignment]  # noqa: RUF012


class RaisingKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("D-Bus 连接失败")


class DropsLaterKeyring(MemoryKeyring):
    """Passes the probe, then silently drops real secrets."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username.startswith("probe-"):
            super().set_password(service, username, password)


def test_the_test_keyring_is_used_by_default(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path)
    assert isinstance(store, KeyringSecretStore)
    assert isinstance(store.backend, MemoryKeyring)  # never the real OS keyring in tests
    assert store.location_description.startswith("系统钥匙串")
    store.set("x/secret", "值")
    assert store.get("x/secret") == "值"
    store.delete("x/secret")
    assert store.get("x/secret") is None


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "没有可用的系统钥匙串"),
        (null.Keyring(), "没有可用的系统钥匙串"),
        (EmptyChainer(), "没有可用的系统钥匙串"),
        (OnlyPlaceholdersChainer(), "没有可用的系统钥匙串"),
        (ForgetfulKeyring(), "读不回"),
        (RaisingKeyring(), "D-Bus 连接失败"),
    ],
    ids=["fail", "null", "empty-chainer", "placeholder-chainer", "get-returns-none", "raises"],
)
def test_broken_keyrings_fall_back_to_the_passphrase_file(
    tmp_path: Path, backend: Any, reason: str
) -> None:
    store = open_secret_store(tmp_path, backend=backend, passphrase="correct horse")
    assert isinstance(store, FileSecretStore)
    assert reason in store.fallback_reason
    assert store.location_description == f"口令保护的加密文件 {tmp_path / 'omw-secrets.json'}"
    store.set("k", "secret value")
    assert open_secret_store(tmp_path, backend=backend, passphrase="correct horse").get("k") == (
        "secret value"
    )
    with pytest.raises(SecretError, match="无法使用系统钥匙串"):
        open_secret_store(tmp_path, backend=backend, prefer="keyring")


def test_a_keyring_that_drops_a_secret_later_is_an_error(tmp_path: Path) -> None:
    store = open_secret_store(tmp_path, backend=DropsLaterKeyring())
    assert isinstance(store, KeyringSecretStore)
    with pytest.raises(SecretError, match="没有保存住密钥"):
        store.set("store/key", "value")


def test_the_file_can_be_chosen_explicitly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(secrets.ENV_SECRET_STORE, "file")
    monkeypatch.setenv(secrets.ENV_PASSPHRASE, "from the environment")
    store = open_secret_store(tmp_path)
    assert isinstance(store, FileSecretStore)
    store.set("a", "b")
    assert FileSecretStore(tmp_path / "omw-secrets.json").get("a") == "b"
    with pytest.raises(SecretError, match="未知的密钥保存方式"):
        open_secret_store(tmp_path, prefer="cloud")


# --------------------------------------------------------------------------- the passphrase file


def test_passphrase_file_seals_secrets(tmp_path: Path) -> None:
    path = tmp_path / "omw-secrets.json"
    store = FileSecretStore(path, "correct horse")
    store.set("store/key", "机密-恢复密钥")
    store.set("signing/ed25519", "private")
    raw = path.read_bytes()
    assert b"private" not in raw and "机密".encode() not in raw
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = FileSecretStore(path, "correct horse")
    assert again.get("store/key") == "机密-恢复密钥"
    again.delete("signing/ed25519")
    assert FileSecretStore(path, "correct horse").get("signing/ed25519") is None
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_wrong_passphrase_and_damage_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "omw-secrets.json"
    FileSecretStore(path, "correct horse").set("k", "v")
    with pytest.raises(SecretError, match="口令错误") as wrong:
        FileSecretStore(path, "wrong horse!").get("k")
    assert "omw key unlock" in wrong.value.message

    doc = json.loads(path.read_text())
    sealed = bytearray(doc["ciphertext"].encode())
    sealed[10] = ord("A") if sealed[10] != ord("A") else ord("B")
    doc["ciphertext"] = sealed.decode()
    path.write_text(json.dumps(doc))
    with pytest.raises(SecretError, match="口令错误，或文件已被改动"):
        FileSecretStore(path, "correct horse").get("k")

    path.write_text("{ not json")
    with pytest.raises(SecretError, match="已损坏"):
        FileSecretStore(path, "correct horse").get("k")

    doc["kdf"]["n"] = 2**30  # a tampered cost would exhaust memory: refused
    path.write_text(json.dumps(doc))
    with pytest.raises(SecretError, match="超出范围"):
        FileSecretStore(path, "correct horse").get("k")


def test_passphrase_is_asked_through_the_provider(tmp_path: Path) -> None:
    asked: list[tuple[str, bool]] = []

    def provider(prompt: str, new: bool) -> str | None:
        asked.append((prompt, new))
        return "from the dialog"

    path = tmp_path / "omw-secrets.json"
    secrets.set_passphrase_provider(provider)
    try:
        FileSecretStore(path).set("k", "v")
        assert FileSecretStore(path).get("k") == "v"
    finally:
        secrets.set_passphrase_provider(None)
    assert [new for _, new in asked] == [True, False]  # chosen once, then asked
    with pytest.raises(SecretError, match="需要密钥文件的口令"):
        FileSecretStore(path).get("k")
    with pytest.raises(SecretError, match="至少 8 个字符"):
        FileSecretStore(tmp_path / "other.json", "short").set("k", "v")
