"""This laptop in the team: device id, engineer, short code; colleagues' devices and trust.

API for the window (「团队」 page) and the CLI (``omw team``); every function
takes an open :class:`app.storage.store.Store` and raises
:class:`app.errors.DomainError` with a Chinese message on bad input:

- :func:`whoami` → :class:`Identity` of this laptop (device id, public-key
  fingerprint, engineer, short code — empty until :func:`set_identity`);
- :func:`set_identity` (engineer name, short code of 2–4 Latin letters such as
  ``ZS``): human numbers made on this laptop then read ``GZ-202611-ZS-004``
  (:func:`app.storage.team_state.number_stem`), so two laptops never make the
  same one;
- :func:`members` → :class:`Member` per device known to the store (this laptop,
  colleagues met in bundles), with whether it is trusted and the last import /
  export with it;
- :func:`trust` a colleague's device by its fingerprint (read it out over the
  phone or look at it on the colleague's 「团队」 page): only bundles signed by
  a trusted device are imported (:mod:`app.team.bundles`).

A device is trusted when its ``team_device`` row has ``trusted_by`` set; rows
with it empty are devices met in bundles (names known, not trusted).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import _util
from app.storage import guards, team_state
from app.team import profiles
from db.models import Device, TeamDevice, TeamExchange, now

_CODE = re.compile(r"[A-Z]{2,4}")


def fingerprint(public_key_b64: str) -> str:
    """What people compare to trust a key: ``1A2B-3C4D-5E6F-7A8B`` (SHA-256 of the raw key)."""
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
    except (ValueError, binascii.Error):
        raw = public_key_b64.encode()
    digest = hashlib.sha256(raw).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def normal_code(code: str) -> str:
    value = (code or "").strip().upper()
    if not _CODE.fullmatch(value):
        raise DomainError(f"简码 “{code}” 无效：须为 2–4 个拉丁字母，例如 ZS。")
    return value


@dataclass(frozen=True)
class Identity:
    device_id: str
    public_key: str
    fingerprint: str
    engineer: str
    code: str

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "engineer": self.engineer,
            "code": self.code,
        }


@dataclass(frozen=True)
class Member:
    device_id: str
    fingerprint: str
    engineer: str
    code: str
    own: bool
    trusted: bool
    trusted_by: str
    last_import: datetime | None
    last_export: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "fingerprint": self.fingerprint,
            "engineer": self.engineer,
            "code": self.code,
            "own": self.own,
            "trusted": self.trusted,
            "trusted_by": self.trusted_by,
            "last_import": self.last_import.isoformat() if self.last_import else None,
            "last_export": self.last_export.isoformat() if self.last_export else None,
        }


def own_row(session: Session) -> TeamDevice | None:
    return team_state.own_identity(session)


def whoami(store: Any) -> Identity:
    key = store.device()
    with store.session() as session:
        row = own_row(session)
        engineer, code = (row.engineer, row.code) if row is not None else ("", "")
    return Identity(key.device_id, key.public_key, fingerprint(key.public_key), engineer, code)


def set_identity(store: Any, engineer: str, code: str) -> Identity:
    """Name this laptop's engineer and short code (2–4 Latin letters, unique in the team)."""
    name = _util.text(engineer, "工程师姓名", required=True, limit=_util.NAME_LIMIT)
    value = normal_code(code)
    key = store.device()
    with store.session() as session:
        taken = session.scalar(
            select(TeamDevice).where(
                TeamDevice.code == value, TeamDevice.device_id != key.device_id
            )
        )
        if taken is not None:
            raise DomainError(
                f"简码 {value} 已属于 {taken.engineer or '另一台设备'}"
                f"（设备 {taken.device_id[:8]}），请换一个，团队内的简码不能重复。"
            )
        row = session.get(TeamDevice, key.device_id)
        if row is None:
            row = TeamDevice(device_id=key.device_id, public_key=key.public_key, own=True)
            session.add(row)
        row.engineer, row.code, row.own = name, value, True
        row.trusted_by, row.trusted_at = name, now()
        guards.note(
            session, "identity", "team_device", key.device_id, {"engineer": name, "code": value}
        )
    return whoami(store)


