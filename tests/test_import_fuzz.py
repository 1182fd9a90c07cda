"""Fuzzing every import entry point with hypothesis, and replaying the corpus of past finds.

Targets and properties:

- **pack zips** (:func:`app.integrity.verify.verify_pack`) and **signed manifests**: a
  report or a :class:`~app.integrity.verify.VerifyError`, never another exception;
  never anything written; ``ok`` only when the content is exactly what the
  trusted key signed.
- **encrypted archives** (:func:`app.export.pack_archive.read_encrypted_zip`): only
  :class:`~app.export.pack_archive.PackArchiveError`; on failure nothing written; on
  success nothing outside the target folder.
- **client templates** (:func:`app.export.client_templates.attach`): only
  domain errors (Chinese messages); on failure no template and no blob stored.
- **contract profiles** (:func:`app.contracts.profiles.load_profile`): a profile or a
  :class:`~app.contracts.profiles.ProfileError`, nothing written.

The default run is small and deterministic (``derandomize``); a bigger one::

    OMW_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q tests/test_import_fuzz.py

(``OMW_FUZZ_RANDOM=1`` draws new inputs on every run instead of the same ones.)

With ``OMW_FUZZ_SAVE=1`` an input that breaks a property is saved into
``tests/fuzz_corpus/<target>/``; every file there is replayed as a regular test.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import shutil
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from sqlalchemy import func, select

from app.contracts.profiles import ProfileError, install_builtin_profiles, load_profile
from app.errors import DomainError
from app.export import client_templates
from app.export.pack_archive import PackArchiveError, read_encrypted_zip, write_encrypted_zip
from app.export.template_files import builtin_bytes
from app.integrity import minisign
from app.integrity.signing_keys import TrustedKey
from app.integrity.verify import VerifyError, verify_pack
from app.storage.store import Store
from db.models import Blob, ExportTemplate
from tests.test_pack_archive import PASS, aes_zip
from tests.test_verify import add_entry, make_pack, sign_manifest, write_manifest, zip_pack

EXAMPLES = int(os.environ.get("OMW_FUZZ_EXAMPLES", "50"))
SAVE = bool(os.environ.get("OMW_FUZZ_SAVE"))
CORPUS = Path(__file__).parent / "fuzz_corpus"
VECTORS = Path(__file__).parent / "minisign_vectors"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("OMW_FUZZ_RANDOM"),  # OMW_FUZZ_RANDOM=1: explore further
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: the fixed key that signs every fuzzed pack (the minisign test vector's: stable packs)
SECRET = minisign.parse_secret_key((VECTORS / "vector.key").read_text())
TRUSTED = [TrustedKey(SECRET.public, "项目经理甲")]
FILES = {
    "01_巡检记录单.docx": b"PK\x03\x04" + b"word/document.xml" * 20,
    "2026-10/02_故障处置报告.xlsx": b"xlsx " * 60,
    "03_说明.txt": "中文内容".encode() * 10,
}
HOSTILE_NAMES = [
    "../evil.txt", "../../etc/passwd", "/abs.txt", "C:/x.txt", "C:x.txt", "a\\..\\..\\b",
    "p/../../x", "p/./x", "p//x", "p/CON", "p/nul.txt", "p/x.", "p/x ", "p/\x00x", "p/\u202ex",
    "p/e\u0301", "p/\u00e9", "p/A.docx", "p/a.docx", "p/", "p/sub/", "x:ads", "p/" + "长" * 300,
    "p/manifest.json", "p/SHA256SUMS", "p/manifest.json.minisig", "p/inner.zip", "p/x.7z",
]  # fmt: skip


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="omw-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root``: name → (mode, size, mtime) to prove nothing was written.

    Folders count by name and mode only (their mtime changes when a staging
    folder is made and removed again, which leaves nothing behind).
    """
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            info = path.lstat()
            is_dir = stat.S_ISDIR(info.st_mode)
            found[path.relative_to(root).as_posix()] = (
                info.st_mode,
                0 if is_dir else info.st_size,
                0 if is_dir else info.st_mtime_ns,
            )
    return found


