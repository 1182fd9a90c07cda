"""The schema of a contract profile (a YAML file in ``resources/profiles/``).

A profile is data: client, vendor, period, systems, staff roles, service
window, SLAs, holidays, checklist templates and deliverables with due rules.
Adding a contract means writing such a file, not code. Unknown keys are
refused so that a typo never silently drops a setting.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
#: The dates a profile may name: this century. Installing a period that ended on 9999-12-31
#: (or began in year 1) raised OverflowError: the schedule's date arithmetic had no room.
ContractDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]

Cadence = Literal[
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "half_year",
    "annual",
    "holiday_pre",
    "holiday_daily",
    "holiday_post",
]
ItemKind = Literal["status", "number", "pair", "url", "text", "photo"]
ServiceWindow = Literal["7x24", "5x8"]
#: Sections of the fault report (系统故障处置报告) a profile may require before 关闭.
ReportSection = Literal["symptom", "impact_analysis", "cause", "process", "prevention", "result"]


class Strict(BaseModel):
    #: no ``.nan`` or ``.inf``: a NaN threshold installed, then every reading compared with it
    #: (and ``omw demo``) failed
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Period(Strict):
    start: ContractDate
    end: ContractDate
    #: 启用日期: the first day whose work is recorded in the app, for a contract taken up
    #: mid-way. What was due before it and is not recorded here is neither counted as
    #: missed nor shown as overdue (:mod:`app.export.stats`, :mod:`app.schedule.due`).
    records_from: ContractDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("end_before_start")
        if self.records_from is not None and not self.start <= self.records_from <= self.end:
            raise ValueError("records_from_outside")
        return self


class ServiceHours(Strict):
    """Hours of the service window on a service day, e.g. 09:00-17:00 for 5×8."""

    start: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "00:00"
    end: Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")] = "24:00"


#: An SLA target in minutes of service time: at most 90 days around the clock. A larger
#: one is a typing mistake, and one beyond what a date can hold broke every SLA clock
#: (``OverflowError`` in the faults list and in exports) after the profile was installed.
SlaMinutes = Annotated[int, Field(gt=0, le=90 * 24 * 60)]


class FaultLevel(Strict):
    code: Code
    name: Text
    recovery_minutes: SlaMinutes | None = None


class Sla(Strict):
    """Targets measured from the moment a fault or request is reported.

    Minutes count service time: every minute for 7×24, only the service hours
    of working days for 5×8.
    """

    response_minutes: SlaMinutes
    remote_minutes: SlaMinutes | None = None
    onsite_minutes: SlaMinutes | None = None
    close_minutes: SlaMinutes | None = None
    fault_levels: Annotated[list[FaultLevel], Field(min_length=1)]


class Role(Strict):
    code: Code
    name: Text
    count: Annotated[int, Field(ge=1, le=100)] = 1


ProbeKind = Literal["http", "tcp", "dns", "tamper", "ftp", "smtp", "ping"]
#: What a probed number item records: response time, days a certificate has left, or the
#: number of targets (links) that failed.
ProbeMeasure = Literal["ms", "cert_days", "failures"]
#: The probe name of the contract's link list (事项跳转超链接), checked as one probe.
LINKS_PROBE = "links"
Host = Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\[\]_-]+$")]
Port = Annotated[int, Field(ge=1, le=65535)]
HttpUrl = Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^(?i:https?)://\S+$")]

#: Fields each probe kind needs (``_TARGET_NEEDS``) and may have besides code/name/kind/timeout.
_TARGET_NEEDS: dict[str, tuple[str, ...]] = {
    "http": ("url",),
    "tamper": ("url",),
    "tcp": ("host", "port"),
    "dns": ("domain", "expect", "resolver"),
    "ftp": ("host",),
    "smtp": ("host",),
    "ping": ("host",),
}
_TARGET_MAY: dict[str, tuple[str, ...]] = {
    "http": ("url", "expect_status", "contains", "max_ms", "verify_tls"),
    "tamper": ("url", "baseline", "exclude", "verify_tls"),
    "tcp": ("host", "port", "max_ms"),
    "dns": ("domain", "expect", "resolver", "port", "max_ms"),
    "ftp": ("host", "port", "banner"),
    "smtp": ("host", "port", "banner"),
    "ping": ("host", "port", "max_ms"),
}


class TargetDef(Strict):
    """Something of a system that a probe may contact when the user starts a check.

    - ``http``: GET ``url``; ``expect_status`` (default any 2xx), a text the page must
      ``contain``, ``max_ms`` above which it is 警告; the certificate's expiry is noted.
    - ``tamper``: GET ``url`` and compare the SHA-256 of the normalised page (``exclude``:
      regular expressions of dynamic regions removed first) with ``baseline``, or with
      the baseline recorded by ``omw probe baseline`` when the profile gives none.
    - ``tcp``: connect to ``host``:``port``.
    - ``dns``: ask ``resolver`` (an IP address, port ``port`` or 53) for ``domain``; an
      answer outside ``expect`` is 域名劫持.
    - ``ftp``/``smtp``: connect and read the greeting; ``banner`` must appear in it.
    - ``ping``: the platform's ``ping``; where it cannot run, a TCP connect to ``port``.
    """

    code: Code
    name: str = ""
    kind: ProbeKind
    url: HttpUrl | None = None
    host: Host | None = None
    port: Port | None = None
    expect_status: Annotated[int, Field(ge=100, le=599)] | None = None
    contains: Annotated[str, Field(max_length=200)] = ""
    max_ms: Annotated[float, Field(gt=0)] | None = None
    timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0
    verify_tls: bool = True
    domain: Host | None = None
    expect: list[Annotated[str, Field(min_length=2, max_length=64)]] = []
    resolver: Host | None = None
    baseline: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    exclude: list[Annotated[str, Field(min_length=1, max_length=500)]] = []
    banner: Annotated[str, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _fields_of_kind(self) -> TargetDef:
        missing = [f for f in _TARGET_NEEDS[self.kind] if not getattr(self, f)]
        if missing:
            raise ValueError(f"target_missing:{self.kind}:{','.join(missing)}")
        defaults = TargetDef.model_fields
        allowed = {"code", "name", "kind", "timeout_s", *_TARGET_MAY[self.kind]}
        extra = [
            f
            for f in self.model_fields_set
            if f not in allowed and getattr(self, f) != defaults[f].default
        ]
        if extra:
            raise ValueError(f"target_extra:{self.kind}:{','.join(sorted(extra))}")
        return self

    @property
    def address(self) -> str:
        """What the probe contacts, as shown to the user before the first run."""
        if self.url:
            return self.url
        if self.kind == "dns":
            return f"{self.domain} @ {self.resolver}:{self.port or 53}"
        return f"{self.host}:{self.port}" if self.port else str(self.host)


class ProbeSettings(Strict):
    """``allowed: false`` forbids every probe of the contract (the client's wish)."""

    allowed: bool = True
    concurrency: Annotated[int, Field(ge=1, le=64)] = 32
    link_timeout_s: Annotated[float, Field(gt=0, le=120)] = 10.0


class SystemDef(Strict):
    code: Code
    name: Text
    category: str = ""
    targets: list[TargetDef] = []

    @model_validator(mode="after")
    def _unique_targets(self) -> SystemDef:
        codes = [t.code for t in self.targets]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate_code:targets:{','.join(dupes)}")
        return self


class Threshold(Strict):
    """A numeric item turns 警告 at ``warn`` and 异常 at ``alarm``.

    ``allow_unmeasured``: the item may be confirmed 「正常（未测值）」 without a reading,
    so 「其余全部正常」 covers it (a reading typed in is still evaluated as usual).
    """

    unit: str = ""
    warn: float | None = None
    alarm: float | None = None
    direction: Literal["above", "below"] = "above"
    allow_unmeasured: bool = False

    @model_validator(mode="after")
    def _order(self) -> Threshold:
        if self.warn is not None and self.alarm is not None:
            wrong = self.alarm < self.warn if self.direction == "above" else self.alarm > self.warn
            if wrong:
                raise ValueError("threshold_order")
        return self


class PairSpec(Strict):
    """Two numbers that must agree (e.g. declared vs pushed), within a tolerance."""

    labels: Annotated[list[Text], Field(min_length=2, max_length=2)]
    tolerance: Annotated[float, Field(ge=0)] = 0


class ItemDef(Strict):
    code: Code
    title: Text
    method: str = ""
    standard: str = ""
    kind: ItemKind = "status"
    threshold: Threshold | None = None
    pair: PairSpec | None = None
    required: bool = True
    #: the target code (of the row's system, or of every covered system) whose probe
    #: fills this item, or ``links`` for the contract's link list
    probe: Code | None = None
    #: what a probed number item records (see :data:`ProbeMeasure`)
    measure: ProbeMeasure = "ms"

    @model_validator(mode="after")
    def _kind_params(self) -> ItemDef:
        if self.probe is not None and self.kind in ("pair", "photo"):
            raise ValueError("probe_kind")
        if self.kind == "number" and self.threshold is None:
            raise ValueError("number_needs_threshold")
        if self.kind == "pair" and self.pair is None:
            raise ValueError("pair_needs_labels")
        if self.kind != "number" and self.threshold is not None:
            raise ValueError("threshold_only_for_number")
        if self.kind != "pair" and self.pair is not None:
            raise ValueError("pair_only_for_pair")
        return self


class ItemGroup(Strict):
    name: Text
    items: Annotated[list[ItemDef], Field(min_length=1)]


class ChecklistDef(Strict):
    code: Code
    name: Text
    category: str = ""
    cadence: Cadence
    systems_mode: Literal["none", "grouped", "separate"] = "none"
    systems: list[Code] | None = None  # None = every system of the contract
    groups: Annotated[list[ItemGroup], Field(min_length=1)]


class DueRule(Strict):
    """When a deliverable is due.

    - ``nth_workday_next_month``: for each month of the contract, the ``n``-th
      statutory working day of the following month.
    - ``fixed_date``: once, on the date ``on``.
    - ``workdays_after``: ``n`` working days after an event: ``fault_closed``
      (one per fault), ``holiday_end`` (one per holiday period),
      ``month_end`` (end of contract month ``month``) or ``contract_end``.
    - ``within_period``: by the last working day of each ``period``
      (month, quarter, half_year, year) or of the whole ``contract``.
    """

    rule: Literal["nth_workday_next_month", "fixed_date", "workdays_after", "within_period"]
    n: Annotated[int, Field(ge=1, le=60)] | None = None
    on: ContractDate | None = None
    event: Literal["fault_closed", "holiday_end", "month_end", "contract_end"] | None = None
    month: Annotated[int, Field(ge=1, le=120)] | None = None
    period: Literal["month", "quarter", "half_year", "year", "contract"] | None = None

    @model_validator(mode="after")
    def _complete(self) -> DueRule:
        needs = {
            "nth_workday_next_month": ("n",),
            "fixed_date": ("on",),
            "workdays_after": ("n", "event"),
            "within_period": ("period",),
        }[self.rule]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError("rule_missing:" + ",".join(missing))
        if self.rule == "workdays_after" and self.event == "month_end" and self.month is None:
            raise ValueError("rule_missing:month")
        return self


class DeliverableDef(Strict):
    code: Code
    name: Text
    form: Code  # the export form kind that produces it
    due: DueRule
    copies: str = ""  # e.g. 纸质1份、电子1份


class HolidaySettings(Strict):
    """Which statutory holidays bring holiday duty, and agreed major events."""

    statutory: list[Literal["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]] = []
    events: list[EventDef] = []
    pre_workdays: Annotated[int, Field(ge=1, le=10)] = 2
    post_workdays: Annotated[int, Field(ge=1, le=10)] = 2


class EventDef(Strict):
    name: Text
    start: ContractDate
    end: ContractDate

    @model_validator(mode="after")
    def _ordered(self) -> EventDef:
        if self.end < self.start:
            raise ValueError("end_before_start")
        return self


class Profile(Strict):
    code: Code
    name: Text
    client: Text
    vendor: Text
    contract_no: str = ""
    site: str = ""
    period: Period
    service_window: ServiceWindow
    service_hours: ServiceHours = ServiceHours()
    sla: Sla
    roles: Annotated[list[Role], Field(min_length=1)]
    systems: Annotated[list[SystemDef], Field(min_length=1)]
    holidays: HolidaySettings = HolidaySettings()
    checklists: Annotated[list[ChecklistDef], Field(min_length=1)]
    deliverables: list[DeliverableDef] = []
    #: Report sections that must be filled before a fault is closed (none unless listed).
    fault_report_required: list[ReportSection] = []
    #: Every record of a month pack must carry the 复核人's countersignature; the pack
    #: lists those that do not and is exported only when the user confirms.
    review_required: bool = False
    probes: ProbeSettings = ProbeSettings()

    @model_validator(mode="after")
    def _references(self) -> Profile:
        sections = self.fault_report_required
        dupes = sorted({c for c in sections if sections.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate_code:fault_report_required:{','.join(dupes)}")
        for label, codes in (
            ("systems", [s.code for s in self.systems]),
            ("checklists", [c.code for c in self.checklists]),
            ("deliverables", [d.code for d in self.deliverables]),
            ("fault_levels", [f.code for f in self.sla.fault_levels]),
        ):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                raise ValueError(f"duplicate_code:{label}:{','.join(dupes)}")
        known = {s.code for s in self.systems}
        for checklist in self.checklists:
            unknown = [c for c in checklist.systems or [] if c not in known]
            if unknown:
                raise ValueError(f"unknown_system:{checklist.code}:{','.join(unknown)}")
            item_codes = [i.code for g in checklist.groups for i in g.items]
            dupes = sorted({c for c in item_codes if item_codes.count(c) > 1})
            if dupes:
                raise ValueError(f"duplicate_code:{checklist.code}:{','.join(dupes)}")
            covered = [
                s for s in self.systems if checklist.systems is None or s.code in checklist.systems
            ]
            targets = {t.code for s in covered for t in s.targets} | {LINKS_PROBE}
            unknown = sorted(
                {i.probe for g in checklist.groups for i in g.items if i.probe} - targets
            )
            if unknown:
                raise ValueError(f"unknown_probe:{checklist.code}:{','.join(unknown)}")
        return self


HolidaySettings.model_rebuild()
