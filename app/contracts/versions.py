"""Versions of a contract's profile (合同档案版本): how a profile change reaches the team.

Each change of an installed contract's profile is **published** as a new
``contract_profile_version`` row: a number one above the highest this store
knows for the contract, the validated snapshot and its SHA-256, who published
it and when (for display only), the publishing device, and that device's
Ed25519 signature of all of these. The first change of a contract also
records the profile it was installed with as version 1, so every version stays
readable. Rows are append-only (triggers) and travel in exchange bundles like
any record (:mod:`app.team.profiles`).

**Which version a store applies** (:func:`history`, last = the newest): the
highest ``(version, profile_sha256)`` among the versions whose signature
verifies under the key of the device named in them, and which that device is
trusted here (this laptop, or a colleague trusted on the 「团队」 page). Why:

- no wall clock: the number orders versions; two versions published with the
  same number (two laptops changed the profile without having seen each
  other's change) are ordered by their content hash — arbitrary, but the same
  on every store;
- order-independent: the newest is a function of the *set* of versions, which
  merging makes the union of what every store had, so bundles imported in any
  order or twice end with the same profile on every store that trusts the same
  devices (a team trusts all its members);
- trusted devices, rather than "the PM only": a store has no notion of who is
  the PM, and trust is what a team already agrees on to exchange at all. The
  signature proves which device published a version a bundle relays; trust
  decides whether it counts. A change made on an engineer's laptop is therefore
  a version like the PM's — the import preview names it, with its number and
  publisher, and the PM publishes a corrected one if it was a mistake.

**What applying means** (:func:`app.contracts.registry.materialize`): the
contract row, its systems, checklists and items are derived from the versions,
not from the order they arrived in: each takes its attributes from the newest
version that has it, is active when the newest version has it and deactivated
otherwise (never deleted: records made under an older version keep pointing at
it). Rows a version adds get ids derived from the contract and their code
(:func:`derived_id`), so two stores applying one version make the same rows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Profile
from app.storage import guards
from app.storage.device import verify
from db.audit import canonical_bytes
from db.models import Contract, ContractProfileVersion, Device, TeamDevice, now

_CONTEXT = b"omw-profile-version-v1\n"
#: namespace of the ids of rows derived from a profile (contracts, systems, checklists, items,
#: the holiday periods it agrees on)
_NAMESPACE = uuid.UUID("6f1d3c1e-5b7a-4f0e-9a53-0c8d2f4b7e21")


def digest(snapshot: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(dict(snapshot))).hexdigest()


def derived_id(parent_id: str, kind: str, code: str) -> str:
    """The id of a system, checklist or item a profile adds: the same on every store."""
    return str(uuid.uuid5(_NAMESPACE, f"{parent_id}/{kind}/{code}"))


def contract_id(profile: Profile) -> str:
    """The id of a contract installed from ``profile``: the same on every store installing it.

    So the built-in contracts a first start installs are one contract on every laptop,
    and what engineers record before the PM's first bundle merges with the PM's and
    with each other's. It depends on the profile's content, its 启用日期 aside (a
    choice of each store until the team shares one: :func:`app.team.merge.start_dates`):
    a contract set up from another profile under the same code is another contract,
    which clashes with this one as before.
    """
    first = profile.model_copy(
        update={"period": profile.period.model_copy(update={"records_from": None})}
    )
    return derived_id("contract", profile.code, digest(first.model_dump(mode="json")))


def statement(row: Mapping[str, Any]) -> bytes:
    """What the publishing device signs (domain-separated, canonical)."""
    published = row["published_at"]
    body = {
        "id": row["id"],
        "contract_id": row["contract_id"],
        "version": row["version"],
        "profile_sha256": row["profile_sha256"],
        "published_by": row["published_by"],
        "published_at": published.isoformat() if isinstance(published, datetime) else published,
        "device_id": row["device_id"],
    }
    return _CONTEXT + canonical_bytes(body)


def _unsigned(row: Mapping[str, Any], public_key: str | None) -> str:
    if public_key is None:
        return "发布它的设备公钥未知"
    if digest(row["profile"]) != row["profile_sha256"]:
        return "合同档案内容与其校验值不符（被改动）"
    if not verify(public_key, statement(row), row["sig"]):
        return "发布设备的签名无效（被改动或冒名）"
    return ""


def problem(row: Mapping[str, Any], public_key: str | None) -> str:
    """Why a version row is not genuine ("" when it is): its hash, signature or profile."""
    why = _unsigned(row, public_key)
    if why:
        return why
    try:
        Profile.model_validate(row["profile"])
    except ValueError:
        return "合同档案内容无效"
    return ""


def _row(version: ContractProfileVersion) -> dict[str, Any]:
    return {c.key: getattr(version, c.key) for c in ContractProfileVersion.__table__.columns}


@dataclass(frozen=True)
class Version:
    """A usable version: what :func:`history` orders."""

    number: int
    sha256: str
    profile: Profile
    device_id: str
    published_by: str
    published_at: datetime

    @property
    def key(self) -> tuple[int, str]:
        return (self.number, self.sha256)


def _trusted(session: Session) -> set[str]:
    own = guards.device_of(session).device_id
    found = set(session.scalars(select(TeamDevice.device_id).where(TeamDevice.trusted_by != "")))
    return found | {own}


def history(session: Session, contract_id: str) -> list[Version]:
    """The usable versions of a contract, oldest first (one per content): the last applies."""
    rows = list(
        session.scalars(
            select(ContractProfileVersion).where(ContractProfileVersion.contract_id == contract_id)
        )
    )
    if not rows:
        return []
    trusted = _trusted(session)
    keys = dict(session.execute(select(Device.id, Device.public_key)).all())
    chosen: dict[tuple[int, str], Version] = {}
    for row in sorted(rows, key=lambda r: (r.version, r.profile_sha256, r.device_id or "")):
        key = (row.version, row.profile_sha256)
        if key in chosen or row.device_id not in trusted:
            continue  # one content published twice: the first device
        if _unsigned(_row(row), keys.get(row.device_id)):
            continue
        try:
            profile = Profile.model_validate(row.profile)
        except ValueError:
            continue
        device = row.device_id or ""
        chosen[key] = Version(*key, profile, device, row.published_by, row.published_at)
    return [chosen[k] for k in sorted(chosen)]


def _add(session: Session, contract: Contract, number: int, snapshot: dict[str, Any]) -> None:
    key = guards.device_of(session)
    row = ContractProfileVersion(
        contract_id=contract.id,
        version=number,
        profile=snapshot,
        profile_sha256=digest(snapshot),
        published_by=(session.info.get("actor") or "")[:64],
        published_at=now(),
        device_id=key.device_id,
    )
    row.sig = key.sign(statement(_row(row)))
    session.add(row)


def publish(session: Session, contract: Contract, snapshot: dict[str, Any]) -> None:
    """Record ``snapshot`` as the contract's next version (and, the first time, the one before)."""
    highest = session.scalar(
        select(func.max(ContractProfileVersion.version)).where(
            ContractProfileVersion.contract_id == contract.id
        )
    )
    if highest is None:
        _add(session, contract, 1, dict(contract.profile))
        highest = 1
    _add(session, contract, highest + 1, snapshot)
    session.flush()


def contracts_with_versions(session: Session) -> list[Contract]:
    ids = set(session.scalars(select(ContractProfileVersion.contract_id).distinct()))
    return [c for c in session.scalars(select(Contract)) if c.id in ids]


def current_number(session: Session, contract: Contract) -> int:
    """The number of the version the contract is at (1: as installed, never changed)."""
    found = session.scalar(
        select(func.max(ContractProfileVersion.version)).where(
            ContractProfileVersion.contract_id == contract.id,
            ContractProfileVersion.profile_sha256 == contract.profile_sha256,
        )
    )
    return int(found or 1)


def forged(session: Session) -> list[tuple[ContractProfileVersion, str]]:
    """Every stored version that is not genuine (``omw check``), with why."""
    keys = dict(session.execute(select(Device.id, Device.public_key)).all())
    found = []
    for row in session.scalars(select(ContractProfileVersion)):
        why = problem(_row(row), keys.get(row.device_id or ""))
        if why:
            found.append((row, why))
    return found