def save_on_failure(target: str, suffix: str, data: bytes, check: Callable[[], None]) -> None:
    """Run ``check``; with ``OMW_FUZZ_SAVE`` keep an input that breaks it in the corpus."""
    try:
        check()
    except BaseException:
        if SAVE and current_build_context().is_final:  # the shrunk example, once
            folder = CORPUS / target
            folder.mkdir(parents=True, exist_ok=True)
            name = f"found-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
            (folder / name).write_bytes(data)
        raise


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with a few flips, overwrites, insertions, deletions, truncations or splices."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "copy"]))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[pos : pos + len(chunk)] = chunk
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[pos:]
        else:
            start = draw(st.integers(0, len(data) - 1))
            data[pos:pos] = data[start : start + draw(st.integers(1, 200))]
    return bytes(data)


# --------------------------------------------------------------------------- reference inputs


def _reference_folder(root: Path) -> Path:
    return make_pack(root / "p", FILES, SECRET)


_REFERENCE: dict[str, bytes] = {}


def reference_zip() -> bytes:
    """A valid signed pack zip (deterministic: fixed key, dates and order)."""
    if "zip" not in _REFERENCE:
        with sandbox() as root:
            _REFERENCE["zip"] = zip_pack(_reference_folder(root), root / "p.zip").read_bytes()
    return _REFERENCE["zip"]


def reference_encrypted() -> bytes:
    if "aes" not in _REFERENCE:
        with sandbox() as root:
            archive = write_encrypted_zip(_reference_folder(root), root / "p.zip", PASS)
            _REFERENCE["aes"] = archive.read_bytes()
    return _REFERENCE["aes"]


