"""``omw verify`` and :func:`app.integrity.verify.verify_pack`: each promise, each failing right.

Real packs come from :func:`app.export.packs.export_pack` with the manifest
signed by :func:`app.integrity.signing_keys.sign_file` (the export engineer will add the
same call); small synthetic packs in the same format drive the byte-flip sweeps.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.export import packs
from app.integrity import minisign, signing_keys
from app.integrity.signing_keys import TrustedKey
from app.integrity.verify import Limits, VerifyError, verify_pack
from app.storage.store import Store
from db.models import AuditEntry
from tests.test_export_fixtures import MONTH, demo_dir, store_copy  # noqa: F401

SIGNER = "项目经理甲"
NOW = (2026, 11, 2, 9, 0, 0)


# --------------------------------------------------------------------------- helpers


def sign_manifest(folder: Path, secret: minisign.SecretKey, signer: str = SIGNER) -> Path:
    """What :func:`app.integrity.signing_keys.sign_file` writes, with a given key (no store)."""
    body = (folder / "manifest.json").read_bytes()
    signature = minisign.sign(
        secret,
        body,
        trusted_comment=f"timestamp:1793000000\tfile:manifest.json\thashed\tsigner:{signer}",
        untrusted_comment=signing_keys.untrusted_comment(secret.key_id),
    )
    out = folder / "manifest.json.minisig"
    out.write_text(signature.file_text())
    return out


def write_manifest(folder: Path, entries: list[dict[str, object]]) -> None:
    manifest = {
        "format": "omw-pack/1",
        "kind": "month",
        "app_version": "test",
        "contract": {"code": "t", "name": "测试合同", "contract_no": "T-1", "client": "甲"},
        "period": {"start": "2026-10-01", "end": "2026-10-31", "label": "2026年10月"},
        "exporter": SIGNER,
        "exported_at": "2026-11-02T09:00:00",
        "files": entries,
    }
    (folder / "manifest.json").write_bytes(packs.manifest_bytes(manifest))
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)
    (folder / "SHA256SUMS").write_bytes(sums.encode("utf-8"))


def make_pack(folder: Path, files: dict[str, bytes], secret: minisign.SecretKey) -> Path:
    """A small pack in the export's format, signed with ``secret``."""
    folder.mkdir(parents=True)
    entries: list[dict[str, object]] = []
    for rel, body in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(body)
        entries.append({"path": rel, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()})
    write_manifest(folder, entries)
    sign_manifest(folder, secret)
    return folder


def zip_pack(folder: Path, out: Path) -> Path:
    """Zip a pack folder like the export does (entries ``<folder>/<path>``)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            add_entry(zf, f"{folder.name}/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return out


def add_entry(zf: zipfile.ZipFile, name: str, body: bytes, **attrs: int) -> None:
    info = zipfile.ZipInfo(name, date_time=NOW)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = attrs.get("external_attr", 0o644 << 16)
    info.create_system = attrs.get("create_system", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is what some tests want
        zf.writestr(info, body)


def rezip(src: Path, dst: Path, change: Callable[[str, bytes], list[tuple[str, bytes]]]) -> Path:
    """Copy a zip entry by entry; ``change(name, body)`` returns the entries to write instead."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            for name, body in change(info.filename, zin.read(info)):
                add_entry(zout, name, body)
    return dst


def problems(report) -> str:
    return "\n".join(report.problems)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pack_source(
    demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path, TrustedKey]]:
    """A real monthly pack, exported once: the export signs the manifest (also in the zip).

    The zip's own ``.minisig`` is left out here (these tests damage the zip
    entry by entry); :func:`test_exported_pack_and_zip_signature_out_of_the_box`
    checks the pack exactly as exported.
    """
    base = tmp_path_factory.mktemp("signed-pack")
    store = store_copy(demo_dir, base / "store")
    try:
        with store.session() as session:
            plan = packs.plan_month(session, "internet-om", MONTH)
        result = packs.export_pack(store, plan, base / "out", exporter=SIGNER)
        assert result.zip_path is not None
        Path(f"{result.zip_path}.minisig").unlink()
        key = TrustedKey(signing_keys.own_public_key(store, SIGNER), SIGNER)
    finally:
        store.close()
    yield result.folder, result.zip_path, key


