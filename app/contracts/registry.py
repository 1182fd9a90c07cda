"""Contracts: installing a validated profile into the store and finding contracts."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import ChecklistDef, Profile
from app.errors import NotFound
from db.audit import canonical_json
from db.models import ChecklistItem, ChecklistTemplate, Contract, System


def profile_of(contract: Contract) -> Profile:
    """The validated profile snapshot a contract was installed from."""
    return Profile.model_validate(contract.profile)


def get_contract(session: Session, code: str) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.code == code))
    if contract is None:
        raise NotFound(f"没有代码为 “{code}” 的合同。可用 `omw profiles` 查看已有合同。")
    return contract


def list_contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.start_date, Contract.code)))


def _sync_systems(contract: Contract, profile: Profile) -> None:
    """Add or update the profile's systems, in its order; deactivate the others."""
    systems = {s.code: s for s in contract.systems}
    for seq, sdef in enumerate(profile.systems):
        system = systems.pop(sdef.code, None) or System(code=sdef.code)
        if system not in contract.systems:
            contract.systems.append(system)
        system.name, system.category, system.seq, system.active = (
            sdef.name,
            sdef.category,
            seq,
            True,
        )
    for gone in systems.values():
        gone.active = False


def _sync_templates(contract: Contract, profile: Profile) -> None:
    """Add or update the profile's checklists and their items; deactivate the others."""
    templates = {t.code: t for t in contract.templates}
    for seq, cdef in enumerate(profile.checklists):
        template = templates.pop(cdef.code, None) or ChecklistTemplate(code=cdef.code)
        if template not in contract.templates:
            contract.templates.append(template)
        template.name = cdef.name
        template.category = cdef.category
        template.cadence = cdef.cadence
        template.systems_mode = cdef.systems_mode
        template.system_codes = list(cdef.systems) if cdef.systems is not None else None
        template.seq = seq
        template.active = True
        _sync_items(template, cdef)
    for gone in templates.values():
        gone.active = False


def _sync_items(template: ChecklistTemplate, cdef: ChecklistDef) -> None:
    """Add or update a checklist's items, numbered across its groups.

    Items the profile dropped stay for old runs, sorted last and no longer required.
    """
    items = {i.code: i for i in template.items}
    item_seq = 0
    for group in cdef.groups:
        for idef in group.items:
            item = items.pop(idef.code, None) or ChecklistItem(code=idef.code)
            if item not in template.items:
                template.items.append(item)
            item.group = group.name
            item.seq = item_seq
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
            item_seq += 1
    for leftover in items.values():
        leftover.seq = 10_000 + leftover.seq  # kept for old runs, sorted last
        leftover.required = False


def install_profile(session: Session, profile: Profile, *, builtin: bool = False) -> Contract:
    """Create the contract of ``profile`` or bring an existing one up to date.

    Systems, templates and items are matched by code: new ones are added,
    changed ones updated, and ones the profile no longer has are deactivated
    (never deleted, because past records refer to them).
    """
    snapshot = profile.model_dump(mode="json")
    digest = hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()
    contract = session.scalar(select(Contract).where(Contract.code == profile.code))
    if contract is not None and contract.profile_sha256 == digest:
        return contract
    if contract is None:
        contract = Contract(code=profile.code)
        session.add(contract)
    contract.name = profile.name
    contract.client = profile.client
    contract.vendor = profile.vendor
    contract.contract_no = profile.contract_no
    contract.site = profile.site
    contract.start_date = profile.period.start
    contract.end_date = profile.period.end
    contract.service_window = profile.service_window
    contract.profile = snapshot
    contract.profile_sha256 = digest
    contract.builtin = builtin
    _sync_systems(contract, profile)
    _sync_templates(contract, profile)
    session.flush()
    return contract
