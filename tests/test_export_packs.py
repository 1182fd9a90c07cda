"""Packs: manifest and hashes, zip, cancel and failure leave nothing, exports recorded, CLI."""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import errno
import hashlib
import json
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.cli.main import main
from app.export import packs
from app.export.errors import ExportCancelled, ExportError
from app.export.render import Renderer
from app.schedule.deadlines import deadlines
from tests.test_export_fixtures import MONTH, demo_dir, demo_store  # noqa: F401

NOW = datetime(2026, 11, 2, 9, 0)


def _plan(store, code: str = "internet-om") -> packs.PackPlan:
    with store.session() as s:
        return packs.plan_month(s, code, MONTH)


def test_manifest_lists_every_file_with_its_hash(demo_store, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    result = packs.export_pack(
        demo_store,
        _plan(demo_store),
        tmp_path / "out",
        exporter="项目经理甲",
        progress=lambda d, t, m: calls.append((d, t, m)),
        now=NOW,
        allow_unreviewed=True,
    )
    manifest = json.loads((result.folder / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "omw-pack/1" and manifest["kind"] == "month"
    assert manifest["exporter"] == "项目经理甲" and manifest["app_version"]
    assert manifest["period"] == {"start": "2026-10-01", "end": "2026-10-31", "label": "2026年10月"}
    assert manifest["contract"]["code"] == "internet-om"
    on_disk = sorted(
        p.relative_to(result.folder).as_posix()
        for p in result.folder.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", "manifest.json.minisig", "SHA256SUMS")
    )
    assert sorted(f["path"] for f in manifest["files"]) == on_disk
    for entry in manifest["files"]:
        body = (result.folder / entry["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["size"]
        assert entry["form"] and entry["period_key"]
    faults = [f for f in manifest["files"] if f["form"] == "fault_report"]
    assert faults and all(len(f["record_ids"]) == 1 for f in faults)
    sums = (result.folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == len(manifest["files"])
    with zipfile.ZipFile(result.zip_path) as zf:
        names = set(zf.namelist())
        for entry in manifest["files"]:
            name = f"{result.folder.name}/{entry['path']}"
            assert name in names
            assert hashlib.sha256(zf.read(name)).hexdigest() == entry["sha256"]
        assert (
            zf.read(f"{result.folder.name}/manifest.json")
            == (result.folder / "manifest.json").read_bytes()
        )
        assert (
            zf.read(f"{result.folder.name}/manifest.json.minisig")
            == (result.folder / "manifest.json.minisig").read_bytes()
        )
    assert Path(f"{result.zip_path}.minisig").is_file()
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    # the deliverables now show as exported
    with demo_store.session() as s:
        found = {
            (d.code, d.period_key): d for d in deadlines(s, "internet-om", today=date(2026, 11, 2))
        }
    assert found[("phone-log", MONTH)].submitted.state == "exported"
    assert found[("monthly-analysis", MONTH)].submitted.file_sha256 in {
        f["sha256"] for f in manifest["files"]
    }


def test_cancel_leaves_no_partial_output(demo_store, tmp_path: Path) -> None:
    event = threading.Event()
    seen: list[str] = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append(message)
        if done == 3:
            event.set()

    with pytest.raises(ExportCancelled):
        packs.export_pack(
            demo_store,
            _plan(demo_store),
            tmp_path / "out",
            progress=progress,
            cancel=event,
            allow_unreviewed=True,
        )
    assert list((tmp_path / "out").iterdir()) == []
    assert len(seen) == 4
    # a callable works too, and cancelling before the first file writes nothing either
    with pytest.raises(ExportCancelled):
        packs.export_pack(
            demo_store,
            _plan(demo_store),
            tmp_path / "out",
            cancel=lambda: True,
            allow_unreviewed=True,
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_failure_midway_removes_everything(
    demo_store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Renderer.render
    count = {"n": 0}

    def flaky(self, ctx, fmt, code=""):
        count["n"] += 1
        if count["n"] == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, ctx, fmt, code)

    monkeypatch.setattr(Renderer, "render", flaky)
    with pytest.raises(ExportError) as failed:
        packs.export_pack(demo_store, _plan(demo_store), tmp_path / "out", allow_unreviewed=True)
    assert (
        failed.value.message == f"无法写入输出目录 {tmp_path / 'out'}：磁盘空间不足。导出未完成。"
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_an_output_folder_that_cannot_be_made_is_explained(
    demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In Chinese, in the window's message and on the command line (no traceback)."""
    (tmp_path / "a-file").write_bytes(b"")
    out = tmp_path / "a-file" / "packs"
    with pytest.raises(ExportError) as failed:
        packs.export_pack(demo_store, _plan(demo_store), out, allow_unreviewed=True)
    assert failed.value.message == (
        f"无法创建输出目录 {out}：路径中有一项不是文件夹。未导出任何文件。"
    )
    folder = str(demo_store.folder)
    demo_store.close()
    args = ["--data-dir", folder, "export", "month", "--contract", "internet-om"]
    code = main([*args, "--month", MONTH, "--out", str(out), "--allow-unreviewed"])
    err = capsys.readouterr().err
    assert code == 2
    assert "路径中有一项不是文件夹" in err and "Traceback" not in err, err


def test_what_a_killed_export_left_is_cleaned_by_the_next_export(
    demo_store, tmp_path: Path
) -> None:
    """A kill leaves the staging folder and the temporary zip (hidden names); the next
    export of that pack removes them. Another pack's may be in progress: left alone."""
    plan = _plan(demo_store, "portal-om")
    out = tmp_path / "out"
    staging = out / f".{plan.folder}.partial-0badcafe"
    (staging / "sub").mkdir(parents=True)
    (staging / "sub" / "half.docx").write_bytes(b"PK half")
    zip_tmp = out / f".{plan.folder}.zip.k1ll3d.tmp"
    zip_tmp.write_bytes(b"PK half")
    other = out / ".另一个交付包.partial-12345678"
    other.mkdir()
    result = packs.export_pack(demo_store, plan, out, record=False, now=NOW, allow_unreviewed=True)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [result.folder.name, result.zip_path.name, f"{result.zip_path.name}.minisig", other.name]
    )


def test_existing_pack_needs_overwrite(demo_store, tmp_path: Path) -> None:
    plan = _plan(demo_store, "portal-om")
    tmp_path = tmp_path / "out"
    first = packs.export_pack(
        demo_store, plan, tmp_path, record=False, now=NOW, allow_unreviewed=True
    )
    with pytest.raises(ExportError, match="已存在"):
        packs.export_pack(demo_store, plan, tmp_path, record=False, now=NOW, allow_unreviewed=True)
    again = packs.export_pack(
        demo_store, plan, tmp_path, record=False, overwrite=True, now=NOW, allow_unreviewed=True
    )
    assert again.folder == first.folder and (again.folder / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        first.folder.name,
        first.zip_path.name,
        f"{first.zip_path.name}.minisig",
    ]


def test_range_archive_has_summary_and_month_folders(demo_store, tmp_path: Path) -> None:
    with demo_store.session() as s:
        plan = packs.plan_range(s, "portal-om", date(2026, 10, 1), date(2026, 10, 31))
    paths = [f.path for f in plan.files]
    assert any(p.startswith("2026-10/") for p in paths)
    assert any(f.kind == "summary_report" for f in plan.files)
    result = packs.export_pack(
        demo_store, plan, tmp_path, record=False, now=NOW, allow_unreviewed=True
    )
    assert result.manifest["kind"] == "range"
    assert (result.folder / "2026-10").is_dir()


def test_cli_export_and_template_fields(
    demo_store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = str(demo_store.folder)
    demo_store.close()
    out = tmp_path / "out"
    export_month = ["--data-dir", data_dir, "export", "month", "--contract", "internet-om"]
    export_month += ["--month", MONTH, "--out", str(out)]
    assert main(export_month) == 0
    assert "已导出" in capsys.readouterr().out
    assert list(out.glob("*.zip"))
    assert main(export_month) == 2  # the same pack again: refused, nothing overwritten
    assert "已存在" in capsys.readouterr().err
    assert (
        main(
            [
                "--data-dir",
                data_dir,
                "export",
                "range",
                "--contract",
                "portal-om",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
                "--out",
                str(out),
                "--dry-run",
            ]
        )
        == 0
    )
    assert "阶段运维总结报告" in capsys.readouterr().out
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text("utf-8"))
    fault_id = next(f for f in manifest["files"] if f["form"] == "fault_report")["record_ids"][0]
    target = tmp_path / "one.docx"
    assert (
        main(
            [
                "--data-dir",
                data_dir,
                "export",
                "form",
                "fault_report",
                "--record",
                fault_id,
                "--out",
                str(target),
            ]
        )
        == 0
    )
    assert target.is_file()
    assert (
        main(
            [
                "--data-dir",
                data_dir,
                "export",
                "form",
                "no_such_form",
                "--record",
                "x",
                "--out",
                str(target),
            ]
        )
        == 2
    )
    assert "没有表单类型" in capsys.readouterr().err
    one_form = ["--data-dir", data_dir, "export", "form", "fault_report", "--record", fault_id]
    for code, said in (
        ("nope", "没有代码为 “nope” 的交付物。「系统故障处置报告」对应的交付物：fault-report（"),
        ("daily-log", "交付物 daily-log（日常巡检记录）不是「系统故障处置报告」"),
    ):  # a mistyped code is not the built-in template without a word
        assert main([*one_form, "--deliverable", code, "--out", str(tmp_path / "x.docx")]) == 2
        assert said in capsys.readouterr().err
        assert not (tmp_path / "x.docx").exists()
    month = ["--data-dir", data_dir, "export", "month", "--contract", "portal-om"]
    month += ["--month", MONTH, "--out", str(tmp_path / "packs"), "--dry-run"]
    assert main([*month, "--deliverable", "monthly-report"]) == 2
    assert "--deliverable 只用于 omw export form" in capsys.readouterr().err
    assert main(["template-fields", "monthly_report"]) == 0
    text = capsys.readouterr().out
    assert "charts.<代码>" in text and "signatures.operator.image" in text and "{%tr for" in text
    assert main(["template-fields"]) == 0
    assert "inspection_record" in capsys.readouterr().out


def test_cli_export_takes_only_the_options_of_what_it_exports(
    demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export form --dry-run`` wrote the file, ``export form --month`` exported the whole
    contract period, an existing form file was overwritten without a word."""
    data_dir = str(demo_store.folder)
    demo_store.close()
    target = tmp_path / "phone.xlsx"
    form = ["--data-dir", data_dir, "export", "form", "phone_log", "--contract", "internet-om"]
    form += ["--out", str(target)]
    for extra, said in (
        (["--dry-run"], "--dry-run 只用于 omw export month、omw export range"),
        (["--no-zip"], "--no-zip 只用于"),
        (["--label", "x"], "--label 只用于 omw export range"),
        (["--allow-unreviewed"], "--allow-unreviewed 只用于"),
        (["--month", MONTH, "--from", "2026-10-01"], "--month 与 --from/--to 只能给出一种"),
    ):
        assert main([*form, *extra]) == 2, extra
        assert said in capsys.readouterr().err
        assert not target.exists()
    assert main([*form, "--month", MONTH, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(target)
    sheet = load_workbook(target).worksheets[0]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "2026-10-01 至 2026-10-31" in text or "2026年10月" in text, text[:300]
    assert "合同期" not in text
    before = target.read_bytes()
    assert main([*form, "--month", MONTH]) == 2  # there already: refused, left as it was
    assert "文件已存在" in capsys.readouterr().err and target.read_bytes() == before
    assert main([*form, "--month", "2026-09", "--force"]) == 0
    assert target.read_bytes() != before
    pack = ["--data-dir", data_dir, "export", "month", "--contract", "internet-om"]
    pack += ["--month", MONTH, "--out", str(tmp_path / "packs"), "--dry-run"]
    assert main([*pack, "--from", "2026-10-01"]) == 2
    assert "--from 只用于 omw export form、omw export range" in capsys.readouterr().err
    archive = ["--data-dir", data_dir, "export", "range", "--contract", "internet-om"]
    archive += ["--from", "2026-10-01", "--to", "2026-10-31", "--out", str(tmp_path / "a")]
    assert main([*archive, "--month", MONTH, "--dry-run"]) == 2
    assert "--month 只用于 omw export form、omw export month" in capsys.readouterr().err


# --------------------------------------------------------------------------- signed out of the box


def _trusted(store) -> list:
    from app.integrity.signing_keys import known_keys

    with store.session() as s:
        return known_keys(s)


def _flip(path: Path, at: int) -> bytes:
    data = path.read_bytes()
    changed = bytearray(data)
    changed[at % len(data)] ^= 0x01
    path.write_bytes(bytes(changed))
    return data


def test_exported_pack_verifies_with_the_stores_keys_and_any_flipped_byte_fails(
    demo_store, tmp_path: Path
) -> None:
    from app.integrity.verify import verify_pack

    result = packs.export_pack(
        demo_store,
        _plan(demo_store),
        tmp_path,
        exporter="项目经理甲",
        now=NOW,
        allow_unreviewed=True,
    )
    keys = _trusted(demo_store)  # the exporter's own key, trusted automatically
    assert result.zip_path is not None
    zip_sig = Path(f"{result.zip_path}.minisig")
    assert zip_sig.is_file() and (result.folder / "manifest.json.minisig").is_file()
    for target in (result.folder, result.zip_path):
        report = verify_pack(target, keys)
        assert report.ok, report.problems
        assert report.signer == "项目经理甲"
    form = result.folder / result.manifest["files"][0]["path"]
    for victim in (form, result.folder / "manifest.json", result.folder / "manifest.json.minisig"):
        original = _flip(victim, len(victim.read_bytes()) // 2)
        assert not verify_pack(result.folder, keys).ok, victim.name
        victim.write_bytes(original)
        assert verify_pack(result.folder, keys).ok
    for victim in (result.zip_path, zip_sig):
        original = _flip(victim, len(victim.read_bytes()) // 3)
        assert not verify_pack(result.zip_path, keys).ok, victim.name
        victim.write_bytes(original)
    assert verify_pack(result.zip_path, keys).ok


def test_single_form_is_signed_and_verifies(demo_store, tmp_path: Path) -> None:
    from app.integrity.verify import verify_pack

    plan = _plan(demo_store)
    fault_id = next(f for f in plan.files if f.kind == "fault_report").record_ids[0]
    out = packs.export_form(
        demo_store, "fault_report", tmp_path / "f.docx", record_id=fault_id, exporter="工程师乙"
    )
    assert out.signature == tmp_path / "f.docx.minisig" and out.signature.is_file()
    keys = _trusted(demo_store)
    report = verify_pack(out.path, keys)
    assert report.ok and report.signer == "工程师乙", report.problems
    _flip(out.path, 100)
    assert not verify_pack(out.path, keys).ok


def test_footer_code_is_key_id_and_content_digest_and_matches_the_manifest(
    demo_store, tmp_path: Path
) -> None:
    import re

    from app.integrity.signing_keys import own_public_key

    result = packs.export_pack(
        demo_store,
        _plan(demo_store),
        tmp_path,
        exporter="项目经理甲",
        record=False,
        now=NOW,
        allow_unreviewed=True,
    )
    key_id = own_public_key(demo_store, "项目经理甲").key_id
    docx = [f for f in result.manifest["files"] if f["format"] == "docx"]
    assert docx
    for entry in docx:
        code = entry["verification_code"]
        assert re.fullmatch(r"K[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code)
        assert code.startswith(f"K{key_id[:4]}-")
        with zipfile.ZipFile(result.folder / entry["path"]) as zf:
            footers = [n for n in zf.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
            text = "".join(zf.read(n).decode("utf-8") for n in footers)
        assert code in text, entry["path"]
    # the code names the content, not the export: the same export again gives the same codes
    again = packs.export_pack(
        demo_store,
        _plan(demo_store),
        tmp_path / "again",
        exporter="项目经理甲",
        record=False,
        now=NOW,
        allow_unreviewed=True,
    )
    assert [f["verification_code"] for f in again.manifest["files"]] == [
        f["verification_code"] for f in result.manifest["files"]
    ]


def test_cli_export_verify_and_encrypt(
    demo_store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.export import pack_archive

    data_dir = str(demo_store.folder)
    demo_store.close()
    out = tmp_path / "out"
    passphrase = "交付包口令 carry-2026"
    monkeypatch.setenv(pack_archive.ENV_PASSPHRASE, passphrase)
    args = ["--data-dir", data_dir, "--as", "项目经理甲", "export", "month"]
    args += ["--contract", "internet-om", "--month", MONTH, "--out", str(out), "--encrypt"]
    assert main(args) == 0
    capsys.readouterr()
    folder = next(p for p in out.iterdir() if p.is_dir())
    encrypted = out / f"{folder.name}.encrypted.zip"
    assert encrypted.is_file()
    for target in (folder, out / f"{folder.name}.zip"):
        assert main(["--data-dir", data_dir, "verify", str(target)]) == 0, capsys.readouterr()
    opened = pack_archive.read_encrypted_zip(encrypted, passphrase, tmp_path / "opened")
    assert main(["--data-dir", data_dir, "verify", str(opened)]) == 0
    target = tmp_path / "one.docx"
    fault_id = json.loads((folder / "manifest.json").read_text("utf-8"))
    fault_id = next(f for f in fault_id["files"] if f["form"] == "fault_report")["record_ids"][0]
    form = ["--data-dir", data_dir, "export", "form", "fault_report", "--record", fault_id]
    assert main([*form, "--out", str(target)]) == 0
    assert Path(f"{target}.minisig").is_file()
    assert main(["--data-dir", data_dir, "verify", str(target)]) == 0
