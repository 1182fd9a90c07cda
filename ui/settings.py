"""Per-user settings of the window: the engineer's identity, language, last contract.

Kept as a small JSON file in the data folder (next to the store), so a data
folder on a USB stick carries its identity with it and tests stay isolated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILENAME = "settings.json"

#: Roles an engineer can pick (any other text may be typed).
ROLES: tuple[str, ...] = ("运维工程师", "项目经理", "技术经理", "安全工程师", "开发工程师")


@dataclass
class Settings:
    path: Path = field(repr=False)
    name: str = ""
    role: str = ""
    language: str = "zh_CN"
    contract: str = ""
    #: the pack the window exported last (its folder); 核验交付包 proposes it
    last_pack: str = ""

    @classmethod
    def load(cls, folder: Path) -> Settings:
        path = Path(folder) / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        known = {
            k: str(v)
            for k, v in data.items()
            if k in ("name", "role", "language", "contract", "last_pack")
        }
        return cls(path, **known)

    @property
    def has_identity(self) -> bool:
        return bool(self.name.strip())

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(self.path)
