"""Demo signatures, the amendment of a signed run and deliverable hand-ins."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from app.demo.people import signature_png
from app.demo.rows import DemoRow, ResultRow
from app.demo.shared import LEFT_OPEN_DAYS, REVIEWED_CADENCES, SHEET_FORMS, Month, random_minutes
from app.demo.texts import pick
from app.records import inspections, signing
from app.schedule.deadlines import deadlines, mark_submitted
from db.models import InspectionRun


class SignaturesPart:
    """The signatures part of the demo generator; its state is the generator's (generator.py)."""

    def _sign(self, record: Any, role: str, name: str, when: datetime) -> None:
        if when > self.as_of:
            return
        signing.sign(
            self.s,
            signing.record_type_of(record),
            record.id,
            role=role,
            signer_name=name,
            png=signature_png(name),
            signed_at=when,
            now=self.as_of,
        )
        self.stats.signatures += 1

    def _sign_rows(self, todo: list[tuple[DemoRow, str, str, datetime]]) -> None:
        """Sign runs or calls by the writer (:mod:`app.demo.writer`); times after "now" wait."""
        due = [(r, role, name, when, signature_png(name)) for r, role, name, when in todo]
        due = [item for item in due if item[3] <= self.as_of]
        self.writer.sign(due)
        self.stats.signatures += len(due)

    def _sign_runs(self, month: Month) -> None:
        """Sign the month's completed runs: every 运维人员 signature, then every 复核人's."""
        self._sign_rows(
            [(run, "运维人员", run.inspector, signed) for run, signed, _review in month.to_sign]
        )
        self._sign_rows(
            [
                (run, "复核人", self.pm.name, review)
                for run, _signed, review in month.to_sign
                if review is not None
            ]
        )

    def _amend(self) -> None:
        """Correct one signed run with a reason, as happens when a reading was mistyped."""
        already = self.s.scalar(
            select(InspectionRun.id)
            .where(
                InspectionRun.contract_id == self.contract.id,
                InspectionRun.supersedes_id.is_not(None),
            )
            .limit(1)
        )
        if already is not None:
            return
        latest = self.until - timedelta(days=5)

        def correctable(result: ResultRow) -> bool:
            """A normal reading that stays normal when a digit is corrected."""
            value = result.value_num
            return (
                result.item.kind == "number"
                and result.status == inspections.NORMAL
                and value is not None
                and value >= 10
                and all(
                    inspections.evaluate_number(value + d, result.item.params or {})
                    == inspections.NORMAL
                    for d in (-3, 3)
                )
            )

        candidates = [
            r
            for r in self.created_runs
            if r.status == "signed"
            and r.scheduled_date <= latest
            and any(correctable(x) for x in r.results)
        ]
        if not candidates:
            return
        original = max(
            candidates, key=lambda r: (r.scheduled_date, r.cadence == "daily", r.started_at)
        )
        rng = self.rng("amend", original.template.code, self.stable(original.period_key))
        target = next(x for x in original.results if correctable(x))
        assert target.value_num is not None
        old = target.value_num
        new = old + pick(rng, [-3, -2, 2, 3])
        when = datetime.combine(self.cal.add_workdays(original.scheduled_date, 1), time(15)) + (
            random_minutes(rng, 0, 60)
        )
        when = min(when, self.as_of - timedelta(minutes=5))
        reason = (
            f"{inspections.result_label(target)} 读数誊写有误：{inspections.fmt_number(old)}"
            f" 应为 {inspections.fmt_number(new)}，经复核更正。"
        )
        amended = signing.amend(
            self.s, "inspection_run", original.id, reason=reason, actor=original.inspector
        )
        assert isinstance(amended, InspectionRun)
        amended.created_at = when
        self.s.flush()
        for result in amended.results:  # one change a flush: the audit chain lists them in order
            result.created_at = when
            self.s.flush()
        clone = next(r for r in amended.results if r.seq == target.seq)
        inspections.set_result(self.s, clone.id, value=new)
        self.s.flush()  # before the run's own change: two changed rows would flush in any order
        amended.conclusion = inspections.suggest_conclusion(amended)
        inspections.complete_run(
            self.s,
            amended.id,
            conclusion=amended.conclusion,
            remediation=amended.remediation,
            remediation_deadline=amended.remediation_deadline,
            completed_at=when,
        )
        self._sign(amended, "运维人员", amended.inspector, when + timedelta(minutes=3))
        if amended.cadence in REVIEWED_CADENCES or self.profile.review_required:
            self._sign(amended, "复核人", self.pm.name, when + timedelta(minutes=30))
        self.stats.amendments += 1

    def _submissions(self) -> None:
        """Hand in deliverables due before ``until``: mostly on time, some late, latest open."""
        open_from = self.until - timedelta(days=LEFT_OPEN_DAYS)
        for occurrence in deadlines(self.s, self.contract, calendar=self.cal, today=self.until):
            due = occurrence.due_date
            if occurrence.submitted is not None or due >= open_from:
                continue
            rng = self.rng("submit", occurrence.code, self.stable(occurrence.period_key), due)
            late = rng.random() < 0.1
            if late:
                day = self.cal.add_workdays(due, rng.randint(1, 3))
                if day >= self.until:
                    late, day = False, due
            else:
                day = self.cal.add_workdays(due, -rng.randint(0, 2))
                day = max(day, occurrence.window_start)
            when = datetime.combine(day, time(9, 30)) + random_minutes(rng, 0, 420)
            suffix = ".xlsx" if occurrence.form in SHEET_FORMS else ".docx"
            mark_submitted(
                self.s,
                self.contract,
                occurrence.code,
                occurrence.period_key,
                submitted_at=when,
                file_name=f"{occurrence.name}（{occurrence.period_label}）{suffix}",
                note="纸质版已同时提交" if occurrence.copies else "",
                calendar=self.cal,
            )
            self.stats.submissions += 1
            self.stats.late_submissions += int(day > due)