@pytest.fixture
def pack(pack_source, tmp_path: Path) -> tuple[Path, Path, TrustedKey]:
    """A fresh copy of the signed pack folder and zip for one test to damage."""
    folder, zip_path, key = pack_source
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copytree(folder, copy / folder.name)
    shutil.copy2(zip_path, copy / zip_path.name)
    return copy / folder.name, copy / zip_path.name, key


@pytest.fixture
def secret() -> minisign.SecretKey:
    return minisign.generate()


def _listed(folder: Path) -> list[dict[str, object]]:
    return json.loads((folder / "manifest.json").read_text("utf-8"))["files"]


def _resign(folder: Path, entries: list[dict[str, object]], store_folder: Path) -> None:
    """Rewrite the manifest and sign it again with the trusted key (a buggy or rogue exporter)."""
    write_manifest(folder, entries)
    signing_keys.sign_file(store_folder, SIGNER, folder / "manifest.json")


# --------------------------------------------------------------------------- the good case


@pytest.mark.slow
def test_exported_pack_verifies_as_folder_and_as_zip(pack) -> None:
    folder, zip_path, key = pack
    count = len(_listed(folder))
    for target, kind in ((folder, "folder"), (zip_path, "zip")):
        report = verify_pack(target, [key])
        assert report.ok, report.problems
        assert report.kind == kind and report.signer == SIGNER and report.key_id == key.key_id
        assert report.files_listed == report.files_checked == count > 10
        assert report.claimed_signer == SIGNER and report.signed_at is not None
        text = "\n".join(report.lines())
        assert "核验通过" in text and key.key_id in text and SIGNER in text
    # nothing was extracted or written beside the zip
    assert sorted(p.name for p in zip_path.parent.iterdir()) == sorted([folder.name, zip_path.name])


# --------------------------------------------------------------------------- each promise failing


def test_tampered_manifest_fails(pack) -> None:
    folder, zip_path, key = pack
    manifest = folder / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(SIGNER.encode(), "项目经理乙".encode(), 1))
    report = verify_pack(folder, [key])
    assert not report.ok and "签名无效" in problems(report)
    changed = rezip(
        zip_path,
        zip_path.with_name("changed.zip"),
        lambda n, b: [(n, b.replace(b'"kind": "month"', b'"kind": "range"'))],
    )
    report = verify_pack(changed, [key])
    assert not report.ok and "签名无效" in problems(report)


