"""Contract profile versions in exchange bundles (the rule is in :mod:`app.contracts.versions`).

- A version row is merged by id like any record (append-only). Each one a
  bundle carries must be genuine — its profile valid and matching its hash,
  signed by the device it names — or the bundle is refused (:func:`check`).
- The contract row, its systems, checklists and items are derived from the
  versions, so two stores holding the same versions hold the same values up
  to who wrote them last: they are compared by what names them
  (:data:`DERIVED`, :func:`comparable`), never quarantined as "different
  content".
- After the rows are merged, every contract with versions is brought to its
  newest (:func:`adopt`); the import report names each contract whose profile
  changed: 合同档案已更新（版本 N，来自 X）.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts import registry, versions
from app.storage import guards
from app.team.container import BundleError
from db.models import Device, TeamDevice

TABLE = "contract_profile_version"
#: rows derived from the profile versions: the columns that say which entry a row is
DERIVED: dict[str, tuple[str, ...]] = {
    "contract": ("id", "code"),
    "system": ("id", "contract_id", "code"),
    "checklist_template": ("id", "contract_id", "code"),
    "checklist_item": ("id", "template_id", "code"),
}


def comparable(table: str, encoded: dict[str, Any]) -> dict[str, Any]:
    """What decides whether a bundle row equals the store's row of the same id."""
    keys = DERIVED.get(table)
    return encoded if keys is None else {k: encoded[k] for k in keys}


def check(session: Session, rows: list[dict[str, Any]]) -> None:
    """Refuse the bundle if a version it carries is not genuine (device keys merged first)."""
    keys = dict(session.execute(select(Device.id, Device.public_key)).all())
    for row in rows:
        why = versions.problem(row, keys.get(row.get("device_id") or ""))
        if why:
            raise BundleError(
                f"交换包中合同档案版本 {row.get('version')}（{str(row['id'])[:8]}）无效：{why}。"
                "未导入任何内容。"
            )


@dataclass(frozen=True)
class ProfileUpdate:
    """A contract whose profile an import changed."""

    code: str
    name: str
    version: int
    publisher: str

    def line(self) -> str:
        return (
            f"合同档案已更新（版本 {self.version}，来自 {self.publisher}）：{self.code} {self.name}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "contract": self.code,
            "name": self.name,
            "version": self.version,
            "publisher": self.publisher,
        }


def affected(new: Mapping[str, int]) -> bool:
    """Whether rows an import added can change a contract's profile (versions, derived rows)."""
    return any(new.get(table) for table in (TABLE, *DERIVED))


def adopt(session: Session) -> list[ProfileUpdate]:
    """Bring every contract to its newest trusted version; report the ones that changed."""
    session.flush()
    session.expire_all()  # rows merged with Core: reload what the session had cached
    names = {r.device_id: r for r in session.scalars(select(TeamDevice))}
    own = guards.device_of(session).device_id
    changed = []
    for contract in versions.contracts_with_versions(session):
        before = contract.profile_sha256
        found = registry.apply_versions(session, contract)
        if contract.profile_sha256 == before or not found:
            continue
        newest = found[-1]
        if newest.device_id != own:
            contract.builtin = False  # the team's now: a built-in update must not replace it
        member = names.get(newest.device_id)
        who = (member.engineer if member and member.engineer else "") or newest.published_by
        changed.append(ProfileUpdate(contract.code, contract.name, newest.number, who or "—"))
    session.flush()
    return changed
