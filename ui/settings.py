"""Per-user settings of the window: the engineer's identity, language, last contract.

Kept as a small JSON file in the data folder (next to the store), so a data
folder on a USB stick carries its identity with it and tests stay isolated.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
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
    #: once unlocked by its PIN, the saved signature signs 完成并签字 until the app quits
    keep_signature: bool = True
    #: the time of day ("HH:MM") of the daily reminder of what is due; "" for none
    reminder_time: str = "08:30"

    @classmethod
    def load(cls, folder: Path) -> Settings:
        path = Path(folder) / FILENAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        # a value of another type than the field's default (a hand-edited file) is ignored
        kinds = {f.name: type(f.default) for f in fields(cls) if f.name != "path"}
        known = {k: v for k, v in data.items() if k in kinds and type(v) is kinds[k]}
        return cls(path, **known)

    @property
    def has_identity(self) -> bool:
        return bool(self.name.strip())

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(self.path)
