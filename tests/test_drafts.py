"""Drafts of open forms: saved per field, restored after a crash, discarded when done."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import DomainError
from app.records import drafts
from app.storage.store import Store
from db.models import AuditEntry, Draft
from tests.factories import count
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

KEY = "inspection_run:1234"


def test_save_load_upsert_and_discard(store: Store) -> None:
    with store.session() as s:
        drafts.save_field(s, KEY, "inspection_run", "conclusion", "全部正常", title="日常巡检")
        drafts.save_field(s, KEY, "inspection_run", "result:7:value", 85.5, author="张工")
        drafts.save_field(s, KEY, "inspection_run", "result:8:note", None)
        drafts.save_field(s, KEY, "inspection_run", "flags", {"a": [1, "二", True]})
    with store.session() as s:  # what a restart sees
        assert drafts.load(s, KEY) == {
            "conclusion": "全部正常",
            "result:7:value": 85.5,
            "result:8:note": None,
            "flags": {"a": [1, "二", True]},
        }
        drafts.save_field(s, KEY, "inspection_run", "conclusion", "发现 1 项异常")
        assert count(s, Draft) == 4  # replaced, not added
        assert drafts.load(s, KEY)["conclusion"] == "发现 1 项异常"
        drafts.save_field(s, "service_request:new:1", "service_request", "caller_unit", "某单位")
        infos = drafts.open_drafts(s)
        info = {i.form_key: i for i in infos}[KEY]
        assert (info.form_type, info.title, info.fields) == ("inspection_run", "日常巡检", 4)
        assert [i.form_key for i in drafts.open_drafts(s, "service_request")] == [
            "service_request:new:1"
        ]
        assert count(s, AuditEntry) == 0  # drafts are not records
        assert drafts.discard(s, KEY) == 4
        assert drafts.load(s, KEY) == {}
        assert [i.form_key for i in drafts.open_drafts(s)] == ["service_request:new:1"]
        drafts.discard_field(s, "service_request:new:1", "caller_unit")
        assert drafts.open_drafts(s) == []


def test_bad_draft_values_are_refused(store: Store) -> None:
    with store.session() as s:
        for value, message in [
            (date(2026, 11, 3), "无法保存"),
            (float("nan"), "无法保存"),
            ({1, 2}, "无法保存"),
            ("字" * 100_001, "过长"),
        ]:
            with pytest.raises(DomainError, match=message):
                drafts.save_field(s, KEY, "inspection_run", "x", value)
        with pytest.raises(DomainError, match="表单标识"):
            drafts.save_field(s, "", "inspection_run", "x", 1)
        with pytest.raises(DomainError, match="字段"):
            drafts.save_field(s, KEY, "inspection_run", "", 1)
        with pytest.raises(DomainError, match="表单类型"):
            drafts.save_field(s, KEY, "t" * 33, "x", 1)
        s.flush()
        assert count(s, Draft) == 0
