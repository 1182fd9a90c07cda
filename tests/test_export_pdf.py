"""Every exported file converts to PDF with LibreOffice (where LibreOffice is installed)."""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from app.export import packs
from tests.test_export_fixtures import CODES, MONTH, demo_dir, demo_store  # noqa: F401
from tests.tools import require_tool

#: LibreOffice converts some 70 files: ~40 s alone, much longer next to other tests on 2 cores
pytestmark = [pytest.mark.slow, pytest.mark.needs_tool("soffice"), pytest.mark.timeout(600)]


def test_every_exported_file_converts_to_pdf(demo_store, tmp_path: Path) -> None:
    files: list[Path] = []
    for code in CODES:
        with demo_store.session() as s:
            plan = packs.plan_month(s, code, MONTH)
        result = packs.export_pack(
            demo_store, plan, tmp_path / code, record=False, now=datetime(2026, 11, 2, 9)
        )
        files += sorted(p for p in result.folder.rglob("*") if p.suffix in (".docx", ".xlsx"))
    flat = tmp_path / "flat"
    flat.mkdir()
    sources = []
    for n, path in enumerate(files):
        target = flat / f"{n:03d}{path.suffix}"
        shutil.copy(path, target)
        sources.append(target)
    pdf = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            require_tool("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=540,
    )
    for source, original in zip(sources, files, strict=True):
        out = pdf / f"{source.stem}.pdf"
        assert out.is_file(), f"{original.name} did not convert"
        assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 1000, original.name
