"""Stores that hold demo data: invented people and records never merge with real ones.

「生成演示数据」 fills a contract with invented people and records, signed like real
ones. A contract installed from the same profile has the same id on every laptop
(:func:`app.contracts.versions.contract_id`), so nothing in the records themselves
keeps a demo store's bundle out of a store of real work. So a store remembers that
it holds demo data — generated here (:func:`mark`, by the generator) or brought by a
bundle that held it — as a ``demo`` counter of the device that made it; its bundles
say so in their signed manifest, and an import refuses to mix the two
(:func:`refusal`). Stores from before the marker hold none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.team import tables
from db.models import TeamCounter

#: the :class:`TeamCounter` name a store holding demo data keeps (value 1)
NAME = "demo"


def mark(session: Session, device_id: str) -> None:
    """Remember that this store holds demo data made by ``device_id``."""
    if session.get(TeamCounter, (device_id, NAME)) is None:
        session.add(TeamCounter(device_id=device_id, name=NAME, value=1))
        session.flush()


def held(session: Session) -> bool:
    """Whether this store holds demo data."""
    return bool(session.scalar(select(exists().where(TeamCounter.name == NAME))))


def _records(session: Session) -> bool:
    """Whether this store holds any record (signed or not) of work done."""
    return any(
        session.scalar(select(exists().where(spec.table.c.id.is_not(None))))
        for spec in tables.SIGNED_TYPES.values()
    )


def refusal(session: Session, demo: bool, rows: dict[str, list[dict[str, Any]]]) -> str:
    """Why a bundle (``demo``: its manifest says it holds demo data) cannot come in, or ""."""
    here = held(session)
    if demo and not here and _records(session):
        return (
            "交换包来自含演示数据的数据目录（「生成演示数据」产生的虚构人员和记录），不能并入本机"
            "的真实记录。演示数据请在单独的数据目录中查看。未导入任何内容。"
        )
    if not demo and here and any(rows.get(name) for name in tables.SIGNED_TYPES):
        return (
            "本机数据目录含演示数据（「生成演示数据」产生的虚构人员和记录），交换包中的真实记录"
            "不能与之混合。请在新的数据目录中导入。未导入任何内容。"
        )
    return ""