def contents(data: bytes) -> dict[str, bytes] | None:
    """The files of a zip as a lenient reader sees them (``None`` if it cannot).

    Folder entries that hold a file are left out: they add nothing.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                found = {i.filename: zf.read(i) for i in zf.infolist()}
    except Exception:
        return None
    files = [n for n in found if not n.endswith("/")]
    return {
        n: b
        for n, b in found.items()
        if not (n.endswith("/") and not b and any(f.startswith(n) for f in files))
    }


# --------------------------------------------------------------------------- properties


def check_verify_zip(data: bytes, expect_bad: bool = False) -> None:
    with sandbox() as root:
        archive = root / "pack.zip"
        archive.write_bytes(data)
        before = snapshot(root)
        try:
            report = verify_pack(archive, TRUSTED)
        except VerifyError:
            report = None
        assert snapshot(root) == before, "verify wrote something"
    if report is None:
        return
    assert all(isinstance(p, str) and p for p in report.problems)
    if report.ok:
        assert not expect_bad, "a known-bad input verified"
        assert contents(data) == contents(reference_zip()), "changed content verified"


def check_verify_manifest(manifest: bytes) -> None:
    """A pack whose manifest (validly signed by the trusted key) is arbitrary bytes."""
    with sandbox() as root:
        folder = _reference_folder(root)
        (folder / "manifest.json").write_bytes(manifest)
        sign_manifest(folder, SECRET)
        before = snapshot(root)
        report = verify_pack(folder, TRUSTED)
        assert snapshot(root) == before, "verify wrote something"
        assert report.signature_ok, report.problems
        if report.ok:
            doc = json.loads(manifest)
            listed = {f["path"]: f for f in doc["files"]}
            assert set(listed) == set(FILES)
            for path, body in FILES.items():
                assert listed[path]["size"] == len(body)
                assert listed[path]["sha256"] == hashlib.sha256(body).hexdigest()


def check_encrypted(data: bytes, expect_bad: bool = False) -> None:
    with sandbox() as root:
        archive = root / "in" / "pack.zip"
        archive.parent.mkdir()
        archive.write_bytes(data)
        dest = root / "out" / "dest"
        dest.parent.mkdir()
        before = snapshot(root)
        try:
            result = read_encrypted_zip(archive, PASS, dest)
        except PackArchiveError as exc:
            assert exc.message
            assert snapshot(root) == before, "a failed decrypt left something behind"
            return
        assert not expect_bad, "a known-bad archive was decrypted"
        assert result.resolve().is_relative_to(dest.resolve())
        after = snapshot(root)
        new = set(after) - set(before)
        assert all(n.startswith("out/dest/") or n == "out/dest" for n in new), new
        assert {k: v for k, v in after.items() if k in before} == before
        for name in new:
            assert not stat.S_ISLNK(after[name][1])


_STORE: dict[str, Store] = {}


def template_store() -> Store:
    """One store with the built-in contracts for every template example (made once)."""
    if "store" not in _STORE:
        folder = Path(tempfile.mkdtemp(prefix="omw-fuzz-store-"))
        store = Store.open(folder, actor="模糊测试")
        with store.session() as session:
            install_builtin_profiles(session)
        _STORE["store"] = store
    return _STORE["store"]


def _counts(store: Store) -> tuple[int, int]:
    with store.session() as s:
        return (
            s.scalar(select(func.count()).select_from(ExportTemplate)) or 0,
            s.scalar(select(func.count()).select_from(Blob)) or 0,
        )


def check_template(data: bytes) -> None:
    store = template_store()
    before = _counts(store)
    try:
        with store.session() as s:
            client_templates.attach(s, "portal-om", "monthly-report", data, "客户模板")
    except DomainError as exc:
        assert exc.message
        assert _counts(store) == before, "a refused template left rows behind"
        return
    with store.session() as s:  # accepted: clean up for the next example
        for fmt in ("docx", "xlsx"):
            client_templates.remove(s, "portal-om", "monthly-report", fmt)


def check_profile(data: bytes) -> None:
    with sandbox() as root:
        path = root / "profile.yaml"
        path.write_bytes(data)
        before = snapshot(root)
        with contextlib.suppress(ProfileError):
            load_profile(path)
        assert snapshot(root) == before


# --------------------------------------------------------------------------- strategies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    """Manifests close to a real one, with hostile paths, types and duplicates."""
    entries: list[Any] = [
        {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in FILES.items()
    ]
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "dup", "junk", "path", "size", "sha", "field"]))
        if action == "drop" and entries:
            entries.pop(draw(st.integers(0, len(entries) - 1)))
        elif action == "dup" and entries:
            entries.append(copy.deepcopy(entries[0]))
        elif action == "junk":
            entries.insert(draw(st.integers(0, len(entries))), draw(json_values))
        elif entries:
            e = entries[draw(st.integers(0, len(entries) - 1))]
            if isinstance(e, dict):
                key = {"path": "path", "size": "size", "sha": "sha256"}.get(action)
                key = key or draw(st.sampled_from(["path", "size", "sha256", "extra"]))
                e[key] = draw(json_values | st.sampled_from(HOSTILE_NAMES))
    doc: Any = {"format": "omw-pack/1", "files": entries}
    if draw(st.booleans()):
        doc = draw(st.sampled_from([doc, [doc], {"format": draw(json_values), "files": entries}]))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), sort_keys=True)
    if draw(st.integers(0, 9)) == 0:
        text = "[" * draw(st.integers(1, 100_000)) + text  # nesting bombs
    return text.encode("utf-8")


@st.composite
def hostile_zips(draw: st.DrawFn) -> bytes:
    """The signed reference pack plus hostile entries (names, links, sizes, methods)."""
    reference = contents(reference_zip()) or {}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        items = list(reference.items())
        if draw(st.booleans()):
            items = draw(st.permutations(items))
        for name, body in items:
            add_entry(zf, name, body)
        for _ in range(draw(st.integers(1, 4))):
            name = draw(st.sampled_from(HOSTILE_NAMES) | st.text(min_size=1, max_size=20))
            body = draw(st.binary(max_size=64) | st.sampled_from([b"", bytes(100_000)]))
            mode = draw(st.sampled_from([0o644, stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777,
                                         stat.S_IFDIR | 0o755, stat.S_IFIFO | 0o600]))  # fmt: skip
            add_entry(zf, name, body, external_attr=mode << 16)
    return out.getvalue()


@st.composite
def hostile_encrypted(draw: st.DrawFn) -> bytes:
    entries = [
        (draw(st.sampled_from(HOSTILE_NAMES) | st.just("p/ok.txt")), draw(st.binary(max_size=64)))
        for _ in range(draw(st.integers(1, 4)))
    ]
    mode = draw(st.sampled_from([0o644, stat.S_IFLNK | 0o777, stat.S_IFREG | 0o600]))
    with sandbox() as root:
        return aes_zip(root / "x.zip", entries, external_attr=mode << 16).read_bytes()


def _docx_with(document_xml: bytes) -> bytes:
    base = builtin_bytes("monthly_report", "docx")
    assert base is not None
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(
                info.filename, document_xml if info.filename == "word/document.xml" else body
            )
    return out.getvalue()


TEMPLATE_SNIPPETS = [
    "{{ contract.name }}", "{{ period.label }}", "{{ ''.__class__.__mro__ }}", "{{ 9**999999 }}",
    "{{ 'x' * 10**9 }}", "{% for r in rows %}", "{% endfor %}", "{{ nope }}", "{{ contract.nmae }}",
    "{% include '/etc/passwd' %}", "{{ range(10**9)|list }}", "{{ cycler.__init__.__globals__ }}",
    "{%p if x %}", "{{", "}}", "<w:t>", "]]>", "<!ENTITY a 'b'>", "&a;", "&#0;", "\x00", "中文",
]  # fmt: skip


@st.composite
def hostile_documents(draw: st.DrawFn) -> bytes:
    pieces = draw(st.lists(st.sampled_from(TEMPLATE_SNIPPETS) | st.text(max_size=10), max_size=6))
    text = "".join(pieces)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    if draw(st.booleans()):
        xml = '<!DOCTYPE w [<!ENTITY a "aaaa">]>' + xml
    return _docx_with(xml.encode("utf-8", errors="surrogatepass"))


def _profile_text() -> str:
    return (Path(__file__).parent.parent / "resources/profiles/portal-om.yaml").read_text("utf-8")


@st.composite
def profile_texts(draw: st.DrawFn) -> bytes:
    lines = _profile_text().splitlines()
    for _ in range(draw(st.integers(1, 5))):
        pos = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "dup", "value", "indent", "insert"]))
        if kind == "delete":
            del lines[pos]
        elif kind == "dup":
            lines.insert(pos, lines[pos])
        elif kind == "value" and ":" in lines[pos]:
            key = lines[pos].split(":", 1)[0]
            value = draw(
                st.sampled_from(["", "null", "-1", "1e999", "[]", "{}", "*a", "&a [*a, *a]",
                                 "!!python/object:os.system", "2026-02-30", "'x' * 9", "~"])
                | st.text(max_size=12)
            )  # fmt: skip
            lines[pos] = f"{key}: {value}"
        elif kind == "indent":
            lines[pos] = " " * draw(st.integers(0, 9)) + lines[pos].lstrip()
        else:
            lines.insert(pos, draw(st.text(max_size=40)))
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


random_yaml = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=15,
).map(lambda v: yaml.safe_dump(v, allow_unicode=True).encode("utf-8", errors="surrogatepass"))


def _alias_bomb() -> bytes:
    """A billion-laughs YAML: each alias level multiplies the values by four."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(12):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}]")
    return ("\n".join(lines) + "\n").encode()