def test_tampered_file_fails(pack) -> None:
    folder, zip_path, key = pack
    victim = str(_listed(folder)[3]["path"])
    body = bytearray((folder / victim).read_bytes())
    body[len(body) // 2] ^= 0x01
    (folder / victim).write_bytes(bytes(body))
    report = verify_pack(folder, [key])
    assert not report.ok and f"文件内容被改动：“{victim}”" in problems(report)
    assert report.files_checked == report.files_listed - 1
    changed = rezip(
        zip_path,
        zip_path.with_name("changed.zip"),
        lambda n, b: [(n, bytes(body) if n.endswith("/" + victim) else b)],
    )
    report = verify_pack(changed, [key])
    assert not report.ok and f"文件内容被改动：“{victim}”" in problems(report)


def test_changed_size_fails(pack) -> None:
    folder, _zip, key = pack
    victim = str(_listed(folder)[0]["path"])
    with open(folder / victim, "ab") as fh:
        fh.write(b"\x00")
    report = verify_pack(folder, [key])
    assert not report.ok and f"文件大小不符：“{victim}”" in problems(report)


def test_extra_file_fails(pack) -> None:
    folder, zip_path, key = pack
    (folder / "说明.txt").write_text("多出来的文件")
    (folder / "2026-10").mkdir()
    (folder / "2026-10" / "x.docx").write_bytes(b"PK")
    (folder / "空文件夹" / "更深").mkdir(parents=True)
    report = verify_pack(folder, [key])
    assert not report.ok
    assert "多出的文件：“说明.txt”" in problems(report)
    assert "多出的文件：“2026-10/x.docx”" in problems(report)
    assert "多出的文件夹：“空文件夹”" in problems(report)
    assert "多出的文件夹：“空文件夹/更深”" in problems(report)
    top = folder.name
    changed = rezip(
        zip_path,
        zip_path.with_name("changed.zip"),
        lambda n, b: [(n, b)] + ([(f"{top}/附加.docx", b"x")] if n.endswith("SHA256SUMS") else []),
    )
    report = verify_pack(changed, [key])
    assert not report.ok and "多出的文件：“附加.docx”" in problems(report)
    outside = rezip(
        zip_path,
        zip_path.with_name("outside.zip"),
        lambda n, b: [(n, b)] + ([("别的文件夹/a.txt", b"x")] if n.endswith("SHA256SUMS") else []),
    )
    assert "交付包文件夹以外的文件" in problems(verify_pack(outside, [key]))
    # folder entries are fine where they hold listed files, not where they hold nothing
    with_dirs = rezip(
        zip_path,
        zip_path.with_name("dirs.zip"),
        lambda n, b: ([(f"{top}/", b"")] if n.endswith("SHA256SUMS") else []) + [(n, b)],
    )
    assert verify_pack(with_dirs, [key]).ok, problems(verify_pack(with_dirs, [key]))
    empty = rezip(
        zip_path,
        zip_path.with_name("empty.zip"),
        lambda n, b: [(n, b)] + ([(f"{top}/空/", b"")] if n.endswith("SHA256SUMS") else []),
    )
    assert "多出的文件夹：“空”" in problems(verify_pack(empty, [key]))


def test_missing_file_fails(pack) -> None:
    folder, zip_path, key = pack
    victim = str(_listed(folder)[-1]["path"])
    (folder / victim).unlink()
    report = verify_pack(folder, [key])
    assert not report.ok and f"缺少文件：“{victim}”" in problems(report)
    changed = rezip(
        zip_path,
        zip_path.with_name("changed.zip"),
        lambda n, b: [] if n.endswith("/" + victim) else [(n, b)],
    )
    report = verify_pack(changed, [key])
    assert not report.ok and f"缺少文件：“{victim}”" in problems(report)
    for gone in ("manifest.json.minisig", "SHA256SUMS", "manifest.json"):
        again = rezip(
            zip_path,
            zip_path.with_name(f"no-{gone}.zip"),
            lambda n, b, g=gone: [] if n.endswith("/" + g) else [(n, b)],
        )
        report = verify_pack(again, [key])
        assert not report.ok and gone in problems(report)


def test_duplicate_entries_fail(pack, tmp_path: Path) -> None:
    folder, zip_path, key = pack
    store_folder = tmp_path / "signer-store"
    _resign_key = TrustedKey(signing_keys.own_public_key(store_folder, SIGNER), SIGNER)
    entries = _listed(folder)
    _resign(folder, [*entries, entries[0]], store_folder)
    report = verify_pack(folder, [_resign_key])
    assert report.signature_ok  # a validly signed manifest is still refused
    assert not report.ok and "清单中重复列出了文件" in problems(report)
    # the same name twice in the zip, exactly and differing by case only
    first = f"{folder.name}/{entries[0]['path']}"
    doubled = rezip(
        zip_path,
        zip_path.with_name("dup.zip"),
        lambda n, b: [(n, b), (n, b)] if n == first else [(n, b)],
    )
    report = verify_pack(doubled, [key])
    assert not report.ok and "重复的名称" in problems(report)
    cased = rezip(
        zip_path,
        zip_path.with_name("case.zip"),
        lambda n, b: [(n, b), (n.replace(".docx", ".DOCX"), b)] if n == first else [(n, b)],
    )
    assert "重复的名称" in problems(verify_pack(cased, [key]))


@pytest.mark.parametrize(
    "bad",
    ["../outside.docx", "/etc/passwd", "C:/Windows/x.docx", "a\\..\\b.docx", "a/./b.docx",
     "a//b.docx", "CON.docx", "a.docx.", "x:stream", "a/\x00b"],
)  # fmt: skip
def test_path_escape_in_a_signed_manifest_fails(bad: str, tmp_path: Path, secret) -> None:
    folder = make_pack(tmp_path / "pack", {"a.docx": b"A"}, secret)
    entries = [*_listed(folder), {"path": bad, "size": 1, "sha256": "0" * 64}]
    write_manifest(folder, entries)
    sign_manifest(folder, secret)
    report = verify_pack(folder, [TrustedKey(secret.public, SIGNER)])
    assert report.signature_ok and not report.ok
    assert "清单中的路径不安全" in problems(report)


@pytest.mark.parametrize(
    "bad", ["../evil.txt", "/abs.txt", "p\\..\\..\\evil.txt", "C:evil.txt", "p/../../evil.txt"]
)
def test_zip_slip_names_are_refused(bad: str, tmp_path: Path, secret) -> None:
    folder = make_pack(tmp_path / "p", {"a.docx": b"A"}, secret)
    archive = zip_pack(folder, tmp_path / "p.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        add_entry(zf, bad, b"evil")
    report = verify_pack(archive, [TrustedKey(secret.public, SIGNER)])
    assert not report.ok and "不安全" in problems(report)
    assert not (tmp_path / "evil.txt").exists() and not Path("/abs.txt").exists()


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlinks_are_refused(tmp_path: Path, secret) -> None:
    (tmp_path / "secret.txt").write_text("机密")
    folder = make_pack(tmp_path / "p", {"a.docx": b"A", "b.docx": b"B"}, secret)
    key = TrustedKey(secret.public, SIGNER)
    (folder / "b.docx").unlink()
    (folder / "b.docx").symlink_to(tmp_path / "secret.txt")
    report = verify_pack(folder, [key])
    assert not report.ok and "“b.docx”是符号链接" in problems(report)
    # a symlink entry in a zip
    folder2 = make_pack(tmp_path / "q", {"a.docx": b"A"}, secret)
    archive = zip_pack(folder2, tmp_path / "q.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        add_entry(zf, "q/link", b"../../secret.txt", external_attr=(stat.S_IFLNK | 0o777) << 16)
    assert "符号链接" in problems(verify_pack(archive, [key]))


def test_unknown_and_untrusted_keys_fail(pack) -> None:
    folder, zip_path, key = pack
    for target in (folder, zip_path):
        report = verify_pack(target, [])
        assert not report.ok and "不在受信任的公钥中" in problems(report)
        assert report.files_checked == report.files_listed  # the files themselves are fine
        untrusted = TrustedKey(key.public, "项目经理甲（未核实）", trusted=False)
        report = verify_pack(target, [untrusted])
        assert not report.ok and "已导入但未被信任" in problems(report)
        assert f"omw keys trust {key.key_id}" in problems(report)


def test_wrong_key_fails(pack, tmp_path: Path) -> None:
    folder, _zip, key = pack
    # signed by a colleague whose key is not the trusted one
    signing_keys.sign_file(tmp_path / "other", "工程师乙", folder / "manifest.json")
    report = verify_pack(folder, [key])
    assert not report.ok and "不在受信任的公钥中" in problems(report)
    # a signature relabelled with the trusted key's id
    sig_path = folder / "manifest.json.minisig"
    sig = minisign.parse_signature(sig_path.read_text())
    forged = minisign.Signature(
        sig.algorithm,
        key.public.keynum,
        sig.signature,
        sig.trusted_comment,
        sig.global_signature,
        signing_keys.untrusted_comment(key.key_id),
    )
    sig_path.write_text(forged.file_text())
    report = verify_pack(folder, [key])
    assert not report.ok and "签名无效" in problems(report)


def test_truncated_or_missing_signature_fails(pack) -> None:
    folder, _zip, key = pack
    sig_path = folder / "manifest.json.minisig"
    full = sig_path.read_bytes()
    for cut in (0, 10, len(full) // 2, len(full) - 30, len(full) - 2):
        sig_path.write_bytes(full[:cut])
        report = verify_pack(folder, [key])
        assert not report.ok and "签名文件无法使用" in problems(report), cut
    sig_path.unlink()
    report = verify_pack(folder, [key])
    assert not report.ok and "缺少签名文件 manifest.json.minisig" in problems(report)


def test_changed_untrusted_comment_of_an_app_signature_fails(pack) -> None:
    folder, _zip, key = pack
    sig_path = folder / "manifest.json.minisig"
    sig_path.write_bytes(sig_path.read_bytes().replace(b"OM Workbench", b"OM Workbenc"))
    report = verify_pack(folder, [key])
    assert not report.ok and "未签名的注释" in problems(report)


def test_sums_must_match_the_manifest(pack) -> None:
    folder, _zip, key = pack
    sums = folder / "SHA256SUMS"
    lines = sums.read_text("utf-8").splitlines(keepends=True)
    sums.write_text("".join(reversed(lines)), "utf-8")
    assert "SHA256SUMS 与已签名的清单不一致" in problems(verify_pack(folder, [key]))
    sums.write_text("".join(lines).replace("a", "b", 1), "utf-8")
    assert "SHA256SUMS 与已签名的清单不一致" in problems(verify_pack(folder, [key]))


def test_zip_bombs_are_refused_before_decompressing(tmp_path: Path, secret) -> None:
    key = TrustedKey(secret.public, SIGNER)
    folder = make_pack(tmp_path / "p", {"a.docx": b"A"}, secret)
    # (1) a tiny entry that inflates a thousandfold
    bomb = zip_pack(folder, tmp_path / "bomb.zip")
    with zipfile.ZipFile(bomb, "a") as zf:
        add_entry(zf, "p/zeros.bin", bytes(64 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    report = verify_pack(bomb, [key])
    assert not report.ok and "疑似压缩炸弹" in problems(report)
    # (2) too many entries (the default limit)
    many = zip_pack(folder, tmp_path / "many.zip")
    with zipfile.ZipFile(many, "a") as zf:
        for n in range(10_001):
            add_entry(zf, f"p/{n}.txt", b"")
    report = verify_pack(many, [key])
    assert not report.ok and "条目过多" in problems(report)
    # (3) declared sizes beyond the per-file and total limits
    report = verify_pack(
        zip_pack(folder, tmp_path / "s.zip"), [key], limits=Limits(max_file_bytes=100)
    )
    assert "解压后过大" in problems(report)
    report = verify_pack(tmp_path / "s.zip", [key], limits=Limits(max_total_bytes=100))
    assert "总大小超过上限" in problems(report)
    # (4) a folder with too many files
    report = verify_pack(folder, [key], limits=Limits(max_entries=2))
    assert "文件数超过上限" in problems(report)


def test_nested_archives_are_refused(tmp_path: Path, secret) -> None:
    key = TrustedKey(secret.public, SIGNER)
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("x.txt", "x")
    for name, body in (("内层.zip", inner.read_bytes()), ("data.bin", inner.read_bytes()),
                       ("a.7z", b"7z\xbc\xaf\x27\x1c" + bytes(10))):  # fmt: skip
        folder = make_pack(tmp_path / name, {"a.docx": b"A", name: body}, secret)
        report = verify_pack(folder, [key])
        assert report.signature_ok and not report.ok
        assert "嵌套的压缩文件" in problems(report), name


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"junk" + b,  # bytes before the first entry
        lambda b: b + b"junk",  # bytes after the end record
        lambda b: b[:-2] + b"\x04\x00" + b"abcd",  # a zip comment
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"not a zip at all",
        lambda b: b"",
    ],
)
def test_malformed_zips_fail_cleanly(damage, tmp_path: Path, secret) -> None:
    folder = make_pack(tmp_path / "p", {"a.docx": b"A" * 100}, secret)
    archive = zip_pack(folder, tmp_path / "p.zip")
    archive.write_bytes(damage(archive.read_bytes()))
    report = verify_pack(archive, [TrustedKey(secret.public, SIGNER)])
    assert not report.ok and report.problems


def test_encrypted_entries_are_refused(tmp_path: Path, secret) -> None:
    from app.export.pack_archive import write_encrypted_zip

    folder = make_pack(tmp_path / "p", {"a.docx": b"A"}, secret)
    archive = write_encrypted_zip(folder, tmp_path / "p.zip", "蓝天 白云 2026 go")
    report = verify_pack(archive, [TrustedKey(secret.public, SIGNER)])
    assert not report.ok and "omw pack decrypt" in problems(report)


# --------------------------------------------------------------------------- any byte, anywhere


def _sweep(target: Path, check: Callable[[], bool], skip: set[int] = frozenset()) -> list[int]:
    """Flip every byte of ``target`` in turn; the offsets where verification still passed."""
    original = target.read_bytes()
    passed = []
    try:
        for offset in range(len(original)):
            if offset in skip:
                continue
            for mask in (0x01, 0x80):
                changed = bytearray(original)
                changed[offset] ^= mask
                target.write_bytes(bytes(changed))
                if check():
                    passed.append(offset)
                    break
    finally:
        target.write_bytes(original)
    return passed


def test_any_byte_changed_in_a_pack_folder_fails(tmp_path: Path, secret) -> None:
    folder = make_pack(
        tmp_path / "p", {"01_巡检.docx": b"PK\x03\x04docx" * 3, "2026-10/a.xlsx": b"xl"}, secret
    )
    keys = [TrustedKey(secret.public, SIGNER)]
    assert verify_pack(folder, keys).ok
    flips = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        flips += path.stat().st_size
        assert _sweep(path, lambda: verify_pack(folder, keys).ok) == [], path.name
    assert flips > 1000


def _unsigned_zip_metadata(data: bytes) -> set[int]:
    """Offsets of central-directory fields no one relies on: version made by, attributes."""
    offsets: set[int] = set()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        offsets |= {pos + 4, pos + 5} | set(range(pos + 36, pos + 42))
        pos = data.find(b"PK\x01\x02", pos + 4)
    return offsets


def _contents(data: bytes) -> dict[str, bytes] | None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return {i.filename: zf.read(i) for i in zf.infolist()}
    except Exception:
        return None


def test_any_byte_changed_in_a_pack_zip_fails(tmp_path: Path, secret) -> None:
    """Every flip fails, except in unsigned zip metadata or where the content stays the same.

    Deflate data can be changed without changing what it inflates to (e.g. the
    padding bits after the last block); no content check can see that, so the
    test proves each such passing flip left every entry's bytes identical.
    A zip signed as a whole (next test) has no exception at all.
    """
    folder = make_pack(
        tmp_path / "p", {"01_巡检.docx": b"docx" * 40, "2026-10/a.xlsx": b"xl"}, secret
    )
    archive = zip_pack(folder, tmp_path / "p.zip")
    keys = [TrustedKey(secret.public, SIGNER)]
    assert verify_pack(archive, keys).ok
    data = archive.read_bytes()
    allowed = _unsigned_zip_metadata(data)
    original = _contents(data)
    passed = _sweep(archive, lambda: verify_pack(archive, keys).ok)
    for offset in set(passed) - allowed:
        for mask in (0x01, 0x80):
            changed = bytearray(data)
            changed[offset] ^= mask
            archive.write_bytes(bytes(changed))
            if verify_pack(archive, keys).ok:
                assert _contents(bytes(changed)) == original, offset
    archive.write_bytes(data)
    assert len(data) > 1200 and len(set(passed) - allowed) < 10


@pytest.mark.slow
def test_any_byte_changed_in_a_signed_zip_fails(tmp_path: Path, secret) -> None:
    folder = make_pack(
        tmp_path / "p", {"01_巡检.docx": b"docx" * 40, "2026-10/a.xlsx": b"xl"}, secret
    )
    archive = zip_pack(folder, tmp_path / "p.zip")
    signature = minisign.sign(
        secret,
        archive.read_bytes(),
        trusted_comment=f"timestamp:1793000000\tfile:p.zip\thashed\tsigner:{SIGNER}",
        untrusted_comment=signing_keys.untrusted_comment(secret.key_id),
    )
    (tmp_path / "p.zip.minisig").write_text(signature.file_text())
    keys = [TrustedKey(secret.public, SIGNER)]
    assert verify_pack(archive, keys).ok
    assert _sweep(archive, lambda: verify_pack(archive, keys).ok) == []
    sig = tmp_path / "p.zip.minisig"
    assert _sweep(sig, lambda: verify_pack(archive, keys).ok) == []


# ------------------------------------------------------------ single files, outer signatures


def test_single_signed_file(tmp_path: Path) -> None:
    data_folder = tmp_path / "data"
    form = tmp_path / "巡检记录单.docx"
    form.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    sig = signing_keys.sign_file(data_folder, "工程师乙", form)
    key = TrustedKey(signing_keys.own_public_key(data_folder, "工程师乙"), "工程师乙")
    for target in (form, sig):
        report = verify_pack(target, [key])
        assert report.ok and report.kind == "file" and report.signer == "工程师乙"
    renamed = form.rename(tmp_path / "改名.docx")
    (tmp_path / "改名.docx.minisig").write_bytes(sig.read_bytes())
    report = verify_pack(renamed, [key])
    assert report.ok and any("签名时的文件名" in n for n in report.notes)
    body = bytearray(renamed.read_bytes())
    body[-1] ^= 1
    renamed.write_bytes(bytes(body))
    assert "签名无效" in problems(verify_pack(renamed, [key]))
    (tmp_path / "改名.docx.minisig").unlink()
    with pytest.raises(VerifyError, match="没有签名文件"):
        verify_pack(renamed, [key])
    with pytest.raises(VerifyError, match="找不到"):
        verify_pack(tmp_path / "nothing-here", [key])


def test_a_signed_zip_is_checked_outside_and_inside(pack, tmp_path: Path) -> None:
    _folder, zip_path, key = pack
    archivist = "归档管理员"
    signing_keys.sign_file(tmp_path / "signer", archivist, zip_path)  # a second signer
    report = verify_pack(zip_path, [key])
    assert not report.ok and "不在受信任的公钥中" in problems(report)
    outer_key = TrustedKey(signing_keys.own_public_key(tmp_path / "signer", archivist), archivist)
    assert outer_key.key_id != key.key_id
    assert verify_pack(zip_path, [key, outer_key]).ok
    # an outer signature vouches for everything, so an inner one may be missing
    bare = rezip(
        zip_path,
        tmp_path / "bare.zip",
        lambda n, b: [] if n.endswith(".minisig") else [(n, b)],
    )
    signing_keys.sign_file(tmp_path / "signer", archivist, bare)
    report = verify_pack(bare, [outer_key])
    assert report.ok and any("整体的签名有效" in n for n in report.notes)
    assert "缺少签名文件" in problems(verify_pack(bare, [key]))


# --------------------------------------------------------------------------- trust store and CLI


def test_own_key_is_created_once_and_trusted(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = signing_keys.own_public_key(folder, SIGNER)
    assert signing_keys.own_public_key(folder, SIGNER) == first
    store = Store.open(folder, actor=SIGNER)
    try:
        with store.session() as session:
            (only,) = signing_keys.trusted_keys(session)
            assert only.own and only.public == first and only.name == SIGNER
    finally:
        store.close()


def test_import_refuses_a_second_key_under_a_known_id(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data", actor=SIGNER)
    try:
        real = minisign.generate()
        fake = minisign.SecretKey(real.keynum, os.urandom(32))
        with store.session() as session:
            signing_keys.import_public_key(session, real.public.file_text(), "工程师乙")
        with store.session() as session, pytest.raises(signing_keys.SigningError, match="已拒绝"):
            signing_keys.import_public_key(session, fake.public.file_text(), "冒充者", trust=True)
        with store.session() as session:
            (row,) = signing_keys.list_keys(session)
            assert row.name == "工程师乙" and not row.trusted
    finally:
        store.close()


def test_cli_verify_with_the_trust_store(pack, tmp_path: Path, capsys, monkeypatch) -> None:
    folder, zip_path, key = pack
    pub = tmp_path / "pm.pub"
    pub.write_text(key.public.file_text())
    monkeypatch.setenv("OMW_USER", "客户验收人")
    assert main(["keys", "show"]) == 0  # the verifier's own key, created at first use
    assert main(["verify", str(folder)]) == 1
    assert "不在受信任的公钥中" in capsys.readouterr().err
    assert main(["keys", "import", str(pub), "--name", SIGNER]) == 0
    assert main(["verify", str(zip_path)]) == 1
    assert "已导入但未被信任" in capsys.readouterr().err
    assert main(["keys", "trust", key.key_id[:6]]) == 0
    capsys.readouterr()
    assert main(["verify", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "核验通过" in out and f"签名人：{SIGNER}（密钥 ID {key.key_id}" in out
    assert main(["verify", str(zip_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["signer"] == SIGNER and data["key_id"] == key.key_id
    assert main(["keys", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["keys"]
    assert {(r["name"], r["own"], r["trusted"]) for r in rows} == {
        ("客户验收人", True, True),
        (SIGNER, False, True),
    }
    # any byte changed → exit 1 with the reason; a wrong path → exit 2
    (folder / "SHA256SUMS").write_bytes(b"")
    assert main(["verify", str(folder)]) == 1
    assert "SHA256SUMS" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing")]) == 2
    assert "找不到" in capsys.readouterr().err
    # untrusting is recorded in the audit log and takes effect
    assert main(["keys", "untrust", key.key_id]) == 0
    assert main(["verify", str(zip_path)]) == 1
    store = Store.open(None, exclusive=False)
    try:
        with store.session() as session:
            actions = session.scalars(
                select(AuditEntry.action).where(AuditEntry.entity == "signing_key")
            ).all()
    finally:
        store.close()
    assert actions.count("update") == 2 and actions.count("create") == 2


def test_cli_verify_with_a_key_file_and_no_store(pack, tmp_path: Path, capsys, monkeypatch) -> None:
    folder, _zip, key = pack
    monkeypatch.setenv("OMW_DATA_DIR", str(tmp_path / "no-store-here"))
    pub = tmp_path / "pm.pub"
    pub.write_text(key.public.file_text())
    assert main(["verify", str(folder), "--key", str(pub)]) == 0
    assert not (tmp_path / "no-store-here").exists()  # verifying creates nothing
    assert main(["verify", str(folder)]) == 1
    assert "没有任何受信任的公钥" in capsys.readouterr().err
    assert main(["verify", str(folder), "--key", str(tmp_path / "nope.pub")]) == 2


def test_cli_keys_export_public_and_usage_errors(tmp_path: Path, capsys) -> None:
    out = tmp_path / "me.pub"
    assert main(["--as", "工程师丙", "keys", "export-public", str(out)]) == 0
    public = minisign.parse_public_key(out.read_text())
    assert "工程师丙" in out.read_text().splitlines()[0]
    assert main(["--as", "工程师丙", "keys", "export-public", str(out)]) == 2
    assert main(["--as", "工程师丙", "keys", "export-public", str(out), "--force"]) == 0
    assert minisign.parse_public_key(out.read_text()) == public
    assert main(["keys", "import", str(out)]) == 2  # no --name
    assert main(["keys", "trust", "zz"]) == 2
    assert main(["keys", "trust", "ABCDEF"]) == 2  # unknown id
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key")
    assert main(["keys", "import", str(bad), "--name", "x"]) == 2
    assert "公钥" in capsys.readouterr().err
