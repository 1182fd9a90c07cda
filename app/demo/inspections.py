"""Demo inspection runs: which checklists are due when, who runs them, and their answers.

Answers that report on records are never canned: a text item about the run's own findings
(异常记录和异常跟踪, 异常数据拦截, 失效链接上报) says what those findings are
(:meth:`InspectionsPart._agree`), and a summary (节日期间 事件及处置, 保障情况评估, 本月应急响应
情况, 本月运维情况, 运维数据分类汇总) is written, once the month's faults exist, by the
functions the forms print their sentences with (:mod:`app.export.events`,
:meth:`InspectionsPart._summarise`).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from app.demo.people import Person
from app.demo.rows import ResultRow, RunRow
from app.demo.shared import (
    MAX_INSPECTION_FAULTS,
    REVIEWED_CADENCES,
    FaultTodo,
    Month,
    RunSpec,
    at_time,
    random_minutes,
    series_rng,
)
from app.demo.texts import (
    EMERGENCIES,
    matches,
    number_action,
    pick,
    status_issue,
    text_answer,
    url_for,
)
from app.demo.writer import stored_results
from app.export import events as ev
from app.export.data import ExportData
from app.records import inspections
from app.schedule import holidays as holiday_svc
from app.schedule import periods
from db.models import (
    ChecklistItem,
    ChecklistTemplate,
    System,
)


class InspectionsPart:
    """The inspections part of the demo generator; its state is the generator's (generator.py)."""

    def _targets(self, template: ChecklistTemplate) -> list[System | None]:
        if template.systems_mode != "separate":
            return [None]
        if template.system_codes is None:
            return list(self.systems)
        wanted = set(template.system_codes)
        return [s for s in self.systems if s.code in wanted]

    def _covered(self, template: ChecklistTemplate) -> list[System]:
        if template.system_codes is None:
            return list(self.systems)
        wanted = set(template.system_codes)
        return [s for s in self.systems if s.code in wanted]

    def _periodic_day(
        self, template: ChecklistTemplate, ps: date, pe: date, key: str
    ) -> date | None:
        """The working day a periodic checklist is done: late in the period, never on a day off."""
        if template.cadence == "weekly":
            lo = ps
        elif template.cadence == "monthly":
            lo = max(ps, pe - timedelta(days=11))
        else:
            lo = pe.replace(day=1)  # the last month of a quarter, half year, year
        candidates = self.cal.workdays(lo, pe) or self.cal.workdays(ps, pe)
        if not candidates:
            return None
        return pick(self.rng("periodic-day", template.code, key), candidates)

    def _plan(self) -> dict[date, list[RunSpec]]:
        """Runs of periodic and holiday checklists by the day they are done."""
        plan: dict[date, list[RunSpec]] = defaultdict(list)
        for template in self.templates:
            cadence = template.cadence
            if cadence == "daily" or cadence not in periods.CALENDAR_CADENCES:
                continue
            period_start = periods.bounds(cadence, self.start)[0]
            while period_start <= self.until:
                ps, pe = periods.bounds(cadence, period_start)
                key = periods.key(cadence, ps)
                day = self._periodic_day(template, ps, pe, key)
                if day is not None and self.start <= day <= self.until:
                    for system in self._targets(template):
                        plan[day].append(RunSpec(template, system, day, key))
                period_start = pe + timedelta(days=1)
        holiday_templates = [t for t in self.templates if t.cadence in periods.HOLIDAY_CADENCES]
        for holiday in self.holidays:
            phase = holiday_svc.phases(holiday, self.cal, self.profile.holidays)
            for template in holiday_templates:
                rng = self.rng("holiday-day", template.code, holiday.name, holiday.start_date)
                if template.cadence == "holiday_pre":
                    days = [pick(rng, phase.pre_days[-2:])]
                elif template.cadence == "holiday_post":
                    days = [pick(rng, phase.post_days[:2])]
                else:
                    days = list(phase.daily_days)
                for day in days:
                    if not self.start <= day <= self.until:
                        continue
                    key = inspections.period_key_of(template.cadence, day, holiday.id)
                    for system in self._targets(template):
                        plan[day].append(RunSpec(template, system, day, key, holiday))
        return plan

    def _inspector(self, template: ChecklistTemplate, day: date) -> Person:
        category = f"{template.category}{template.name}"
        if "安全" in category:
            pool = self.security
        elif matches(category, ("程序", "数据巡检", "接口", "第三方", "推送", "超链接")):
            pool = self.developers
        elif template.cadence in REVIEWED_CADENCES:
            pool = [self.coordinator] if self.coordinator is not self.pm else self.ops
        else:
            pool = self.ops
        week = day.toordinal() // 7
        return pool[(week + template.seq) % len(pool)]

    def _runs_for_day(self, day: date, month: Month) -> None:
        specs: list[RunSpec] = []
        if self.cal.is_service_day(day, self.window):
            for template in self.templates:
                if template.cadence == "daily":
                    key = periods.key("daily", day)
                    specs += [RunSpec(template, s, day, key) for s in self._targets(template)]
        holiday_daily = [s for s in self.plan.get(day, []) if s.template.cadence == "holiday_daily"]
        later = [s for s in self.plan.get(day, []) if s.template.cadence != "holiday_daily"]
        rng = self.rng("day", day)
        morning = at_time(day, "09:05" if self.window == "5x8" else "08:20") + random_minutes(
            rng, 0, 30
        )
        afternoon = at_time(day, "14:00") + random_minutes(rng, 0, 90)
        last_daily = len(specs) - 1
        for index, spec in enumerate(specs + holiday_daily):
            morning = self._run(
                spec,
                morning,
                month,
                keep_open=day == self.until - timedelta(days=1) and index == last_daily,
            )
        for spec in later:
            afternoon = self._run(spec, afternoon, month)

    def _pairs(self, spec: RunSpec) -> list[tuple[System | None, ChecklistItem]]:
        """(system, item) of each result: every covered system × item for grouped checklists."""
        items = self.items[spec.template.id]
        if spec.template.systems_mode == "grouped":
            return [(s, i) for s in self._covered(spec.template) for i in items]
        return [(spec.system, i) for i in items]

    def _mode(
        self, spec: RunSpec, start: datetime, finished: datetime, keep_open: bool
    ) -> str | None:
        """``complete``, or ``draft`` for a run still open at "now"; ``None``: not begun by then."""
        if spec.day == self.until:
            if start > self.as_of - timedelta(minutes=5):
                return None  # not started yet this morning
            return "draft"
        if keep_open or finished > self.as_of:
            return "draft"
        return "complete"

    def _emergency(self, spec: RunSpec, month: Month) -> str | None:
        """The emergency a holiday daily check of the day reports, if one happens then."""
        if (
            spec.holiday is not None
            and spec.template.cadence == "holiday_daily"
            and not month.skip_records
        ):
            return self.emergencies.get((spec.holiday.id, spec.day))
        return None

    def _results(
        self,
        spec: RunSpec,
        pairs: list[tuple[System | None, ChecklistItem]],
        mode: str,
        rng: random.Random,
        start: datetime,
        finished: datetime,
        inspector: Person,
        month: Month,
    ) -> list[ResultRow]:
        """The run's results, a draft's filled only in part.

        Findings of a completed run that become faults (the day's emergency,
        some abnormal items) are queued in ``month.fault_todo``.
        """
        template = spec.template
        emergency = self._emergency(spec, month)
        fill_upto = len(pairs) if mode == "complete" else int(len(pairs) * rng.uniform(0.3, 0.8))
        results: list[ResultRow] = []
        for seq, (system, item) in enumerate(pairs, start=1):
            result = ResultRow(
                item=item,
                system=system,
                seq=seq,
                created_at=start,
                updated_at=start,
                created_by=inspector.name,
            )
            if seq <= fill_upto:
                forced = None
                if emergency is not None and EMERGENCIES[emergency][1] in item.title:
                    forced = emergency
                    emergency = None
                self._fill(result, item, system, template, spec.day, rng, forced)
                if forced is not None and mode == "complete":
                    month.fault_todo.append(
                        FaultTodo(
                            start + (finished - start) * seq / len(pairs),
                            "emergency",
                            result=result,
                            emergency_type=forced,
                            holiday=spec.holiday,
                            actor=inspector.name,
                        )
                    )
                elif (
                    mode == "complete"
                    and result.status == inspections.ABNORMAL
                    and month.flagged < MAX_INSPECTION_FAULTS
                    and not month.skip_records
                    and rng.random() < 0.3
                ):
                    month.flagged += 1
                    result.action = f"{result.action}；已生成故障单跟踪处理。"
                    month.fault_todo.append(
                        FaultTodo(
                            start + (finished - start) * seq / len(pairs),
                            "inspection",
                            result=result,
                            actor=inspector.name,
                        )
                    )
            results.append(result)
        self._agree(results)
        return results

    def _agree(self, results: list[ResultRow]) -> None:
        """Text items reporting on the run's own findings say what those findings are."""
        for res in results:
            if res.item.kind != "text" or not res.value_text:
                continue
            title = res.item.title
            same = [r for r in results if r is not res and r.system is res.system]

            def count(word: str, same: list[ResultRow] = same) -> int:
                values = [
                    r.value_num
                    for r in same
                    if r.item.kind == "number" and word in r.item.title and r.value_num
                ]
                return int(max(values, default=0))

            if matches(title, ("异常记录", "跟踪")):
                found = [r for r in same if r.status in (inspections.ABNORMAL, inspections.WARNING)]
                said = "；".join(
                    f"{r.item.title}：{r.note.rstrip('。；')}"
                    + (f"，{r.action.rstrip('。；')}" if r.action else "")
                    for r in found
                )
                res.value_text = f"{said}。" if found else "无新增异常。"
            elif "异常数据" in title:
                n = count("异常数据")
                res.value_text = (
                    f"拦截异常数据 {n} 条，原因为来源系统字段缺失，已通知来源单位补录。"
                    if n
                    else "当日无异常数据。"
                )
            elif matches(title, ("重新配置", "上报")):
                broken = [
                    r for r in same if r.item.kind == "url" and r.status == inspections.ABNORMAL
                ]
                n = count("失效") or len(broken)
                res.value_text = (
                    f"失效链接 {n} 条已报送业务运维，已重新配置并验证。" if n else "无失效链接。"
                )

    def _summary_kind(self, run: RunRow, item: ChecklistItem) -> str | None:
        """Which summary a text item of ``run`` is (see :meth:`_summarise`), if any."""
        title = item.title
        if run.cadence == "holiday_daily" and "事件" in title:
            return "day"
        if run.cadence == "holiday_post" and "评估" in title:
            return "holiday"
        if run.cadence == "monthly":
            if "应急" in title:
                return "emergency"
            if "数据" in title and "汇总" in title:
                return "data"
            if matches(title, ("运维情况", "小结")):
                return "month"
        return None

    def _summarise(self, month: Month) -> None:
        """Write the month's summary texts from the records, as of when each was written.

        Runs after the month's faults are made and before its runs are signed.
        A holiday day's 事件及处置 covers that whole day (the duty engineer keeps
        it up to date); the other summaries what was known when the run was completed.
        """
        wanted = [
            (run, res, kind)
            for run, _signed, _review in month.to_sign
            for res in run.results
            if res.value_text and (kind := self._summary_kind(run, res.item))
        ]
        if not wanted:
            return
        self.s.flush()
        stored = stored_results(self.s, [res.id for _run, res, _kind in wanted])
        data = ExportData(self.s, self.contract, self.cal)
        for run, res, kind in wanted:
            until = run.completed_at or self.as_of
            first = run.scheduled_date.replace(day=1)
            holiday = data.holiday(run.holiday_period_id) if run.holiday_period_id else None
            text = res.value_text
            if kind == "day" and holiday is not None:
                day_end = min(datetime.combine(run.scheduled_date, time(23, 59)), self.as_of)
                found = ev.holiday_events(data, holiday, run.scheduled_date, day_end)
                text = ev.events_sentence(found, none="无")
            elif kind == "holiday" and holiday is not None:
                found = ev.holiday_events(data, holiday, until=until)
                text = ev.holiday_summary(data, holiday, found)
            elif kind == "emergency":
                findings = ev.findings_of(data, data.runs(first, run.scheduled_date))
                found = ev.period_emergencies(data, first, run.scheduled_date, findings, until)
                text = ev.emergency_sentence(found, period=f"截至{until:%m-%d}，本月")
            elif kind == "data":
                text = ev.month_data_summary(data, first, until)
            elif kind == "month":
                text = ev.month_summary(data, first, until)
            stored[res.id].value_text = res.value_text = text
            self.s.flush()  # one change a flush: the audit chain lists them in this order

    def _complete(
        self,
        run: RunRow,
        spec: RunSpec,
        finished: datetime,
        rng: random.Random,
        month: Month,
    ) -> None:
        """Conclude a run at ``finished`` and queue its signatures.

        The project manager countersigns (复核人) the long cadences the next working
        day; where the contract requires review, the routine checks of a day too,
        first thing the next working day (those of the last one still wait at "now").
        """
        run.conclusion = inspections.suggest_conclusion(run)
        if any(r.status == inspections.ABNORMAL for r in run.results):
            run.remediation = "异常项已按处理措施处置，整改完成后复查并记录。"
            run.remediation_deadline = spec.day + timedelta(days=2)
        run.completed_at = finished
        run.status = "completed"
        run.updated_at = finished
        signed = finished + random_minutes(rng, 1, 8)
        review: datetime | None = None
        if spec.template.cadence in REVIEWED_CADENCES:
            review = datetime.combine(self.cal.add_workdays(spec.day, 1), time(9, 30)) + (
                random_minutes(rng, 0, 300)
            )
        elif self.profile.review_required:
            review = datetime.combine(self.cal.add_workdays(spec.day, 1), time(8, 40)) + (
                random_minutes(rng, 0, 40)
            )
        month.to_sign.append((run, signed, review))

    def _run(
        self, spec: RunSpec, start: datetime, month: Month, *, keep_open: bool = False
    ) -> datetime:
        """Build one run starting at ``start``; returns when the inspector is free again.

        The day's timeline does not depend on which runs exist already, so a
        second call skips exactly the runs the first one made.
        """
        template = spec.template
        system_id = spec.system.id if spec.system is not None else None
        where = (
            template.code,
            self.stable(spec.period_key),
            spec.system.code if spec.system else "",
        )
        pairs = self._pairs(spec)
        if not pairs:
            return start
        timing = self.rng("run-time", *where)
        finished = start + timedelta(minutes=round(5 + 0.35 * len(pairs) + timing.uniform(0, 8)))
        free = finished + random_minutes(timing, 1, 6)
        if (template.id, system_id, spec.period_key) in self.existing:
            self.stats.skipped_runs += 1
            return free
        rng = self.rng("run", *where)
        mode = self._mode(spec, start, finished, keep_open)
        if mode is None:
            return free
        inspector = self._inspector(template, spec.day)
        run = RunRow(
            contract_id=self.contract.id,
            template=template,
            system=spec.system,
            holiday_period_id=spec.holiday.id if spec.holiday is not None else None,
            cadence=template.cadence,
            period_key=spec.period_key,
            scheduled_date=spec.day,
            started_at=start,
            status="draft",
            inspector=inspector.name,
            created_at=start,
            updated_at=start,
            created_by=inspector.name,
        )
        results = self._results(spec, pairs, mode, rng, start, finished, inspector, month)
        run.results = results
        for result in results:
            result.run = run
        self._count_results(results)
        if mode == "complete":
            self._complete(run, spec, finished, rng, month)
        else:
            self.stats.draft_runs += 1
        self.new_runs.append(run)
        self.existing.add((template.id, system_id, spec.period_key))
        if spec.day >= self.until - timedelta(days=45):
            self.created_runs.append(run)  # candidates for the amendment; older ones may go
        self.stats.runs[template.cadence] = self.stats.runs.get(template.cadence, 0) + 1
        return free

    def _count_results(self, results: list[ResultRow]) -> None:
        self.stats.item_results += len(results)
        for result in results:
            if result.status == inspections.ABNORMAL:
                self.stats.abnormal_items += 1
            elif result.status == inspections.WARNING:
                self.stats.warning_items += 1

    def _fill(
        self,
        result: ResultRow,
        item: ChecklistItem,
        system: System | None,
        template: ChecklistTemplate,
        day: date,
        rng: random.Random,
        forced: str | None,
    ) -> None:
        """Fill one item the way an engineer would: mostly normal, a few findings."""
        kind = item.kind
        if forced is not None:
            title, _kw, symptom, _cause, _process, _prev = EMERGENCIES[forced]
            result.status = inspections.ABNORMAL
            if kind == "url":
                result.value_text = url_for(item, template, rng)
            result.note = f"{title}：{symptom}"
            result.action = "立即启动应急预案处置，已生成故障单。"
            return
        if kind == "number":
            value = self._number(item, system, template, day, rng)
            if value is None:
                result.status = inspections.NA
                result.note = "该系统不涉及此项"
                return
            result.value_num = value
            result.status = inspections.evaluate_number(value, item.params or {})
            result.note = inspections.number_note(item, value, result.status)
            if result.status != inspections.NORMAL:
                result.action = number_action(item)
        elif kind == "pair":
            declared = float(rng.randint(60, 420))
            pushed = declared
            if rng.random() < 0.02:
                pushed = declared - rng.randint(1, 4)
            result.value_num, result.value_num2 = declared, pushed
            mismatch = inspections.pair_mismatch(item, declared, pushed)
            result.status = inspections.ABNORMAL if mismatch else inspections.NORMAL
            result.note = inspections.pair_note(item, declared, pushed)
            if mismatch:
                result.action = "核查推送日志，对未推送的办件重新推送，复核两数一致。"
        elif kind == "url":
            url = url_for(item, template, rng)
            assert inspections.valid_url(url)
            result.value_text = url
            if rng.random() < 0.01:
                result.status = inspections.ABNORMAL
                result.note = "链接返回 404，页面不存在"
                result.action = "已报送业务运维重新配置链接，复测可正常打开。"
            else:
                result.status = inspections.NORMAL
        elif kind == "text":
            if item.required or rng.random() < 0.6:
                result.value_text = text_answer(item, rng, self.team)
        elif kind == "photo":
            result.status = inspections.NORMAL
        else:  # status
            roll = rng.random()
            if roll < 0.01:
                result.status = inspections.ABNORMAL
            elif roll < 0.018:
                result.status = inspections.WARNING
            else:
                result.status = inspections.NORMAL
                return
            result.note, result.action = status_issue(item, system, rng)

    def _number(
        self,
        item: ChecklistItem,
        system: System | None,
        template: ChecklistTemplate,
        day: date,
        rng: random.Random,
    ) -> float | None:
        """A plausible reading: a steady level per server and item, with rare excursions."""
        params = item.params or {}
        unit = str(params.get("unit", ""))
        warn, alarm = params.get("warn"), params.get("alarm")
        below = params.get("direction", "above") == "below"
        key = (template.code, item.code, system.code if system else "")
        steady = self.steady.get(key)
        if steady is None:  # the same draws every day: made once
            series = series_rng(self.seed, self.contract.code, "series", *key)
            low, high = (0.45, 0.85) if unit == "%" else (0.15, 0.5)
            if "不适用" in item.method and system is not None and series.random() < 0.5:
                steady = None, 0.0
            else:
                steady = (series.randint(0, 364), 0.0) if below else (0, series.uniform(low, high))
            self.steady[key] = steady
        phase, share = steady
        if phase is None:
            return None
        limit = float(warn if warn is not None else alarm if alarm is not None else 100)
        top = float(alarm if alarm is not None else limit * 1.2)
        roll = rng.random()
        if below:  # e.g. days a certificate still has: a yearly saw-tooth
            return float((phase - day.toordinal()) % 365 + 20)
        if unit in ("条", "次", "个", "天") or limit <= 10:
            if roll < 0.006:
                return float(max(top, limit) + rng.randint(0, 3))
            if roll < 0.025:
                return float(limit + rng.randint(0, max(0, int(top - limit - 1))))
            typical = max(0.0, limit * 0.25)
            return float(
                min(int(rng.expovariate(1 / typical)) if typical >= 1 else 0, int(limit) - 1)
            )
        if roll < 0.006:
            value = rng.uniform(top, top * 1.08 if unit != "%" else min(99.5, top + 4))
        elif roll < 0.025:
            value = rng.uniform(limit, top - 0.1) if top > limit else limit
        else:
            level = share * limit
            value = min(limit - 0.5, max(0.0, rng.gauss(level, limit * 0.04)))
        return float(round(value))
