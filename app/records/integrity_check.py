"""``omw check`` / 数据完整性: is everything in the store what its signers signed?

Checked, each problem reported in Chinese with the record's human number:

- every **signature**: its record exists; it carries a seal (Ed25519 by a
  device known to the store) over its statement (:mod:`app.integrity.seals`);
  its record's current content hash is the one it signed; its record version
  is the record's; its image is intact;
- every **locked record** has signatures, every signed record is locked;
  every stored file (signature images, attachments) matches its hash;
- the **audit chain** links and hashes; each device's signed head is valid and
  lies on the chain; no entries follow the last signed head; the head this
  laptop remembers outside the store (and the head of any pack or backup
  given) is still on the chain — otherwise the store was rolled back or the
  chain truncated/rewritten;
- **coverage**: every signable record and signature has its audit entry, and
  every audited record that was never deleted through the app still exists.

:func:`check_records` runs the record part for a chosen set (an export checks
what it is about to pack).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contracts import versions
from app.errors import DomainError
from app.integrity import seals
from app.records import signing
from app.storage import guards
from app.storage.device import SignedHead, head_problem, tail_problems
from app.storage.legacy_seals import ancestor_versions, record_versions
from db.audit import verify_chain
from db.models import (
    SIGNABLE_TYPES,
    Attachment,
    AuditEntry,
    AuditHead,
    Blob,
    Device,
    FaultRecord,
    InspectionRun,
    MeetingMinutes,
    ServiceRequest,
    Signature,
    TeamCounter,
)

CHAIN = "审计日志"


@dataclass(frozen=True)
class Problem:
    where: str  # "故障单 GZ-202611-0004", "巡检记录 2026-11-03 …", "审计日志"
    message: str
    record_type: str | None = None
    record_id: str | None = None

    def line(self) -> str:
        return f"{self.where}：{self.message}"

    def as_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "message": self.message,
            "record_type": self.record_type,
            "record_id": self.record_id,
        }


@dataclass
class CheckReport:
    records: int = 0
    signatures: int = 0
    audit_entries: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, message: str, record: tuple[str, str] | None = None) -> None:
        record_type, record_id = record if record else (None, None)
        self.problems.append(Problem(where, message, record_type, record_id))

    def summary(self) -> str:
        counted = (
            f"已核查 {self.records} 条签字记录、{self.signatures} 个签字、"
            f"{self.audit_entries} 条审计日志"
        )
        if self.ok:
            return f"数据完整：{counted}，未发现问题。"
        return f"发现 {len(self.problems)} 个问题（{counted}）。"

    def lines(self) -> list[str]:
        return [self.summary(), *(f"  - {p.line()}" for p in self.problems)]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "signatures": self.signatures,
            "audit_entries": self.audit_entries,
            "problems": [p.as_json() for p in self.problems],
        }


# --------------------------------------------------------------------------- labels


def record_label(record: Any) -> str:
    """How a person finds the record: its number, or its date, form and inspector."""
    if isinstance(record, FaultRecord):
        return f"故障单 {record.number}"
    if isinstance(record, ServiceRequest):
        return f"服务单 {record.number}"
    if isinstance(record, MeetingMinutes):
        return f"会议纪要 {record.number}（{record.meeting_at:%Y-%m-%d}）"
    if isinstance(record, InspectionRun):
        name = record.template.name if record.template is not None else record.cadence
        who = f"，{record.inspector}" if record.inspector else ""
        return f"巡检记录 {record.scheduled_date:%Y-%m-%d} {name}（{record.period_key}{who}）"
    return "记录"


def _missing_label(record_type: str, record_id: str) -> str:
    return (
        f"{signing.RECORD_LABELS.get(record_type, record_type)}（编号 {record_id[:8]}，已不存在）"
    )


# --------------------------------------------------------------------------- records


def _intact_blobs(session: Session, shas: Iterable[str]) -> dict[str, bool]:
    wanted = sorted(set(shas))
    intact: dict[str, bool] = dict.fromkeys(wanted, False)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for sha, data in session.execute(
            select(Blob.sha256, Blob.data).where(Blob.sha256.in_(chunk))
        ):
            intact[sha] = hashlib.sha256(data).hexdigest() == sha
    return intact


#: What the check reads of a signature (Core rows: no ORM object per signature).
_SIGNATURE_COLUMNS = (
    Signature.id,
    Signature.record_type,
    Signature.record_id,
    Signature.role,
    Signature.signer_name,
    Signature.signed_at,
    Signature.image_sha256,
    Signature.content_sha256,
    Signature.device_id,
    Signature.record_version,
    Signature.device_sig,
)


def _signatures(session: Session, where: Any) -> Any:
    return session.execute(select(*_SIGNATURE_COLUMNS).where(where))


def _check_one(
    session: Session,
    report: CheckReport,
    record: tuple[str, str, Any],
    sigs: list[Any],
    devices: dict[str, str],
    blobs: dict[str, bool],
    digest: str,
    version: int,
    sealed: dict[str, bool],
) -> None:
    """One record — (type, id, locked_at) — against its signatures (``sealed``: signature
    id → whether its seal is valid, for those by a known device)."""
    record_type, record_id, locked_at = record
    ref = (record_type, record_id)
    report.records += 1
    labels: list[str] = []

    def where() -> str:
        """The record's label, loaded only for a problem (a run's names its checklist)."""
        if not labels:
            labels.append(record_label(session.get(SIGNABLE_TYPES[record_type], record_id)))
        return labels[0]

    if locked_at is not None and not sigs:
        report.add(where(), "记录已锁定，却没有任何签字（签字可能在本应用之外被删除）。", ref)
    if sigs and locked_at is None:
        report.add(where(), "已签字的记录被解除锁定。", ref)
    for sig in sigs:
        who = f"「{sig.role}」{sig.signer_name}"
        if sig.device_sig is None:
            report.add(where(), f"{who} 的签字没有设备签名，不是本应用生成的签字。", ref)
        elif sig.device_id not in devices:
            report.add(where(), f"{who} 的签字来自未知设备 {str(sig.device_id)[:8]}。", ref)
        elif not sealed[sig.id]:
            report.add(
                where(),
                f"{who} 的签字与其设备签名不符（签字内容被改动，或从其他记录复制而来）。",
                ref,
            )
        if sig.content_sha256 != digest:
            report.add(where(), f"{who} 签字后，记录内容被改动。", ref)
        if sig.record_version is not None and sig.record_version != version:
            report.add(
                where(), f"{who} 的签字属于该记录的第 {sig.record_version} 版，不是当前版本。", ref
            )
        if not blobs.get(sig.image_sha256, False):
            report.add(where(), f"{who} 的签名图片被改动或缺失。", ref)


def _seals(sigs: dict[str, list[Any]], devices: dict[str, str]) -> dict[str, bool]:
    """Signature id → whether its seal is valid, for the sealed signatures of known devices."""
    known = [
        (sig, devices[sig.device_id])
        for found in sigs.values()
        for sig in found
        if sig.device_sig is not None and sig.device_id in devices
    ]
    return {sig.id: ok for (sig, _key), ok in zip(known, seals.seals_valid(known), strict=True)}


def _chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def check_records(session: Session, record_ids: Iterable[str] | None = None) -> CheckReport:
    """Check signatures and locks of the records with ``record_ids``, or of every record.

    Ids are UUIDs, unique across record types. Without ids, the records checked
    are those locked or signed; with ids, exactly those (an unsigned draft in
    a pack is not a problem here). Records and signatures are read as light rows
    (ids, lock, the signed columns), a chunk at a time; a record is loaded whole
    only to name it in a problem.
    """
    report = CheckReport()
    devices = dict(session.execute(select(Device.id, Device.public_key)).all())
    # The whole store: who signed what as light tuples, the signature rows read with their
    # records a chunk at a time (a store of several years is never loaded whole: the window
    # checks it in the background at every start). Given records (a pack, a bundle): their
    # signatures at once, a few queries for all record types.
    given: dict[tuple[str, str], list[Any]] | None = None
    if record_ids is None:
        keys = select(Signature.record_type, Signature.record_id, Signature.image_sha256)
        signed_keys = [tuple(row) for row in session.execute(keys)]
    else:
        record_ids = list(record_ids)
        given = defaultdict(list)
        for chunk in _chunks(record_ids):
            for sig in _signatures(session, Signature.record_id.in_(chunk)):
                given[(sig.record_type, sig.record_id)].append(sig)
        signed_keys = [(t, i, sig.image_sha256) for (t, i), sigs in given.items() for sig in sigs]
    signature_count = Counter((kind, record_id) for kind, record_id, _sha in signed_keys)
    blobs = _intact_blobs(session, {sha for _kind, _id, sha in signed_keys})
    seen: set[tuple[str, str]] = set()
    for record_type, model in SIGNABLE_TYPES.items():
        ident = model.id  # type: ignore[attr-defined]
        if record_ids is None:
            signed = select(Signature.record_id).where(Signature.record_type == record_type)
            where = model.locked_at.is_not(None) | ident.in_(signed)  # type: ignore[attr-defined]
            ids: Iterable[str] = session.scalars(select(ident).where(where)).all()
            version_of = record_versions(session, model)
        else:
            ids = record_ids
            signed_ids = [i for t, i in signature_count if t == record_type]
            version_of = ancestor_versions(session, model, signed_ids)
        for chunk in _chunks(ids):
            records = session.execute(
                select(ident, model.locked_at).where(ident.in_(chunk))  # type: ignore[attr-defined]
            ).all()
            sigs: dict[str, list[Any]] = defaultdict(list)
            if given is None:
                of_chunk = (Signature.record_type == record_type) & Signature.record_id.in_(chunk)
                for sig in _signatures(session, of_chunk):
                    sigs[sig.record_id].append(sig)
            else:
                sigs.update(
                    (i, given[(record_type, i)]) for i in chunk if (record_type, i) in given
                )
            digests = signing.content_hashes(session, record_type, list(sigs))
            sealed = _seals(sigs, devices)
            for record_id, locked_at in records:
                seen.add((record_type, record_id))
                _check_one(
                    session,
                    report,
                    (record_type, record_id, locked_at),
                    sigs.get(record_id, []),
                    devices,
                    blobs,
                    digests.get(record_id, ""),
                    version_of.get(record_id, 1),
                    sealed,
                )
    for (record_type, record_id), count in signature_count.items():
        report.signatures += count
        if (record_type, record_id) not in seen:
            report.add(
                _missing_label(record_type, record_id),
                f"有 {count} 个签字，但所属记录已被删除。",
                (record_type, record_id),
            )
    return report


def _check_files(session: Session, report: CheckReport) -> None:
    shas = session.scalars(select(Attachment.blob_sha256).distinct()).all()
    for sha, intact in _intact_blobs(session, shas).items():
        if not intact:
            report.add("附件", f"文件 {sha[:12]} 的内容被改动或缺失。")


# --------------------------------------------------------------------------- audit chain


def check_chain(
    session: Session, report: CheckReport, known_heads: Iterable[tuple[str, SignedHead]] = ()
) -> None:
    """The audit chain, the heads signed in the store, and heads known from elsewhere."""
    chain = verify_chain(session)
    report.audit_entries = chain.entries
    if not chain.ok:
        device = f"设备 {chain.device_id[:8]} 的" if chain.device_id and chain.chains > 1 else ""
        report.add(CHAIN, f"{device}第 {chain.broken_at} 条校验失败：{chain.reason}。")
    check_heads(session, report, known_heads)


def check_heads(
    session: Session, report: CheckReport, known_heads: Iterable[tuple[str, SignedHead]] = ()
) -> None:
    """The signed heads only (fast): valid, on the chain, nothing appended after them."""
    devices = dict(session.execute(select(Device.id, Device.public_key)).all())
    heads = session.scalars(select(AuditHead)).all()
    last = session.scalar(select(func.max(AuditEntry.seq))) or 0
    if last and not heads:
        report.add(CHAIN, "审计日志没有任何设备签名的链头（链头被删除）。")
    stored = [SignedHead(row.device_id, row.seq, row.hash, row.at, row.sig) for row in heads]
    problems = [head_problem(session, head, devices, "数据库中") for head in stored]
    problems += tail_problems(session, stored)
    problems += [head_problem(session, head, devices, source) for source, head in known_heads]
    for problem in filter(None, problems):
        report.add(CHAIN, problem)
    alerts = select(AuditEntry).where(AuditEntry.action == guards.ALERT).order_by(AuditEntry.seq)
    for entry in session.scalars(alerts):
        found = "；".join(str(p) for p in (entry.details or {}).get("problems", []))
        report.add(
            CHAIN,
            f"本应用于 {entry.at:%Y-%m-%d %H:%M} 写入第 {entry.seq} 条之前发现：{found}。",
        )


# --------------------------------------------------------------------------- coverage


_CREATED = ("create", "amend", "sign")


def check_coverage(session: Session, report: CheckReport) -> None:
    """Records without audit entries, and audited records gone without a delete entry.

    A colleague's chain, arrived by an exchange bundle, names drafts that never
    left their laptop: only chains written in this store (those with a change
    counter here) count for records gone.
    """
    local = set(
        session.scalars(select(TeamCounter.device_id).where(TeamCounter.name == "seq")).all()
    )
    last_action: dict[tuple[str, str], str] = {}
    written_here: set[tuple[str, str]] = set()
    for entity, entity_id, action, device_id in session.execute(
        select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.action, AuditEntry.device_id)
        .where(AuditEntry.entity.in_([*SIGNABLE_TYPES, "signature"]))
        .order_by(AuditEntry.seq)
    ):
        last_action[(entity, entity_id)] = action
        if device_id is None or device_id in local:
            written_here.add((entity, entity_id))
    # ids only: a record is loaded just to name it when it has no audit entry (loading every
    # record and signature of a store of several years held ~100 MiB at each window start)
    models: dict[str, Any] = {**SIGNABLE_TYPES, "signature": Signature}
    present: dict[tuple[str, str], None] = {}
    for entity, model in models.items():
        present.update(((entity, i), None) for i in session.scalars(select(model.id)))
    for entity, entity_id in present:
        if (entity, entity_id) not in last_action:
            obj = session.get(models[entity], entity_id)
            if entity == "signature":
                where, ref = _signature_where(session, obj), (obj.record_type, obj.record_id)
            else:
                where, ref = record_label(obj), (entity, entity_id)
            report.add(
                where, "数据库中有这条记录，审计日志中却没有它的创建记录（在本应用之外插入）。", ref
            )
    for (entity, entity_id), action in last_action.items():
        if (
            action != "delete"
            and (entity, entity_id) not in present
            and ((entity, entity_id) in written_here)
        ):
            label = "签字" if entity == "signature" else signing.RECORD_LABELS.get(entity, entity)
            report.add(
                f"{label}（编号 {entity_id[:8]}）",
                "审计日志中有这条记录，数据库中却没有了，也没有删除记录（在本应用之外被删除）。",
                None if entity == "signature" else (entity, entity_id),
            )


def _signature_where(session: Session, sig: Signature) -> str:
    model = SIGNABLE_TYPES.get(sig.record_type)
    record = session.get(model, sig.record_id) if model is not None else None
    where = (
        record_label(record)
        if record is not None
        else _missing_label(sig.record_type, sig.record_id)
    )
    return f"{where} 的「{sig.role}」签字"


# --------------------------------------------------------------------------- the whole store


def check_session(
    session: Session, known_heads: Iterable[tuple[str, SignedHead]] = ()
) -> CheckReport:
    """Everything above, on one session of a store."""
    report = check_records(session)
    _check_files(session, report)
    check_chain(session, report, known_heads)
    check_coverage(session, report)
    check_profile_versions(session, report)
    return report


def check_profile_versions(session: Session, report: CheckReport) -> None:
    """Each contract profile version: its content hash and its publishing device's signature."""
    for row, why in versions.forged(session):
        report.add(f"合同档案版本 {row.version}（{row.id[:8]}）", why)


