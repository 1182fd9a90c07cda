"""Whether probes may run on this laptop, and which addresses the user has approved.

The app never contacts anything on its own: probes are off when the setting
says so (``probes.json`` in the data folder, per laptop) or the contract
profile forbids them, and a contract's addresses are shown to the user, who
approves them, before its first run — and again whenever they change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.contracts.profile_schema import Profile
from app.errors import DomainError

FILENAME = "probes.json"


@dataclass(frozen=True)
class Address:
    system: str  # the system's name
    target: str  # the target's code
    kind: str
    address: str


def addresses(profile: Profile, link_urls: list[str]) -> list[Address]:
    """Every address the contract's probes may contact, in profile order."""
    found = [Address(s.name, t.code, t.kind, t.address) for s in profile.systems for t in s.targets]
    found += [Address("事项跳转超链接", "links", "link", url) for url in link_urls]
    return found


def digest(found: list[Address]) -> str:
    text = "\n".join(f"{a.kind} {a.address}" for a in found)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((Path(folder) / FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(folder: Path, data: dict[str, object]) -> None:
    path = Path(folder) / FILENAME
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(path)


def disabled(folder: Path) -> bool:
    """The laptop's switch: ``True`` turns every probe off."""
    return _read(folder).get("disabled") is True


def set_disabled(folder: Path, value: bool) -> None:
    data = _read(folder)
    data["disabled"] = bool(value)
    _write(folder, data)


def approved(folder: Path, contract_code: str, found: list[Address]) -> bool:
    table = _read(folder).get("approved")
    return isinstance(table, dict) and table.get(contract_code) == digest(found)


def approve(folder: Path, contract_code: str, found: list[Address]) -> None:
    data = _read(folder)
    table = data.get("approved")
    table = dict(table) if isinstance(table, dict) else {}
    table[contract_code] = digest(found)
    data["approved"] = table
    _write(folder, data)


def ensure_allowed(folder: Path, profile: Profile) -> None:
    """Refuse (in Chinese) when the laptop's setting or the profile forbids probes."""
    if disabled(folder):
        raise DomainError("自动检测已在设置中关闭（omw probe enable 或「设置」页可重新开启）。")
    if not profile.probes.allowed:
        raise DomainError(
            f"合同「{profile.name}」的合同档案禁止自动检测（probes.allowed: false）。"
        )
