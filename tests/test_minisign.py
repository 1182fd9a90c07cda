"""minisign compatibility: vectors made with the real tool, tampering, and ``minisign -V`` itself.

The vectors in ``tests/minisign_vectors/`` were made with minisign 0.11 (see
its README). The tests that run the ``minisign`` program skip cleanly where it
is not installed (Debian: ``apt-get install minisign``).
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from app.export import packs
from app.integrity import minisign, signing_keys
from app.integrity.signing_keys import TrustedKey
from app.integrity.verify import verify_pack
from tests.test_export_fixtures import MONTH, demo_dir, demo_store  # noqa: F401
from tests.tools import require_tool

VECTORS = Path(__file__).parent / "minisign_vectors"
VECTOR_KEY_ID = "D673AD8D091A79DE"
needs_minisign = pytest.mark.needs_tool("minisign")


def _vector_key() -> minisign.SecretKey:
    return minisign.parse_secret_key((VECTORS / "vector.key").read_text())


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("minisign"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --------------------------------------------------------------------------- vectors


def test_public_key_vector_and_key_id() -> None:
    public = minisign.parse_public_key((VECTORS / "vector.pub").read_bytes())
    assert public.key_id == VECTOR_KEY_ID
    assert minisign.keynum_of(VECTOR_KEY_ID) == public.keynum
    # what minisign prints for -P is the second line, and we write the same file back
    assert public.line() == (VECTORS / "vector.pub").read_text().splitlines()[1]
    assert public.file_text() == (VECTORS / "vector.pub").read_text()
    assert _vector_key().public == public


def test_signature_vector_verifies_and_is_reproduced_byte_for_byte() -> None:
    data = (VECTORS / "data.txt").read_bytes()
    text = (VECTORS / "data.txt.minisig").read_text()
    signature = minisign.parse_signature(text)
    assert signature.algorithm == b"ED" and signature.key_id == VECTOR_KEY_ID
    public = minisign.parse_public_key((VECTORS / "vector.pub").read_text())
    minisign.verify(public, signature, data=data)
    minisign.verify_file(public, signature, VECTORS / "data.txt")
    # Ed25519 is deterministic: our signer gives the real tool's exact bytes
    ours = minisign.sign(
        _vector_key(),
        data,
        trusted_comment=signature.trusted_comment,
        untrusted_comment=signature.untrusted_comment,
    )
    assert ours.file_text() == text


def test_legacy_signature_vector_verifies() -> None:
    data = (VECTORS / "data.txt").read_bytes()
    signature = minisign.parse_signature((VECTORS / "data.txt.legacy.minisig").read_bytes())
    assert signature.algorithm == b"Ed" and not signature.prehashed
    public = minisign.parse_public_key((VECTORS / "vector.pub").read_text())
    minisign.verify(public, signature, data=data)
    with pytest.raises(minisign.MinisignError, match="签名无效"):
        minisign.verify(public, signature, data=data + b"x")


def test_changed_file_or_trusted_comment_fails() -> None:
    data = (VECTORS / "data.txt").read_bytes()
    public = minisign.parse_public_key((VECTORS / "vector.pub").read_text())
    signature = minisign.parse_signature((VECTORS / "data.txt.minisig").read_text())
    with pytest.raises(minisign.MinisignError, match="签名无效"):
        minisign.verify(public, signature, data=data.replace(b"test", b"Test"))
    forged = minisign.Signature(
        signature.algorithm,
        signature.keynum,
        signature.signature,
        signature.trusted_comment.replace("1767225600", "1767225601"),
        signature.global_signature,
    )
    with pytest.raises(minisign.MinisignError, match="可信注释"):
        minisign.verify(public, forged, data=data)


def test_wrong_key_fails() -> None:
    data = (VECTORS / "data.txt").read_bytes()
    signature = minisign.parse_signature((VECTORS / "data.txt.minisig").read_text())
    other = minisign.generate().public
    with pytest.raises(minisign.MinisignError, match="用错了公钥"):
        minisign.verify(other, signature, data=data)
    # a forger who relabels the signature with the other key's id still fails
    relabelled = minisign.Signature(
        signature.algorithm,
        other.keynum,
        signature.signature,
        signature.trusted_comment,
        signature.global_signature,
    )
    with pytest.raises(minisign.MinisignError, match="签名无效"):
        minisign.verify(other, relabelled, data=data)


def test_every_truncation_of_a_signature_is_refused() -> None:
    text = (VECTORS / "data.txt.minisig").read_text()
    public = minisign.parse_public_key((VECTORS / "vector.pub").read_text())
    data = (VECTORS / "data.txt").read_bytes()
    for cut in range(len(text.rstrip("\n"))):
        with pytest.raises(minisign.MinisignError):
            minisign.verify(public, minisign.parse_signature(text[:cut]), data=data)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        b"\xff\xfe",
        "untrusted comment: x\nRUQ=\ntrusted comment: y\nAAAA\n",
        "untrusted comment: x\n!!!\ntrusted comment: y\nAAAA\n",
        "a\nb\nc\nd\ne\n",
        "x" * (minisign.MAX_SIGNATURE_FILE_BYTES + 1),
    ],
)
def test_malformed_signatures_are_domain_errors(text: str | bytes) -> None:
    with pytest.raises(minisign.MinisignError):
        minisign.parse_signature(text)


@pytest.mark.parametrize(
    "text", ["", "untrusted comment: x\n", "RWQ=", "untrusted comment: x\nRUQAAAA=\n"]
)
def test_malformed_public_keys_are_domain_errors(text: str) -> None:
    with pytest.raises(minisign.MinisignError):
        minisign.parse_public_key(text)


def test_secret_key_file_round_trip() -> None:
    key = minisign.generate()
    assert minisign.parse_secret_key(minisign.secret_key_file(key, None)) == key
    sealed = minisign.secret_key_file(key, "correct horse", opslimit=2**16, memlimit=2**22)
    assert minisign.parse_secret_key(sealed, "correct horse") == key
    with pytest.raises(minisign.MinisignError, match="口令"):
        minisign.parse_secret_key(sealed, "wrong horse")
    with pytest.raises(minisign.MinisignError, match="口令"):
        minisign.parse_secret_key(sealed)


def test_scrypt_params_follow_libsodium() -> None:
    # minisign's own defaults and the export's cheaper ones
    assert minisign.scrypt_params(1048576 * 32, 1073741824) == (2**20, 8, 1)
    assert minisign.scrypt_params(minisign.EXPORT_OPSLIMIT, minisign.EXPORT_MEMLIMIT) == (
        2**17,
        8,
        1,
    )
    raw = base64.b64decode(minisign.secret_key_file(minisign.generate(), "pw").splitlines()[1])
    assert raw[:6] == b"EdScB2" and len(raw) == 158


def test_verification_code_and_digest() -> None:
    digest = signing_keys.document_digest(b"hello")
    assert digest == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert signing_keys.verification_code(VECTOR_KEY_ID, digest) == "KD673-2CF2-4DBA"
    assert signing_keys.verification_code(VECTOR_KEY_ID.lower(), bytes.fromhex(digest)) == (
        "KD673-2CF2-4DBA"
    )
    with pytest.raises(signing_keys.SigningError):
        signing_keys.verification_code("xyz", digest)
    with pytest.raises(signing_keys.SigningError):
        signing_keys.verification_code(VECTOR_KEY_ID, "not hex")


# --------------------------------------------------------------------------- the real tool


def _export_and_sign(store, out: Path) -> tuple[Path, Path]:
    with store.session() as session:
        plan = packs.plan_month(session, "internet-om", MONTH)
    result = packs.export_pack(store, plan, out, exporter="项目经理甲", make_zip=False)
    assert (result.folder / "manifest.json.minisig").is_file()  # signed by the export itself
    pub = out / "pm.pub"
    pub.write_text(signing_keys.own_public_key(store, "项目经理甲").file_text())
    return result.folder, pub


@needs_minisign
def test_minisign_accepts_an_exported_pack_manifest(demo_store, tmp_path: Path) -> None:
    folder, pub = _export_and_sign(demo_store, tmp_path / "out")
    done = _run("-Vm", str(folder / "manifest.json"), "-p", str(pub))
    assert done.returncode == 0, done.stderr
    assert "Signature and comment signature verified" in done.stdout
    assert "signer:项目经理甲" in done.stdout and "file:manifest.json" in done.stdout
    # the same pack verifies with omw, and a changed manifest fails with both
    public = minisign.parse_public_key(pub.read_text())
    assert verify_pack(folder, [TrustedKey(public, "项目经理甲")]).ok
    manifest = folder / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"size": ', b'"size":  ', 1))
    assert _run("-Vm", str(manifest), "-p", str(pub)).returncode != 0
    report = verify_pack(folder, [TrustedKey(public, "项目经理甲")])
    assert not report.ok and any("签名无效" in p for p in report.problems)


@needs_minisign
def test_minisign_accepts_an_exported_pack_zip_and_its_inner_manifest(
    demo_store, tmp_path: Path
) -> None:
    with demo_store.session() as session:
        plan = packs.plan_month(session, "internet-om", MONTH)
    result = packs.export_pack(demo_store, plan, tmp_path / "out", exporter="项目经理甲")
    assert result.zip_path is not None
    pub = tmp_path / "omw.pub"
    pub.write_text(signing_keys.own_public_key(demo_store, "项目经理甲").file_text())
    done = _run("-Vm", str(result.zip_path), "-p", str(pub))  # <pack>.zip.minisig
    assert done.returncode == 0, done.stderr
    assert f"file:{result.zip_path.name}" in done.stdout
    assert _run("-Vm", str(result.folder / "manifest.json"), "-p", str(pub)).returncode == 0


@needs_minisign
def test_minisign_accepts_a_signed_single_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    target = tmp_path / "单个表单.docx"
    target.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 50)
    sig = signing_keys.sign_file(folder, "工程师乙", target)
    assert sig == tmp_path / "单个表单.docx.minisig"
    pub = tmp_path / "k.pub"
    pub.write_text(signing_keys.own_public_key(folder, "工程师乙").file_text())
    assert _run("-Vm", str(target), "-p", str(pub)).returncode == 0
    assert _run("-H", "-Vm", str(target), "-p", str(pub)).returncode == 0  # prehashed


@needs_minisign
def test_signatures_of_the_real_tool_verify_with_omw(tmp_path: Path) -> None:
    done = _run("-G", "-W", "-p", str(tmp_path / "k.pub"), "-s", str(tmp_path / "k.key"))
    assert done.returncode == 0, done.stderr
    target = tmp_path / "报告.xlsx"
    target.write_bytes(b"\x00\x01" * 5000)
    assert _run("-S", "-s", str(tmp_path / "k.key"), "-m", str(target)).returncode == 0
    public = minisign.parse_public_key((tmp_path / "k.pub").read_text())
    report = verify_pack(target, [TrustedKey(public, "外部签名人")])
    assert report.ok and report.signer == "外部签名人", report.problems
    target.write_bytes(b"\x00\x01" * 4999 + b"\x00\x02")
    assert not verify_pack(target, [TrustedKey(public, "外部签名人")]).ok


@needs_minisign
def test_minisign_signs_with_an_exported_encrypted_secret_key(tmp_path: Path) -> None:
    key = minisign.generate()
    (tmp_path / "k.key").write_text(minisign.secret_key_file(key, "导出口令 export-pw"))
    target = tmp_path / "f.txt"
    target.write_bytes(b"hello")
    done = _run(
        "-S", "-s", str(tmp_path / "k.key"), "-m", str(target), stdin="导出口令 export-pw\n"
    )
    assert done.returncode == 0, done.stderr
    signature = minisign.parse_signature((tmp_path / "f.txt.minisig").read_text())
    minisign.verify(key.public, signature, data=b"hello")
    # and minisign recreates the same public key from it
    done = _run(
        "-R",
        "-s",
        str(tmp_path / "k.key"),
        "-p",
        str(tmp_path / "k.pub"),
        stdin="导出口令 export-pw\n",
    )
    assert done.returncode == 0, done.stderr
    assert minisign.parse_public_key((tmp_path / "k.pub").read_text()) == key.public
