"""Exchange bundles: export what a colleague may lack, preview and import what one sent.

A bundle is one encrypted, signed file (:mod:`app.team.container`) whose
members are::

    rows/<table>.json   the rows of each exchanged table (:mod:`app.team.tables`)
    blobs/<sha256>      signature images and attachments
    devices.json        every device key the store knows (signatures verify anywhere)
    audit.json          audit entries of every device's chain, heads.json their signed heads

and whose manifest states ``since`` (what the receiver was known to have),
``upto`` (what this store had: the next ``since``, see :mod:`app.team.selection`),
the exporter's identity and the team's names and codes.

``--since`` for a user: give the last bundle you received from that colleague
(it says what they had), or the last one you sent them, or their short code
(the last bundle imported from them). Without it the bundle holds everything.

Import = verify, then merge in **one transaction** (:mod:`app.team.merge`):
the container (passphrase, signature), the signer's trust, the schema, the
contracts, every device's audit chain, every contract profile version's
signature (:mod:`app.team.profiles`, which then brings each contract to its
newest version), then every merged signed record's content hash and seals
(:func:`app.records.integrity_check.refuse_tampered`).
Any refusal — or a kill — leaves the store as it was. :func:`preview_bundle`
runs the same merge and rolls it back.
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records.integrity_check import TamperedError, refuse_tampered
from app.storage import guards
from app.storage.device import SignedHead
from app.team import demo_data, identity, merge, profiles, selection, tables
from app.team.container import BundleCancelled, BundleError, OpenedBundle, open_bundle, write_bundle
from app.team.duplicates import DuplicateRuns, duplicate_runs
from app.team.profiles import ProfileUpdate
from app.team.voids import Conflict, conflicts
from db import canonical, migrate
from db.engine import write_lock
from db.models import TeamCounter, TeamDevice, TeamExchange

KIND = "omw-team-bundle"
VERSION = 1
ENV_PASSPHRASE = "OMW_BUNDLE_PASSPHRASE"
Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


def _loads(raw: bytes) -> Any:
    """A bundle's JSON. NaN and Infinity, which no record holds, make it malformed."""
    return json.loads(raw, parse_constant=_non_finite)


def _non_finite(name: str) -> Any:
    raise ValueError(f"not a finite number: {name}")


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    sha256: str
    size: int
    contract: str | None
    counts: dict[str, int]
    since: dict[str, dict[str, int]]
    upto: dict[str, dict[str, int]]

    def lines(self) -> list[str]:
        shown = "、".join(f"{tables.LABELS.get(k, k)} {v}" for k, v in self.counts.items() if v)
        kind = "增量" if any(self.since.values()) else "完整"
        return [
            f"已导出{kind}交换包：{self.path}（{self.size / 1024:.0f} KB）",
            f"  内容：{shown or '没有对方缺少的内容'}",
            f"  校验值：{self.sha256[:16]}",
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "contract": self.contract,
            "counts": self.counts,
            "since": self.since,
            "upto": self.upto,
        }


def resolve_since(store: Any, since: Any, passphrase: str) -> dict[str, dict[str, int]]:
    """``since`` as given (a bundle file, a colleague's code, a vector) → what they have."""
    if since is None:
        return selection.empty_since()
    if isinstance(since, dict):
        return {"rows": dict(since.get("rows", {})), "audit": dict(since.get("audit", {}))}
    text = str(since)
    path = Path(text)
    if path.exists():
        with open_bundle(path, passphrase) as bundle:
            upto = bundle.manifest.get("upto") if isinstance(bundle.manifest, dict) else None
        if not isinstance(upto, dict):
            raise BundleError(f"{path.name} 不是本应用的交换包，不能作为 --since 的依据。")
        return resolve_since(store, upto, passphrase)
    with store.session() as session:
        code = text.strip().upper()
        devices = list(
            session.scalars(
                select(TeamDevice.device_id).where(
                    (TeamDevice.code == code) | (TeamDevice.device_id == text)
                )
            )
        )
        last = session.scalar(
            select(TeamExchange)
            .where(TeamExchange.direction == "import", TeamExchange.device_id.in_(devices))
            .order_by(TeamExchange.id.desc())
            .limit(1)
        )
        if last is None:
            raise DomainError(
                f"--since {text}：找不到这个文件，也没有从简码或设备为 {text} 的同事导入过交换包。"
            )
        return resolve_since(store, last.summary.get("upto", {}), passphrase)