class TamperedError(DomainError):
    """Records to be exported or merged failed their check; nothing was written."""


def refuse_tampered(session: Session, record_ids: Iterable[str], what: str = "导出") -> None:
    """Raise :class:`TamperedError` listing every problem of these records and of the heads.

    Used before anything is signed as genuine: a forged record is never
    re-signed into a pack.
    """
    report = check_records(session, record_ids)
    check_heads(session, report)
    if report.ok:
        return
    shown = [p.line() for p in report.problems[:20]]
    more = len(report.problems) - len(shown)
    raise TamperedError(
        f"发现 {len(report.problems)} 处数据被改动，已停止{what}（不会为被改动的内容签名）：\n"
        + "\n".join(f"  - {line}" for line in shown)
        + (f"\n  …另有 {more} 处" if more > 0 else "")
        + "\n请运行 omw check（或 设置 → 数据完整性）查看全部问题。"
    )


# --------------------------------------------------------------------------- heads from elsewhere


def heads_in_file(path: Path) -> list[tuple[str, SignedHead]]:
    """The signed head a pack (folder or zip) or a backup (its summary) carries."""
    from app.storage.backup import read_summary

    found: list[tuple[str, SignedHead]] = []
    doc: Any = None
    if path.is_dir():
        manifests = sorted(path.glob("manifest.json")) or sorted(path.glob("*/manifest.json"))
        doc = _json_file(manifests[0]) if manifests else None
        source = f"导出包 {path.name} "
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.rsplit("/", 1)[-1] == "manifest.json"]
            if names and zf.getinfo(names[0]).file_size < 64 * 1024 * 1024:
                try:
                    doc = json.loads(zf.read(names[0]))
                except ValueError:
                    doc = None
        source = f"导出包 {path.name} "
    else:
        summary = read_summary(path)
        doc = {"audit_head": (summary or {}).get("audit", {}).get("signed_head")}
        source = f"备份 {path.name} "
    head = SignedHead.from_json(doc.get("audit_head")) if isinstance(doc, dict) else None
    if head is not None:
        found.append((source, head))
    return found


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def known_heads(
    store: Any, against: Iterable[Path] = ()
) -> tuple[list[tuple[str, SignedHead]], list[str]]:
    """Heads to hold the store against: this laptop's, its backups', and ``against``'s.

    Also notes (in Chinese) what could not be read, which is not itself a problem.
    """
    from app.storage import device
    from app.storage.backup import backup_dir, list_backups

    heads: list[tuple[str, SignedHead]] = []
    notes: list[str] = []
    try:
        key = device.peek(store.folder, store.secret_store())
        remembered = key.outside_head() if key is not None else None
        if remembered is not None:
            heads.append(("本机记得的", remembered))
    except DomainError as exc:
        notes.append(f"未能读取本机记得的审计链头：{exc}")
    for backup in list_backups(backup_dir(store.folder)):
        heads += heads_in_file(backup.path)
    for path in against:
        if not path.exists():
            notes.append(f"找不到 {path}")
            continue
        got = heads_in_file(path)
        if not got:
            notes.append(f"{path.name} 中没有审计链头（早于本版本导出，或不是导出包/备份）。")
        heads += got
    return heads, notes


def check_store(store: Any, against: Iterable[Path] = ()) -> tuple[CheckReport, list[str]]:
    """:func:`check_session` on an open store, against every head known for it."""
    heads, notes = known_heads(store, against)
    with store.session() as session:
        report = check_session(session, heads)
    return report, notes
