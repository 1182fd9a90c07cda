"""Contracts: installing a validated profile into the store and finding contracts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.contracts import versions
from app.contracts.profile_schema import ChecklistDef, ItemDef, Profile, SystemDef
from app.contracts.snapshot import unknown_contract
from app.contracts.versions import derived_id
from db.models import ChecklistItem, ChecklistTemplate, Contract, System

T = TypeVar("T")
#: items a checklist no longer has are numbered from here: sorted last, kept for old runs
_LEFTOVER = 10_000


def profile_of(contract: Contract) -> Profile:
    """The validated profile snapshot a contract was installed from.

    A snapshot an earlier release accepted may break a rule added since (e.g. the
    bounds of SLA minutes): that is a Chinese error naming the fields and how to
    mend it — installing the corrected profile makes it the contract's next version.
    """
    try:
        return Profile.model_validate(contract.profile)
    except ValidationError:
        from app.contracts.validation import ProfileError, validate_profile  # only when broken

        name = f"合同 {contract.code} 的档案"
        try:
            validate_profile(contract.profile, name)
        except ProfileError as exc:
            mend = (
                "请改正后在「设置」→「合同与演示数据」→「导入合同档案…」"
                "或用 omw profiles --install 重新导入"
            )
            raise ProfileError(name, [*exc.problems, mend]) from None
        raise


def get_contract(session: Session, code: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.code == code))
    if contract is None:
        raise unknown_contract(code)
    return contract


def list_contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.start_date, Contract.code)))


def _newest(entries: Iterable[tuple[str, T]]) -> dict[str, tuple[int, T]]:
    """Each code's position and definition in the newest of the lists that have it.

    ``entries`` lists each version's definitions in order, oldest version first
    (the code, then the definition); a position counts within its own version.
    """
    found: dict[str, tuple[int, T]] = {}
    for seq, (code, definition) in enumerate(entries):
        found[code] = (seq, definition)
    return found


def _sync_systems(contract: Contract, history: Sequence[Profile]) -> None:
    """Each system of any version as in the newest version that has it; active if the last has."""
    newest: dict[str, tuple[int, SystemDef]] = {}
    for profile in history:
        newest |= _newest((s.code, s) for s in profile.systems)
    current = {s.code for s in history[-1].systems}
    systems = {s.code: s for s in contract.systems}
    for code, (seq, sdef) in newest.items():
        system = systems.pop(code, None)
        if system is None:
            system = System(id=derived_id(contract.id, "system", code), code=code)
            contract.systems.append(system)
        system.name, system.category, system.seq = sdef.name, sdef.category, seq
        system.active = code in current
    for gone in systems.values():
        gone.active = False


def _sync_templates(contract: Contract, history: Sequence[Profile]) -> None:
    """Each checklist of any version as in the newest version that has it, with its items."""
    newest: dict[str, tuple[int, ChecklistDef]] = {}
    for profile in history:
        newest |= _newest((c.code, c) for c in profile.checklists)
    current = {c.code for c in history[-1].checklists}
    templates = {t.code: t for t in contract.templates}
    for code, (seq, cdef) in newest.items():
        template = templates.pop(code, None)
        if template is None:
            template = ChecklistTemplate(id=derived_id(contract.id, "checklist", code), code=code)
            contract.templates.append(template)
        template.name = cdef.name
        template.category = cdef.category
        template.cadence = cdef.cadence
        template.systems_mode = cdef.systems_mode
        template.system_codes = list(cdef.systems) if cdef.systems is not None else None
        template.seq = seq
        template.active = code in current
        _sync_items(template, [c for p in history for c in p.checklists if c.code == code])
    for gone in templates.values():
        gone.active = False


def _items(cdef: ChecklistDef) -> Iterator[tuple[str, tuple[str, ItemDef]]]:
    for group in cdef.groups:
        for idef in group.items:
            yield idef.code, (group.name, idef)


def _sync_items(template: ChecklistTemplate, defs: Sequence[ChecklistDef]) -> None:
    """A checklist's items, numbered across its groups, from its versions (``defs``, oldest first).

    Items its newest version dropped stay for old runs, sorted last and no longer required.
    """
    newest: dict[str, tuple[int, tuple[str, ItemDef]]] = {}
    for cdef in defs:
        newest |= _newest(_items(cdef))
    current = {code for code, _ in _items(defs[-1])}
    items = {i.code: i for i in template.items}
    for code, (seq, (group, idef)) in newest.items():
        item = items.pop(code, None)
        if item is None:
            item = ChecklistItem(id=derived_id(template.id, "item", code), code=code)
            template.items.append(item)
        item.group = group
        item.seq = seq
        item.title = idef.title
        item.method = idef.method
        item.standard = idef.standard
        item.kind = idef.kind
        params = {}
        if idef.threshold is not None:
            params = idef.threshold.model_dump(mode="json")
        if idef.pair is not None:
            params = idef.pair.model_dump(mode="json")
        item.params = params
        item.required = idef.required
        if code not in current:
            item.seq, item.required = _LEFTOVER + seq, False
    for leftover in items.values():
        if leftover.seq < _LEFTOVER:
            leftover.seq, leftover.required = _LEFTOVER + leftover.seq, False


def materialize(contract: Contract, history: Sequence[Profile]) -> None:
    """Bring the contract, its systems, checklists and items to ``history`` (oldest first).

    The last profile is the one that applies; the earlier ones only say what the
    entries it no longer has looked like (:mod:`app.contracts.versions`).
    Entries are matched by code: new ones are added, changed ones updated, and
    ones the last profile does not have are deactivated (never deleted, because
    past records refer to them).
    """
    profile = history[-1]
    snapshot = profile.model_dump(mode="json")
    contract.name = profile.name
    contract.client = profile.client
    contract.vendor = profile.vendor
    contract.contract_no = profile.contract_no
    contract.site = profile.site
    contract.start_date = profile.period.start
    contract.end_date = profile.period.end
    contract.service_window = profile.service_window
    contract.profile = snapshot
    contract.profile_sha256 = versions.digest(snapshot)
    _sync_systems(contract, history)
    _sync_templates(contract, history)


def apply_versions(session: Session, contract: Contract) -> list[versions.Version]:
    """Bring ``contract`` to its usable versions (returned), or to its own profile when none is.

    The second case keeps rows a bundle brought for versions this store does
    not trust (yet) deactivated.
    """
    history = versions.history(session, contract.id)
    found = [v.profile for v in history]
    loaded = selectinload(Contract.templates).selectinload(ChecklistTemplate.items)
    query = select(Contract).where(Contract.id == contract.id)  # 3 queries, not 1 per checklist
    session.scalars(query.options(selectinload(Contract.systems), loaded)).one()
    with session.no_autoflush:
        materialize(contract, found or [profile_of(contract)])
    session.flush()
    return history


def install_profile(session: Session, profile: Profile, *, builtin: bool = False) -> Contract:
    """Create the contract of ``profile`` or bring an existing one up to date.

    A change of an installed contract is published as its next version
    (:func:`app.contracts.versions.publish`), so that it reaches the team in
    the next exchange bundle; the first install is version 1 without a row, under the id
    every store installing the same profile gives it (:func:`versions.contract_id`).
    """
    snapshot = profile.model_dump(mode="json")
    digest = versions.digest(snapshot)
    contract = session.scalar(select(Contract).where(Contract.code == profile.code))
    if contract is not None and contract.profile_sha256 == digest:
        return contract
    if contract is None:
        contract = Contract(id=versions.contract_id(profile), code=profile.code, builtin=builtin)
        session.add(contract)
        materialize(contract, [profile])
        session.flush()
        return contract
    contract.builtin = builtin
    versions.publish(session, contract, snapshot)
    apply_versions(session, contract)
    return contract