ALIAS_BOMB = _alias_bomb()


# --------------------------------------------------------------------------- fuzz tests


@FUZZ
@given(data=st.data())
def test_fuzz_pack_zips_for_verify(data: st.DataObject) -> None:
    blob = data.draw(
        mutated(reference_zip()) | hostile_zips() | st.binary(max_size=300).map(lambda b: b"PK" + b)
    )
    save_on_failure("verify_zip", ".zip", blob, lambda: check_verify_zip(blob))


@FUZZ
@given(manifest=manifests() | st.binary(max_size=200))
def test_fuzz_signed_manifests(manifest: bytes) -> None:
    save_on_failure("verify_manifest", ".json", manifest, lambda: check_verify_manifest(manifest))


@FUZZ
@given(data=st.data())
def test_fuzz_encrypted_archives(data: st.DataObject) -> None:
    blob = data.draw(mutated(reference_encrypted()) | hostile_encrypted())
    save_on_failure("pack_archive", ".zip", blob, lambda: check_encrypted(blob))


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_client_templates(data: st.DataObject) -> None:
    docx = builtin_bytes("monthly_report", "docx") or b""
    xlsx = builtin_bytes("monthly_report", "xlsx") or b""
    blob = data.draw(mutated(docx) | mutated(xlsx) | hostile_documents() | st.binary(max_size=200))
    suffix = ".xlsx" if b"xl/workbook.xml" in blob else ".docx"
    save_on_failure("client_template", suffix, blob, lambda: check_template(blob))