def _members(session: Session, chosen: selection.Selection) -> Iterator[tuple[str, bytes]]:
    for name, rows in chosen.rows.items():
        if rows:
            yield f"rows/{name}.json", canonical.dumps(rows)
    yield "devices.json", canonical.dumps(chosen.devices)
    yield "audit.json", canonical.dumps(chosen.audit)
    yield "heads.json", canonical.dumps(chosen.heads)
    for sha, data in selection.blob_data(session, chosen.blobs):
        yield f"blobs/{sha}", data


def _team(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "device_id": r.device_id,
            "public_key": r.public_key,
            "engineer": r.engineer,
            "code": r.code,
        }
        for r in session.scalars(select(TeamDevice))
        if r.engineer
    ]


def export_bundle(
    store: Any,
    target: Path,
    passphrase: str,
    *,
    since: Any = None,
    contract: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportSummary:
    """Write a bundle of everything the receiver (``since``) may lack; nothing left on cancel."""
    target = Path(target)
    vector = resolve_since(store, since, passphrase)
    key = store.device()
    with store.session() as session:
        contracts = selection.contract_ids(session, contract)
        if progress:
            progress(0, 3, "选择记录")
        chosen = selection.select_rows(session, contracts, vector)
        signed = [r["id"] for name in tables.SIGNED_TYPES for r in chosen.rows.get(name, [])]
        refuse_tampered(session, signed, "导出交换包")
        own = identity.own_row(session)
        manifest = {
            "kind": KIND,
            "version": VERSION,
            "schema": _schema(),
            "contract": contract,
            "since": vector,
            "upto": selection.holdings(session),
            "exporter": {
                "device_id": key.device_id,
                "engineer": own.engineer if own else "",
                "code": own.code if own else "",
            },
            "team": _team(session),
            "counts": chosen.count(),
            "demo": demo_data.held(session),
        }
        if progress:
            progress(1, 3, "加密并签名")
        sha = write_bundle(
            target, manifest, _members(session, chosen), passphrase, key, cancel=cancel
        )
    summary = ExportSummary(
        target, sha, target.stat().st_size, contract, manifest["counts"], vector, manifest["upto"]
    )
    with store.session() as session:
        session.add(
            TeamExchange(
                direction="export",
                device_id=key.device_id,
                bundle_sha256=sha,
                file_name=target.name[:255],
                actor=store.actor,
                summary={"counts": summary.counts, "since": vector, "upto": summary.upto},
            )
        )
        guards.note(
            session, "export", "bundle", key.device_id, {"sha256": sha, "file": target.name}
        )
    if progress:
        progress(3, 3, "完成")
    return summary


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class Signer:
    device_id: str
    fingerprint: str
    engineer: str
    code: str
    trusted: bool
    own: bool

    def label(self) -> str:
        who = " ".join(x for x in (self.code, self.engineer) if x) or "未命名"
        return f"{who}（设备 {self.device_id[:8]}，指纹 {self.fingerprint}）"


@dataclass
class ImportReport:
    """What a bundle brings (preview) or brought (import)."""

    file_name: str
    sha256: str
    signer: Signer
    contract: str | None
    new: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    by_engineer: dict[str, int] = field(default_factory=dict)
    quarantined: list[merge.Held] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    #: checks of one period signed on this laptop and the bundle's (or two in the bundle)
    duplicates: list[DuplicateRuns] = field(default_factory=list)
    #: contracts whose profile the bundle brings a newer version of
    profiles: list[ProfileUpdate] = field(default_factory=list)
    #: contracts whose 启用日期 differs from the bundle's (taken here, or kept)
    start_dates: list[merge.StartDate] = field(default_factory=list)
    #: why the import would be refused (preview only; an import raises instead)
    refusal: str = ""
    written: bool = False

    def lines(self) -> list[str]:
        head = "已导入" if self.written else "预览（尚未写入）"
        out = [f"{head}：{self.file_name}，签名：{self.signer.label()}"]
        if not self.signer.trusted and not self.signer.own:
            out.append("  ！签名设备尚未被信任：核对指纹后用 --trust 导入。")
        out += [f"  {update.line()}" for update in self.profiles]
        out += [f"  {start.line()}" for start in self.start_dates]
        new = "、".join(f"{tables.LABELS.get(k, k)} {v}" for k, v in self.new.items() if v)
        out.append(f"  新增：{new or '无（本机已全部拥有）'}")
        if self.by_engineer:
            who = "、".join(f"{k} {v}" for k, v in sorted(self.by_engineer.items()))
            out.append(f"  按工程师（新增的签字记录）：{who}")
        present = sum(self.present.values())
        if present:
            out.append(f"  本机已有、跳过：{present} 项")
        if self.quarantined:
            out.append(f"  隔离（未合并）：{len(self.quarantined)} 项")
            out += [f"    - {h.line()}" for h in self.quarantined[:20]]
        if self.conflicts:
            out.append(f"  更正冲突：{len(self.conflicts)} 项")
            out += [f"    - {c.line()}" for c in self.conflicts]
        if self.duplicates:
            out.append(f"  同一周期重复的巡检：{len(self.duplicates)} 项")
            out += [f"    - {d.line()}" for d in self.duplicates]
        if self.refusal:
            out.append(f"  将被拒绝：{self.refusal}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "signer": {
                "device_id": self.signer.device_id,
                "fingerprint": self.signer.fingerprint,
                "engineer": self.signer.engineer,
                "code": self.signer.code,
                "trusted": self.signer.trusted or self.signer.own,
            },
            "contract": self.contract,
            "new": self.new,
            "present": self.present,
            "by_engineer": self.by_engineer,
            "quarantined": [
                {"table": h.table, "id": h.record_id, "reason": h.reason} for h in self.quarantined
            ],
            "conflicts": [c.as_json() for c in self.conflicts],
            "duplicates": [d.as_json() for d in self.duplicates],
            "profiles": [p.as_json() for p in self.profiles],
            "start_dates": [d.as_json() for d in self.start_dates],
            "refusal": self.refusal,
            "written": self.written,
        }