def members(store: Any) -> list[Member]:
    """Every device known to the store, this laptop first, then by engineer."""
    key = store.device()
    with store.session() as session:
        rows = {row.device_id: row for row in session.scalars(select(TeamDevice))}
        devices = dict(session.execute(select(Device.id, Device.public_key)).all())
        devices.setdefault(key.device_id, key.public_key)
        last: dict[tuple[str, str], datetime] = {
            (device_id, direction): at
            for device_id, direction, at in session.execute(
                select(
                    TeamExchange.device_id, TeamExchange.direction, func.max(TeamExchange.at)
                ).group_by(TeamExchange.device_id, TeamExchange.direction)
            )
        }
        found = []
        for device_id, public in devices.items():
            row = rows.get(device_id)
            found.append(
                Member(
                    device_id,
                    fingerprint(public),
                    row.engineer if row else "",
                    row.code if row else "",
                    device_id == key.device_id,
                    bool(row and row.trusted_by),
                    row.trusted_by if row else "",
                    last.get((device_id, "import")),
                    last.get((device_id, "export")),
                )
            )
    return sorted(found, key=lambda m: (not m.own, not m.trusted, m.engineer, m.device_id))


def trust(store: Any, fingerprint_text: str, *, actor: str) -> Member:
    """Trust the known device with this fingerprint (hyphens and case do not matter)."""
    wanted = re.sub(r"[^0-9A-F]", "", (fingerprint_text or "").upper())
    if len(wanted) < 8:
        raise DomainError(
            "指纹太短：请输入对方「团队」页上显示的完整指纹，如 1A2B-3C4D-5E6F-7A8B。"
        )
    matches = [m for m in members(store) if m.fingerprint.replace("-", "").startswith(wanted)]
    if not matches:
        raise DomainError(
            f"本机不认识指纹为 {fingerprint_text} 的设备。导入对方的交换包时加 --trust "
            "（核对显示的指纹后），即可信任它。"
        )
    if len(matches) > 1:
        raise DomainError("有多台设备的指纹以此开头，请输入完整指纹。")
    member = matches[0]
    with store.session() as session:
        trust_device(session, member.device_id, actor=actor)
        profiles.adopt(session)  # profile versions it published count from now on
    return next(m for m in members(store) if m.device_id == member.device_id)


def trust_device(
    session: Session,
    device_id: str,
    *,
    actor: str,
    public_key: str | None = None,
    engineer: str = "",
    code: str = "",
) -> None:
    """Mark a device trusted (adding its row from the device table or ``public_key``)."""
    row = session.get(TeamDevice, device_id)
    if row is None:
        public = public_key or session.scalar(
            select(Device.public_key).where(Device.id == device_id)
        )
        if public is None:
            raise DomainError(f"本机不认识设备 {device_id[:8]}。")
        row = TeamDevice(device_id=device_id, public_key=public, engineer=engineer, code=code)
        session.add(row)
    if not row.trusted_by:
        row.trusted_by, row.trusted_at = actor or "—", now()
        guards.note(
            session,
            "trust",
            "team_device",
            device_id,
            {"fingerprint": fingerprint(row.public_key), "engineer": row.engineer},
        )


def learn(session: Session, team: list[dict[str, Any]]) -> None:
    """Remember the names and codes of devices a bundle introduces (not trusting them)."""
    for entry in team:
        device_id = str(entry.get("device_id", ""))
        public = str(entry.get("public_key", ""))
        if not device_id or not public:
            continue
        row = session.get(TeamDevice, device_id)
        if row is None:
            session.add(
                TeamDevice(
                    device_id=device_id,
                    public_key=public,
                    engineer=str(entry.get("engineer", ""))[:64],
                    code=str(entry.get("code", ""))[:4],
                    own=False,
                    trusted_by="",
                )
            )
        elif not row.own and not row.engineer and entry.get("engineer"):
            row.engineer, row.code = str(entry["engineer"])[:64], str(entry.get("code", ""))[:4]
