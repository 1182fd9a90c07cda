"""Plain snapshots of a fault or a service request, as their forms show them.

A form reads its record once through these (and again after each change) and
never walks ORM objects itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.records import faults, requests
from db.models import Contract, FaultRecord, ServiceRequest

FAULT_TEXT = (
    "title",
    "category",
    "impact",
    "handler",
    "coordinator",
    "symptom",
    "impact_analysis",
    "cause",
    "process",
    "prevention",
    "result",
)
REQUEST_TEXT = (
    "number",
    "caller_unit",
    "caller_name",
    "caller_contact",
    "category",
    "priority",
    "impact",
    "description",
    "resolution",
    "status",
    "channel",
    "handler",
)


def _common(session: Session, record: FaultRecord | ServiceRequest) -> dict[str, Any]:
    contract = session.get(Contract, record.contract_id)
    assert contract is not None
    return {
        "id": record.id,
        "number": record.number,
        "contract": contract.code,
        "system_code": record.system.code if record.system else "",
        "system_name": record.system.name if record.system else "",
        "locked": record.locked_at is not None,
        "amendment_reason": record.amendment_reason,
    }


def fault_fields(session: Session, fault_id: str) -> dict[str, Any]:
    """Every field of the fault form; times under ``time:<step>`` (see ``faults.STEPS``),
    the outage under ``outage:interrupted|start|end|systems`` (see ``faults.set_outage``)."""
    fault = faults.get_fault(session, fault_id)
    values = _common(session, fault) | {name: getattr(fault, name) for name in FAULT_TEXT}
    values |= {
        "level": fault.level,
        "emergency_type": fault.emergency_type or "",
        "discovery": fault.discovery,
        "holiday_period_id": fault.holiday_period_id,
    }
    for step, (column, _label) in faults.STEPS.items():
        values[f"time:{step}"] = getattr(fault, column)
    values |= {
        "outage:interrupted": fault.service_interrupted,
        "outage:start": fault.outage_start,
        "outage:end": fault.outage_end,
        "outage:systems": list(fault.outage_systems or []),
    }
    return values


def request_fields(session: Session, req_id: str) -> dict[str, Any]:
    """Every field of the service request form, with its times and linked fault."""
    req = requests.get_request(session, req_id)
    values = _common(session, req) | {name: getattr(req, name) for name in REQUEST_TEXT}
    values |= {
        "received_at": req.received_at,
        "responded_at": req.responded_at,
        "remote_at": req.remote_at,
        "onsite_at": req.onsite_at,
        "completed_at": req.completed_at,
        "fault_id": req.fault_id,
        "solved_on_phone": req.solved_on_phone,
    }
    return values
