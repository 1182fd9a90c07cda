"""Encrypted pack archives: AES-256 zip readable by 7-Zip, hardened reading, nothing left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
import pyzipper

from app.cli.main import main
from app.export import pack_archive
from app.export.pack_archive import PackArchiveError, read_encrypted_zip, write_encrypted_zip
from app.integrity import minisign
from app.integrity.signing_keys import TrustedKey
from app.integrity.verify import Limits, verify_pack
from tests.test_verify import SIGNER, make_pack
from tests.tools import require_tool

PASS = "蓝天 白云 2026 go"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → bytes); also shows stray temp files."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def everything(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def signed(tmp_path: Path) -> tuple[Path, minisign.SecretKey]:
    secret = minisign.generate()
    files = {
        "01_巡检记录单.docx": b"PK\x03\x04" + bytes(range(256)) * 40,
        "2026-10/02_故障处置报告.xlsx": b"xlsx" * 500,
    }
    return make_pack(tmp_path / "HLW_月度交付包_2026-10", files, secret), secret


def aes_zip(path: Path, entries: list[tuple[str, bytes]], **attrs: int) -> Path:
    """An AES-256 zip with exactly the given entries (hostile names welcome)."""
    with pyzipper.AESZipFile(
        path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as zf:
        zf.setpassword(PASS.encode())
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, body in entries:
            info = zf.zipinfo_cls(name, date_time=(2026, 11, 2, 9, 0, 0))
            info.compress_type = pyzipper.ZIP_DEFLATED
            info.external_attr = attrs.get("external_attr", 0o644 << 16)
            info.create_system = 3
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                zf.writestr(info, body)
    return path


# --------------------------------------------------------------------------- round trip


def test_round_trip_keeps_the_pack_verifiable(signed, tmp_path: Path) -> None:
    folder, secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "carry" / "pack.zip", PASS)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        assert infos and all(i.flag_bits & 1 and i.compress_type == 99 for i in infos)
        # WinZip AES extra field: vendor "AE", strength 3 = AES-256
        assert all(b"\x01\x99" in i.extra and i.extra[8:9] == b"\x03" for i in infos)
        assert all(i.filename.startswith(folder.name + "/") for i in infos)
        assert b"PK\x03\x04" + bytes(range(256)) not in archive.read_bytes()
    out = read_encrypted_zip(archive, PASS, tmp_path / "dest")
    assert out == tmp_path / "dest" / folder.name
    assert tree(out) == tree(folder)
    assert verify_pack(out, [TrustedKey(secret.public, SIGNER)]).ok
    assert everything(tmp_path / "dest") == [
        folder.name,
        *[f"{folder.name}/{p}" for p in everything(folder)],
    ]


#: 7-Zip's output as text; it never waits for input, nor for ever
NO_WAIT: dict[str, Any] = {
    "capture_output": True,
    "text": True,
    "stdin": subprocess.DEVNULL,
    "timeout": 120,
}


@pytest.mark.needs_tool("7z")
def test_7zip_opens_the_archive(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "pack.zip", PASS)
    seven_zip = require_tool("7z")
    listing = subprocess.run([seven_zip, "l", "-slt", f"-p{PASS}", str(archive)], **NO_WAIT)
    assert "Method = AES-256 Deflate" in listing.stdout
    done = subprocess.run(
        [seven_zip, "x", f"-p{PASS}", f"-o{tmp_path / 'x'}", str(archive)], **NO_WAIT
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert tree(tmp_path / "x" / folder.name) == tree(folder)
    wrong = subprocess.run([seven_zip, "t", "-pwrong-password", str(archive)], **NO_WAIT)
    assert wrong.returncode != 0


# --------------------------------------------------------------------------- passphrases


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("", "太短"),
        ("short-1", "太短"),
        ("运维口令", "太短"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", "太简单"),
        ("123456789012345", "太简单"),
        ("abcabcabcabcabc", "太简单"),
        ("onlylowercaseletter", "太简单"),
        ("蓝色 台灯 跑步 2026", "太简单"),
        (" leading space 12", "空格"),
    ],
)
def test_weak_passphrases_are_refused(weak: str, message: str, signed, tmp_path: Path) -> None:
    folder, _secret = signed
    with pytest.raises(PackArchiveError, match=message):
        write_encrypted_zip(folder, tmp_path / "p.zip", weak)
    assert not (tmp_path / "p.zip").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".p.zip")]


@pytest.mark.parametrize(
    "good", [PASS, "Correct-Horse-9", "我们的运维交付包口令很长", "Zt9-kW2p-Lm4q"]
)
def test_good_passphrases_pass(good: str) -> None:
    pack_archive.check_passphrase(good)


def test_wrong_passphrase_writes_nothing(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "pack.zip", PASS)
    with pytest.raises(PackArchiveError, match=r"口令错误.*未写入任何文件"):
        read_encrypted_zip(archive, "Wrong-passphrase-42", tmp_path / "dest")
    assert not (tmp_path / "dest").exists()
    (tmp_path / "existing").mkdir()
    with pytest.raises(PackArchiveError, match="口令错误"):
        read_encrypted_zip(archive, "Wrong-passphrase-42", tmp_path / "existing")
    assert everything(tmp_path / "existing") == []


# --------------------------------------------------------------------------- hostile archives


def test_tampered_ciphertext_writes_nothing(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "pack.zip", PASS)
    with zipfile.ZipFile(archive) as zf:
        last = max(zf.infolist(), key=lambda i: i.header_offset)
    data = bytearray(archive.read_bytes())
    data[last.header_offset + 30 + len(last.filename.encode()) + 11 + 20] ^= 0x01
    archive.write_bytes(bytes(data))
    (tmp_path / "dest").mkdir()
    with pytest.raises(PackArchiveError, match="已损坏或被改动"):
        read_encrypted_zip(archive, PASS, tmp_path / "dest")
    assert everything(tmp_path / "dest") == []  # earlier entries were not left behind either


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "p/../../evil.txt", "/tmp/evil.txt", "p\\..\\..\\evil.txt", "C:evil.txt",
     "p/CON", "p/a.txt."],
)  # fmt: skip
def test_zip_slip_is_refused(name: str, tmp_path: Path) -> None:
    archive = aes_zip(tmp_path / "evil.zip", [("p/ok.txt", b"ok"), (name, b"evil")])
    dest = tmp_path / "dest" / "inner"
    with pytest.raises(PackArchiveError, match="不安全"):
        read_encrypted_zip(archive, PASS, dest)
    assert not (tmp_path / "dest").exists()
    assert everything(tmp_path) == ["evil.zip"]


@pytest.mark.parametrize(
    "entries",
    [
        [("p/a.txt", b"1"), ("p/a.txt", b"2")],
        [("p/a.txt", b"1"), ("p/A.TXT", b"2")],
        [("p/é.txt", b"1"), ("p/e\u0301.txt", b"2")],  # the same name in NFC and NFD
        [("p/a", b"1"), ("p/a/b.txt", b"2")],  # a file and a folder of one name
    ],
)
def test_duplicate_names_are_refused(entries, tmp_path: Path) -> None:
    archive = aes_zip(tmp_path / "dup.zip", entries)
    with pytest.raises(PackArchiveError, match=r"重复|冲突"):
        read_encrypted_zip(archive, PASS, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_symlinks_and_special_files_are_refused(tmp_path: Path) -> None:
    link = aes_zip(
        tmp_path / "link.zip", [("p/l", b"/etc/passwd")], external_attr=(stat.S_IFLNK | 0o777) << 16
    )
    with pytest.raises(PackArchiveError, match="符号链接"):
        read_encrypted_zip(link, PASS, tmp_path / "dest")
    fifo = aes_zip(
        tmp_path / "fifo.zip", [("p/f", b"")], external_attr=(stat.S_IFIFO | 0o644) << 16
    )
    with pytest.raises(PackArchiveError, match="不是普通文件"):
        read_encrypted_zip(fifo, PASS, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_unencrypted_and_nested_archives_are_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("p/a.txt", "明文")
    with pytest.raises(PackArchiveError, match="没有用 AES 加密"):
        read_encrypted_zip(plain, PASS, tmp_path / "dest")
    nested = aes_zip(tmp_path / "nested.zip", [("p/inner.zip", plain.read_bytes())])
    with pytest.raises(PackArchiveError, match="嵌套"):
        read_encrypted_zip(nested, PASS, tmp_path / "dest")
    disguised = aes_zip(tmp_path / "disguised.zip", [("p/data.bin", plain.read_bytes())])
    with pytest.raises(PackArchiveError, match="嵌套"):
        read_encrypted_zip(disguised, PASS, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_zip_bombs_are_refused(tmp_path: Path) -> None:
    bomb = aes_zip(tmp_path / "bomb.zip", [("p/zeros.bin", bytes(64 * 1024 * 1024))])
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(PackArchiveError, match="压缩炸弹"):
        read_encrypted_zip(bomb, PASS, tmp_path / "dest")
    many = aes_zip(tmp_path / "many.zip", [(f"p/{n}.txt", b"x") for n in range(30)])
    with pytest.raises(PackArchiveError, match="条目过多"):
        read_encrypted_zip(many, PASS, tmp_path / "dest", limits=Limits(max_entries=20))
    with pytest.raises(PackArchiveError, match="总大小"):
        read_encrypted_zip(many, PASS, tmp_path / "dest", limits=Limits(max_total_bytes=10))
    assert not (tmp_path / "dest").exists()


@pytest.mark.parametrize(
    "damage", [lambda b: b[: len(b) // 2], lambda b: b"x" + b, lambda b: b + b"x", lambda b: b"PK"]
)
def test_damaged_archives_are_domain_errors(damage, signed, tmp_path: Path) -> None:
    folder, _secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "pack.zip", PASS)
    archive.write_bytes(damage(archive.read_bytes()))
    with pytest.raises(PackArchiveError):
        read_encrypted_zip(archive, PASS, tmp_path / "dest")
    assert not (tmp_path / "dest").exists()


def test_existing_targets_are_never_replaced(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    archive = write_encrypted_zip(folder, tmp_path / "pack.zip", PASS)
    with pytest.raises(PackArchiveError, match="已存在"):
        write_encrypted_zip(folder, archive, PASS)
    dest = tmp_path / "dest"
    (dest / folder.name).mkdir(parents=True)
    (dest / folder.name / "mine.txt").write_text("别动")
    with pytest.raises(PackArchiveError, match="已存在"):
        read_encrypted_zip(archive, PASS, dest)
    assert everything(dest) == [folder.name, f"{folder.name}/mine.txt"]
    with pytest.raises(PackArchiveError, match="里面"):
        write_encrypted_zip(folder, folder / "self.zip", PASS)


def test_files_dated_before_1980_are_packed(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    old = folder / "01_巡检记录单.docx"
    os.utime(old, (0, 0))  # 1970: a zip cannot record it, 1980 is used instead
    archive = write_encrypted_zip(folder, tmp_path / "p.zip", PASS)
    out = read_encrypted_zip(archive, PASS, tmp_path / "d")
    assert tree(out) == tree(folder)


def test_symlinks_are_not_packed(signed, tmp_path: Path) -> None:
    folder, _secret = signed
    (tmp_path / "outside.txt").write_text("机密")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(PackArchiveError, match="符号链接"):
        write_encrypted_zip(folder, tmp_path / "p.zip", PASS)
    assert not (tmp_path / "p.zip").exists()


def test_a_failed_write_leaves_no_file(signed, tmp_path: Path, monkeypatch) -> None:
    folder, _secret = signed

    def broken(*_args: object) -> None:
        raise PackArchiveError("加密包写入后无法读回校验，已放弃。")

    monkeypatch.setattr(pack_archive, "_read_back", broken)
    with pytest.raises(PackArchiveError, match="读回"):
        write_encrypted_zip(folder, tmp_path / "out" / "p.zip", PASS)
    assert everything(tmp_path / "out") == []


# --------------------------------------------------------------------------- the command line


def test_cli_encrypt_and_decrypt(signed, tmp_path: Path, monkeypatch, capsys) -> None:
    folder, secret = signed
    monkeypatch.setenv("OMW_PACK_PASSPHRASE", PASS)
    out = tmp_path / "p.zip"
    assert main(["pack", "encrypt", str(folder), "--out", str(out)]) == 0
    assert "AES-256" in capsys.readouterr().out
    assert main(["pack", "decrypt", str(out), "--out", str(tmp_path / "d")]) == 0
    assert tree(tmp_path / "d" / folder.name) == tree(folder)
    pub = tmp_path / "k.pub"
    pub.write_text(secret.public.file_text())
    assert main(["verify", str(tmp_path / "d" / folder.name), "--key", str(pub)]) == 0
    monkeypatch.setenv("OMW_PACK_PASSPHRASE", "Wrong-passphrase-42")
    capsys.readouterr()
    assert main(["pack", "decrypt", str(out), "--out", str(tmp_path / "e")]) == 2
    assert "口令错误" in capsys.readouterr().err and not (tmp_path / "e").exists()
    monkeypatch.setenv("OMW_PACK_PASSPHRASE", "weak")
    assert main(["pack", "encrypt", str(folder), "--out", str(tmp_path / "w.zip")]) == 2
    assert "口令太短" in capsys.readouterr().err


def test_cli_asks_without_echo_or_refuses(signed, tmp_path: Path, monkeypatch, capsys) -> None:
    from app.cli import exports

    folder, _secret = signed
    monkeypatch.delenv("OMW_PACK_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["pack", "encrypt", str(folder), "--out", str(tmp_path / "p.zip")]) == 2
    assert "OMW_PACK_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASS, "something else"])
    monkeypatch.setattr(exports.getpass, "getpass", lambda _prompt: next(answers))
    assert main(["pack", "encrypt", str(folder), "--out", str(tmp_path / "p.zip")]) == 2
    assert "不一致" in capsys.readouterr().err and not (tmp_path / "p.zip").exists()
    answers = iter([PASS, PASS, PASS])
    assert main(["pack", "encrypt", str(folder), "--out", str(tmp_path / "p.zip")]) == 0
    assert main(["pack", "decrypt", str(tmp_path / "p.zip"), "--out", str(tmp_path / "d")]) == 0
    assert tree(tmp_path / "d" / folder.name) == tree(folder)
