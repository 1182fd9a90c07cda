"""Evidence photos and screenshots attached to records, stored by content hash.

Bytes live once in :class:`Blob` (keyed by SHA-256), however many records
attach them. Only images are accepted (PNG, JPEG, GIF, BMP, WEBP), sniffed from
the bytes, not trusted from the file name. Nothing can be attached to, or
removed from, a signed record.
"""

from __future__ import annotations

import hashlib
from pathlib import PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError, LockedError, NotFound
from app.records import _util
from db.models import (
    Attachment,
    Blob,
    FaultRecord,
    InspectionRun,
    ItemResult,
    KnowledgeArticle,
    ServiceRequest,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

#: Owner types an attachment can belong to.
OWNER_TYPES: dict[
    str, type[InspectionRun | ItemResult | FaultRecord | ServiceRequest | KnowledgeArticle]
] = {
    "inspection_run": InspectionRun,
    "item_result": ItemResult,
    "fault_record": FaultRecord,
    "service_request": ServiceRequest,
    "knowledge_article": KnowledgeArticle,
}

IMAGE_TYPES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/bmp": "BMP",
    "image/webp": "WEBP",
}


def sniff_image(data: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"BM") and len(data) >= 26:
        return "image/bmp"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def store_blob(session: Session, data: bytes) -> str:
    """Store bytes once; return their SHA-256 hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(Blob(sha256=digest, size=len(data), data=bytes(data)))
        # Blob has no relationship to the rows that refer to it, so the unit of
        # work would not know to insert it first: write it now.
        session.flush()
    return digest


def blob_bytes(session: Session, sha256: str) -> bytes:
    blob = session.get(Blob, sha256)
    if blob is None:
        raise NotFound(f"找不到内容为 {sha256[:12]}… 的文件。")
    return blob.data


def _owner(session: Session, owner_type: str, owner_id: str) -> object:
    model = OWNER_TYPES.get(owner_type)
    if model is None:
        raise DomainError(f"不能给 “{owner_type}” 类型的记录添加附件。")
    return _util.get(session, model, owner_id, "记录")


def _owner_locked(owner: object) -> bool:
    if isinstance(owner, ItemResult):
        return owner.run.locked_at is not None
    return getattr(owner, "locked_at", None) is not None


def add_attachment(
    session: Session,
    owner_type: str,
    owner_id: str,
    data: bytes,
    filename: str,
    mime: str | None = None,
    caption: str = "",
) -> Attachment:
    """Attach an image to a record.

    ``mime`` is only a hint: the type is sniffed from the bytes, and a file
    that is not a PNG/JPEG/GIF/BMP/WEBP image is refused whatever its name.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DomainError("附件内容必须是文件的字节。")
    data = bytes(data)
    if not data:
        raise DomainError("附件是空文件。")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise DomainError(
            f"附件过大（{len(data) / 1024 / 1024:.1f} MB），单个附件最多 "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB。"
        )
    sniffed = sniff_image(data)
    if sniffed is None:
        raise DomainError(
            "只能添加图片（PNG、JPEG、GIF、BMP、WEBP）作为附件，该文件不是可识别的图片。"
        )
    name = PureWindowsPath(_util.text(filename, "文件名", limit=1000)).name[-255:] or "image"
    caption = _util.text(caption, "说明")
    owner = _owner(session, owner_type, owner_id)
    if _owner_locked(owner):
        raise LockedError(_util.LOCKED_MESSAGE)
    digest = store_blob(session, data)
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner_id,
        blob_sha256=digest,
        filename=name,
        mime=sniffed,
        caption=caption,
    )
    session.add(attachment)
    return attachment


def list_attachments(session: Session, owner_type: str, owner_id: str) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
            .order_by(Attachment.created_at, Attachment.filename, Attachment.id)
        )
    )


def remove_attachment(session: Session, attachment_id: str) -> None:
    """Remove an attachment of an unsigned record (the blob stays for other users)."""
    attachment = _util.get(session, Attachment, attachment_id, "附件")
    owner = session.get(OWNER_TYPES[attachment.owner_type], attachment.owner_id)
    if owner is not None and _owner_locked(owner):
        raise LockedError(_util.LOCKED_MESSAGE)
    session.delete(attachment)
