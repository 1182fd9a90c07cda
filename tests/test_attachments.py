"""Evidence images: stored once by content hash, only real images, limited in size."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import DomainError, NotFound
from app.records import attachments
from app.records import inspections as ins
from app.storage.store import Store
from db.models import Attachment, AuditEntry, Blob
from tests.factories import count, install, jpeg_bytes, png_bytes
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)


def _run_id(store: Store) -> str:
    with store.session() as s:
        install(s)
        run = ins.start_run(
            s, "test-portal", "monthly", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        return run.id


def test_images_are_deduplicated_by_content(store: Store) -> None:
    run_id = _run_id(store)
    with store.session() as s:
        a = attachments.add_attachment(
            s, "inspection_run", run_id, png_bytes(), r"C:\截图\磁盘.png"
        )
        b = attachments.add_attachment(
            s, "inspection_run", run_id, png_bytes(), "again.png", caption="同一张图"
        )
        c = attachments.add_attachment(
            s, "inspection_run", run_id, jpeg_bytes(), "photo.bin", mime="image/png"
        )
        s.flush()
        assert a.blob_sha256 == b.blob_sha256 != c.blob_sha256
        assert a.filename == "磁盘.png" and a.mime == "image/png"
        assert c.mime == "image/jpeg"  # sniffed from the bytes, not the hint
        assert count(s, Blob) == 2 and count(s, Attachment) == 3
        listed = attachments.list_attachments(s, "inspection_run", run_id)
        assert {x.id for x in listed} == {a.id, b.id, c.id}
        assert attachments.blob_bytes(s, a.blob_sha256) == png_bytes()
        with pytest.raises(NotFound):
            attachments.blob_bytes(s, "0" * 64)
        attachments.remove_attachment(s, b.id)
        assert len(attachments.list_attachments(s, "inspection_run", run_id)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空文件"),
        (b"%PDF-1.7 not an image", "只能添加图片"),
        (b"MZ\x90\x00 an exe", "只能添加图片"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (20 * 1024 * 1024), "附件过大"),
        ("text", "字节"),
    ],
)
def test_non_images_and_huge_files_are_refused(store: Store, data: bytes, message: str) -> None:
    run_id = _run_id(store)
    with store.session() as s:
        entries = count(s, AuditEntry)
        with pytest.raises(DomainError, match=message):
            attachments.add_attachment(s, "inspection_run", run_id, data, "x.png")
        s.flush()
        assert count(s, Attachment) == count(s, Blob) == 0
        assert count(s, AuditEntry) == entries


def test_other_image_types_are_sniffed() -> None:
    assert attachments.sniff_image(b"GIF89a....") == "image/gif"
    assert attachments.sniff_image(b"BM" + b"\x00" * 30) == "image/bmp"
    assert attachments.sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert attachments.sniff_image(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None


def test_unknown_owner_is_refused(store: Store) -> None:
    with store.session() as s:
        with pytest.raises(DomainError, match="不能给"):
            attachments.add_attachment(s, "contract", "x", png_bytes(), "a.png")
        with pytest.raises(NotFound):
            attachments.add_attachment(s, "fault_record", "missing", png_bytes(), "a.png")