@FUZZ
@given(
    blob=profile_texts()
    | random_yaml
    | st.binary(max_size=300)
    | st.just(ALIAS_BOMB)
    | mutated(_profile_text().encode("utf-8"))
)
def test_fuzz_profile_yaml(blob: bytes) -> None:
    save_on_failure("profile", ".yaml", blob, lambda: check_profile(blob))


def test_reference_inputs_are_accepted() -> None:
    """The fuzzers start from inputs that pass, so mutations test the checks, not the setup."""
    with sandbox() as root:
        (root / "p.zip").write_bytes(reference_zip())
        assert verify_pack(root / "p.zip", TRUSTED).ok
        (root / "a.zip").write_bytes(reference_encrypted())
        assert read_encrypted_zip(root / "a.zip", PASS, root / "out").is_dir()
    check_template(builtin_bytes("monthly_report", "docx") or b"")
    assert load_profile(Path(__file__).parent.parent / "resources/profiles/portal-om.yaml")
    assert ALIAS_BOMB.count(b"&") == 13


# --------------------------------------------------------------------------- the corpus

CHECKS: dict[str, Callable[[bytes], None]] = {
    "verify_zip": lambda b: check_verify_zip(b, expect_bad=True),
    "verify_manifest": check_verify_manifest,
    "pack_archive": lambda b: check_encrypted(b, expect_bad=True),
    "client_template": check_template,
    "profile": check_profile,
}


def _corpus() -> list[Any]:
    cases = []
    for target in sorted(CHECKS):
        folder = CORPUS / target
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if not path.is_file() or path.suffix == ".md":
                    continue
                cases.append(pytest.param(target, path, id=f"{target}/{path.name}"))
    return cases


@pytest.mark.parametrize(("target", "path"), _corpus())
def test_corpus_replays(target: str, path: Path) -> None:
    CHECKS[target](path.read_bytes())


def test_corpus_is_not_empty() -> None:
    assert len(_corpus()) >= 3


@pytest.fixture(scope="module", autouse=True)
def _close_template_store() -> Iterator[None]:
    yield
    store = _STORE.pop("store", None)
    if store is not None:
        folder = store.folder
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


# keep the helpers importable for ad-hoc corpus work
__all__ = [
    "check_encrypted",
    "check_verify_zip",
    "reference_encrypted",
    "reference_zip",
    "write_manifest",
]
