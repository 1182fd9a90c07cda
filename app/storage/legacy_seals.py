"""Sealing, once, the signatures made before devices had keys (schema revisions 0001–0004).

Those signatures carry the content hash they were made over, but no seal. At
the upgrade to revision 0005 this laptop's device key seals each one as it is
(:meth:`app.storage.store.Store.open` calls :func:`seal_legacy_signatures` while
:func:`pending`), so from then on any change to them is detected. This is trust on first use: a
signature forged *before* the upgrade is sealed too — but its record's content
is still compared with the signed hash by every check, so a record edited
behind a genuine signature is reported all the same. The migration allows
exactly this one update of a signature row (trigger ``signature_no_update``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage import device, guards
from app.storage.device import signature_statement
from db.models import SIGNABLE_TYPES, AuditHead, Signature


def record_versions(session: Session, model: Any) -> dict[str, int]:
    """Every record's version — 1 for an original, n+1 for its n-th amendment — in one query."""
    return _versions(dict(session.execute(select(model.id, model.supersedes_id)).all()))


def ancestor_versions(session: Session, model: Any, ids: list[str]) -> dict[str, int]:
    """:func:`record_versions` of the records ``ids`` only: their amendment chains are read
    up to the originals (a query per generation), not the whole table."""
    parent: dict[str, str | None] = {}
    asked: set[str] = set()
    wanted = set(ids)
    while wanted:
        asked |= wanted
        ordered = sorted(wanted)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            parent.update(
                session.execute(
                    select(model.id, model.supersedes_id).where(model.id.in_(chunk))
                ).all()
            )
        wanted = {p for i in wanted if (p := parent.get(i)) is not None and p not in asked}
    keep = set(ids)
    return {i: v for i, v in _versions(parent).items() if i in keep}


def _versions(parent: dict[str, str | None]) -> dict[str, int]:
    """Versions along the chains of ``parent`` (record → the record it supersedes)."""
    versions: dict[str, int] = {}
    for record_id in parent:
        chain: list[str] = []
        current: str | None = record_id
        while current is not None and current not in versions and current not in chain:
            chain.append(current)
            current = parent.get(current)
        base = versions.get(current, 0) if current is not None else 0
        for n, item in enumerate(reversed(chain), start=1):
            versions[item] = base + n
    return versions


def pending(store: Any) -> bool:
    """Whether the store still has signatures from before seals, to be sealed now.

    Only a store no seal-aware app has written yet: it has unsealed signatures,
    no device has signed an audit head in it, and this laptop remembers no head
    for it. After that, an unsealed signature is never sealed — it is reported
    by ``omw check`` (someone inserted it outside the app).
    """
    with store.sessions() as session:
        if (
            session.scalar(select(Signature.id).where(Signature.device_sig.is_(None)).limit(1))
            is None
        ):
            return False
        if session.scalar(select(AuditHead.device_id).limit(1)) is not None:
            return False
    key = device.peek(store.folder, store.secret_store())
    return key is None or key.outside_head() is None


def seal_legacy_signatures(store: Any) -> int:
    """Seal every unsealed signature with this device's key; how many were sealed."""
    with store.session() as session:
        unsealed = session.scalars(select(Signature).where(Signature.device_sig.is_(None))).all()
        if not unsealed:
            return 0
        key = guards.device_of(session)
        versions = {name: record_versions(session, model) for name, model in SIGNABLE_TYPES.items()}
        for sig in unsealed:
            sig.device_id = key.device_id
            sig.record_version = versions.get(sig.record_type, {}).get(sig.record_id, 1)
            sig.device_sig = key.sign(
                signature_statement(
                    record_type=sig.record_type,
                    record_id=sig.record_id,
                    record_version=sig.record_version,
                    content_sha256=sig.content_sha256,
                    role=sig.role,
                    signer_name=sig.signer_name,
                    signed_at=sig.signed_at,
                    image_sha256=sig.image_sha256,
                    device_id=key.device_id,
                )
            )
        return len(unsealed)