ImportPreview = ImportReport
ImportResult = ImportReport


class UntrustedSigner(BundleError):
    """The bundle is signed by a device this store does not trust (yet)."""


@functools.cache
def _revisions(migrations: Path) -> tuple[str, frozenset[str]]:
    """(head, every revision) of the app's migrations; read once, since it parses them all."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations))
    script = ScriptDirectory.from_config(config)
    return str(script.get_current_head()), frozenset(r.revision for r in script.walk_revisions())


def _known_revisions() -> frozenset[str]:
    return _revisions(migrate.MIGRATIONS_DIR)[1]


def _schema() -> str:
    return _revisions(migrate.MIGRATIONS_DIR)[0]


def _parse(store: Any, bundle: OpenedBundle) -> tuple[dict[str, Any], merge.Parsed]:
    manifest = bundle.manifest
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise BundleError("这不是运维工作台的团队交换包。")
    version = manifest.get("version")
    if (
        not isinstance(version, int)
        or version > VERSION
        or (manifest.get("schema") not in _known_revisions())
    ):
        raise BundleError(
            "此交换包由较新版本的运维工作台制作，请先升级本机的运维工作台。未导入任何内容。"
        )
    names = set(bundle.names())
    try:
        rows: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(names):
            if not name.startswith("rows/"):
                continue
            table = name[len("rows/") : -len(".json")]
            spec = tables.BY_NAME.get(table)
            if spec is None:
                raise BundleError(
                    f"交换包含有本机不认识的记录类型 {table}："
                    "请先升级本机的运维工作台。未导入任何内容。"
                )
            docs = _loads(bundle.read(name))
            known = {c.key for c in spec.table.columns}
            if any(set(doc) - known for doc in docs):
                raise BundleError("此交换包由较新版本的运维工作台制作，请先升级本机的运维工作台。")
            rows[table] = [tables.decode(spec.table, doc) for doc in docs]
        blobs = {
            name[len("blobs/") :]: (lambda n=name: bundle.read(n))
            for name in names
            if name.startswith("blobs/")
        }
        heads = [SignedHead.from_json(h) for h in _loads(bundle.read("heads.json"))]
        audit = _loads(bundle.read("audit.json"))
        for entry in audit:
            entry["at"] = _when(entry["at"])
        parsed = merge.Parsed(
            rows, blobs, _loads(bundle.read("devices.json")), audit, [h for h in heads if h]
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BundleError("交换包内容格式无效，未导入任何内容。") from exc
    return manifest, parsed


def _when(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def _signer(session: Session, bundle: OpenedBundle, manifest: dict[str, Any]) -> Signer:
    key = guards.device_of(session)
    exporter = manifest.get("exporter") if isinstance(manifest.get("exporter"), dict) else {}
    row = session.get(TeamDevice, bundle.signer_device_id)
    if row is not None and row.public_key != bundle.signer_public_key:
        raise BundleError(
            f"交换包声称由设备 {bundle.signer_device_id[:8]}（{row.engineer}）签名，"
            "但签名密钥与本机信任的不同：可能是冒充。未导入任何内容。"
        )
    return Signer(
        bundle.signer_device_id,
        identity.fingerprint(bundle.signer_public_key),
        (row.engineer if row and row.engineer else str(exporter.get("engineer", "")))[:64],
        (row.code if row and row.code else str(exporter.get("code", "")))[:4],
        bool(row and row.trusted_by),
        bundle.signer_device_id == key.device_id,
    )


def _engineers(session: Session) -> dict[str, str]:
    return {
        r.device_id: r.code or r.engineer or r.device_id[:8]
        for r in session.scalars(select(TeamDevice))
    }


def _merge(
    session: Session,
    source: Path,
    bundle: OpenedBundle,
    *,
    store: Any,
    trust_new_signer: bool,
    preview: bool,
    progress: Progress | None,
    cancel: Cancel | None,
) -> ImportReport:
    if not preview:
        write_lock(session)  # on a hub the chains' ends and seq are read to append to them
    manifest, parsed = _parse(store, bundle)
    signer = _signer(session, bundle, manifest)
    report = ImportReport(source.name, bundle.sha256, signer, manifest.get("contract"))
    if not signer.trusted and not signer.own:
        if trust_new_signer:
            identity.trust_device(
                session,
                signer.device_id,
                actor=store.actor,
                public_key=bundle.signer_public_key,
                engineer=signer.engineer,
                code=signer.code,
            )
            report.signer = replace(signer, trusted=True)
        elif not preview:
            raise UntrustedSigner(
                f"交换包由尚未信任的设备签名：{signer.label()}。请与对方核对指纹，"
                "确认后用 omw bundle import 文件 --trust 导入（窗口中在预览里确认信任）。"
                "未导入任何内容。"
            )
    clashes = merge.contract_clashes(session, parsed.rows.get("contract", []))
    if clashes:
        raise BundleError(_clash_message(clashes))
    demo = manifest.get("demo") is True
    mixed = demo_data.refusal(session, demo, parsed.rows)
    if mixed:
        raise BundleError(mixed)
    if demo:
        demo_data.mark(session, signer.device_id)
    versioned = {r["contract_id"] for r in parsed.rows.get(profiles.TABLE, [])}
    report.start_dates = merge.start_dates(session, parsed.rows.get("contract", []), versioned)
    missing = merge.missing_contracts(session, parsed.rows)
    if missing:
        raise BundleError(
            f"交换包中的记录属于本机没有的合同（{len(missing)} 份）：请先导入项目经理的交换包"
            "（含合同），或导出时用 --contract 选本机有的合同。未导入任何内容。"
        )
    outcome = merge.Outcome()
    merge.merge_devices(session, parsed.devices, outcome)
    merge.merge_blobs(session, parsed.blobs, outcome)
    merge.merge_audit(session, parsed.audit, outcome)
    merge.merge_heads(session, parsed.heads)
    profiles.check(session, parsed.rows.get(profiles.TABLE, []))
    merge.merge_rows(session, parsed, outcome, progress=progress, cancel=cancel)
    session.flush()
    identity.learn(session, [t for t in manifest.get("team", []) if isinstance(t, dict)])
    if trust_new_signer or profiles.affected(outcome.new):
        report.profiles = profiles.adopt(session)
    try:
        refuse_tampered(session, {record for _t, record, _d in outcome.inserted}, "导入")
    except TamperedError as exc:
        if not preview:
            raise
        report.refusal = str(exc)
    names = _engineers(session)
    by_engineer: Counter[str] = Counter(
        names.get(device or "", (device or "—")[:8])
        for table, _record, device in outcome.inserted
        if table in tables.SIGNED_TYPES
    )
    touched = {record for _t, record, _d in outcome.inserted}
    report.new = dict(outcome.new)
    report.present = dict(outcome.present)
    report.by_engineer = dict(by_engineer)
    report.quarantined = outcome.held
    report.conflicts = [
        c for c in conflicts(session) if touched & {c.original_id, *c.amendment_ids}
    ]
    report.duplicates = duplicate_runs(session, touching=touched)
    if preview:
        return report
    merge.quarantine(session, outcome, parsed, bundle.sha256, signer.device_id)
    _advance_holdings(session, manifest)
    session.add(
        TeamExchange(
            direction="import",
            device_id=signer.device_id,
            bundle_sha256=bundle.sha256,
            file_name=source.name[:255],
            actor=store.actor,
            summary={
                "new": report.new,
                "quarantined": len(report.quarantined),
                "upto": manifest.get("upto", {}),
            },
        )
    )
    guards.note(
        session,
        "import",
        "bundle",
        signer.device_id,
        {
            "sha256": bundle.sha256,
            "file": source.name,
            "signer": signer.label(),
            "new": report.new,
            "quarantined": len(report.quarantined),
        },
    )
    report.written = True
    return report


def _advance_holdings(session: Session, manifest: dict[str, Any]) -> None:
    """What this store now has of each device: ``upto`` of a gapless, whole-store bundle."""
    if manifest.get("contract"):
        return
    since = (manifest.get("since") or {}).get("rows", {})
    upto = (manifest.get("upto") or {}).get("rows", {})
    for device_id, value in upto.items():
        row = session.get(TeamCounter, (device_id, "have"))
        held = row.value if row is not None else 0
        if int(since.get(device_id, 0)) > held or int(value) <= held:
            continue
        if row is None:
            session.add(TeamCounter(device_id=device_id, name="have", value=int(value)))
        else:
            row.value = int(value)


def passphrase_from_env() -> str | None:
    return os.environ.get(ENV_PASSPHRASE) or None


def preview_bundle(store: Any, source: Path, passphrase: str) -> ImportPreview:
    """What importing ``source`` would bring; nothing is written."""
    source = Path(source)
    with open_bundle(source, passphrase) as bundle:
        session = store.sessions()
        guards.install(session, store.actor, store.device)
        try:
            return _merge(
                session,
                source,
                bundle,
                store=store,
                trust_new_signer=False,
                preview=True,
                progress=None,
                cancel=None,
            )
        finally:
            session.rollback()
            session.close()


def import_bundle(
    store: Any,
    source: Path,
    passphrase: str,
    *,
    trust_new_signer: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Verify and merge ``source`` in one transaction (see the module docstring)."""
    source = Path(source)
    with open_bundle(source, passphrase, cancel=cancel) as bundle, store.session() as session:
        report = _merge(
            session,
            source,
            bundle,
            store=store,
            trust_new_signer=trust_new_signer,
            preview=False,
            progress=progress,
            cancel=cancel,
        )
        if cancel is not None and cancel():
            raise BundleCancelled("已取消导入，本机数据未改变。")
    return report


def _clash_message(clashes: list[merge.ContractClash]) -> str:
    """Why the store's own contracts of the bundle's codes keep it out, and what to do."""
    recorded = [c.code for c in clashes if c.recorded]
    changed = [c.code for c in clashes if not c.recorded]
    why = []
    if recorded:
        why.append(f"本机的合同 {'、'.join(recorded)} 是单独建立的，已有记录")
    if changed:
        why.append(
            f"本机的合同 {'、'.join(changed)} 尚无记录，但已在本机修改过合同档案"
            "（如声明启用日期、导入合同档案文件）"
        )
    return (
        "；".join(why) + "，与交换包中的不是同一份，不能合并。团队中只由项目经理建立和修改合同"
        "（包括启用日期），其他成员在新的数据目录中先导入项目经理的交换包。未导入任何内容。"
    )
