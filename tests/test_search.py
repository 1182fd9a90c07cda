"""Chinese full-text search: tokens, the index kept in the record's transaction, queries."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records import faults, inspections, requests
from app.search import index
from app.search.query import Filters, search, snippet
from app.search.tokens import query_terms, tokenize
from app.storage.store import Store
from tests.factories import install, portal_profile
from tests.hub_tools import store_on_both_engines  # noqa: F401  (fixture ``store``)

T0 = datetime(2026, 11, 3, 10, 0)
NOW = datetime(2026, 12, 20, 12, 0)
TODAY = date(2026, 12, 20)


def _fault(s: Session, title: str, **kw: object) -> str:
    report = {k: kw.pop(k) for k in ("cause", "process", "result") if k in kw}
    args: dict[str, object] = {"level": "major", "reported_at": T0, "now": NOW}
    args.update(kw)
    fault = faults.create_fault(s, "test-portal", title=title, **args)  # type: ignore[arg-type]
    if report:
        faults.update_fault(s, fault.id, **report)
    return fault.id


def _call(s: Session, description: str, resolution: str = "", **kw: object) -> str:
    args: dict[str, object] = {
        "received_at": T0,
        "caller_unit": "规划分局",
        "category": "咨询",
        "handler": "张工",
        "now": NOW,
    }
    args.update(kw)
    req = requests.log_request(s, "test-portal", description=description, **args)  # type: ignore[arg-type]
    if resolution:
        requests.resolve_on_phone(s, req.id, resolution, now=NOW)
    return req.id


def _ids(s: Session, query: str, filters: Filters | None = None) -> set[str]:
    return {h.record_id for h in search(s, query, filters, limit=500, today=TODAY).hits}


@pytest.fixture
def kb(store: Store) -> Store:
    with store.session() as s:
        install(s, portal_profile())
    return store


# --------------------------------------------------------------------------- tokens


def test_tokens_are_characters_pairs_and_words() -> None:
    tokens = tokenize("打印机卡纸，HTTP502错误；ＮＧＩＮＸ超时")
    assert tokens.unigrams == ("打", "印", "机", "卡", "纸", "错", "误", "超", "时")
    assert tokens.bigrams == (
        "打印",
        "印机",
        "机卡",
        "卡纸",
        "http",
        "502",
        "错误",
        "nginx",
        "超时",
    )
    assert [t.text for t in query_terms("502 错误 502")] == ["502", "错误"]
    assert tokenize("").columns() == ("", "")


# --------------------------------------------------------------------------- queries


def test_one_two_and_mixed_queries_find_exactly_the_records_containing_them(kb: Store) -> None:
    with kb.session() as s:
        disk = _fault(s, "服务器磁盘空间不足", symptom="C盘剩余 2%")
        paper = _call(s, "二楼打印机卡纸", "取出卡纸后恢复")
        http = _call(s, "网上申报系统提交时报 HTTP502错误", "重启 tomcat 后恢复")
        nginx = _fault(s, "门户访问慢", cause="Nginx 反向代理超时设置过短", system_code="portal")
        other = _call(s, "咨询办理流程", "已电话解答")
    with kb.session() as s:
        assert _ids(s, "盘") == {disk}
        assert _ids(s, "卡纸") == {paper}
        assert _ids(s, "502 错误") == {http}
        assert _ids(s, "nginx 超时") == {nginx}
        assert _ids(s, "NGIN") == {nginx}  # a word matches the words it begins
        assert _ids(s, "磁盘空间不足") == {disk}
        assert _ids(s, "空间磁盘") == set()  # pairs are a phrase, not a bag
        assert _ids(s, "恢复") == {paper, http}
        assert _ids(s, "流程") == {other}
        assert _ids(s, '"卡纸"*') == {paper}  # typed FTS5 syntax is text …
        assert _ids(s, "卡纸 OR NEAR(x") == set()  # … so these are words that must match
        assert _ids(s, "，。！") == set()


def test_filters_by_kind_system_contract_and_dates(kb: Store) -> None:
    with kb.session() as s:
        old = _fault(s, "接口超时", reported_at=datetime(2026, 2, 1, 9, 0), system_code="api")
        new = _fault(s, "门户超时", system_code="portal")
        call = _call(s, "访问超时", "刷新后正常")
    with kb.session() as s:
        assert _ids(s, "超时") == {old, new, call}
        assert _ids(s, "超时", Filters(kind="fault")) == {old, new}
        assert _ids(s, "超时", Filters(kind="服务请求")) == {call}
        assert _ids(s, "超时", Filters(system="门户应用")) == {new}
        assert _ids(s, "超时", Filters(system="api", contract="test-portal")) == {old}
        assert _ids(s, "超时", Filters(since=date(2026, 11, 3))) == {new, call}
        assert _ids(s, "超时", Filters(until=date(2026, 2, 1))) == {old}
        with pytest.raises(DomainError, match="找不到系统"):
            search(s, "超时", Filters(system="没有的系统"))
        with pytest.raises(DomainError, match="类别"):
            search(s, "超时", Filters(kind="x"))


def test_recent_and_reviewed_rank_first(kb: Store) -> None:
    with kb.session() as s:
        old = _fault(s, "数据库连接池耗尽", reported_at=datetime(2026, 1, 5, 9, 0))
        recent = _fault(s, "数据库连接池耗尽", reported_at=datetime(2026, 12, 1, 9, 0))
    with kb.session() as s:
        assert [h.record_id for h in search(s, "连接池", today=TODAY).hits] == [recent, old]
        s.execute(text("UPDATE search_doc SET reviewed = 1 WHERE record_id = :r"), {"r": old})
        assert search(s, "连接池", today=TODAY).hits[0].record_id == old


def test_snippets_come_from_the_original_text_with_highlights(kb: Store) -> None:
    long_cause = "前面的说明" * 20 + "Nginx 的 proxy_read_timeout 过短导致超时" + "后续" * 30
    with kb.session() as s:
        _fault(s, "门户访问慢", cause=long_cause)
    with kb.session() as s:
        hit = search(s, "nginx 超时", today=TODAY).hits[0]
    assert hit.title.text.startswith("GZ-") and hit.title.spans == ()
    marked = hit.snippet.marked()
    assert "【Nginx】" in marked and "【超时】" in marked
    assert hit.snippet.text.startswith("…") and hit.snippet.text.endswith("…")
    assert len(hit.snippet.text) <= 82
    full = snippet("ＮＧＩＮＸ超时", query_terms("nginx"))
    assert full.marked() == "【ＮＧＩＮＸ】超时"


# --------------------------------------------------------------------------- the transaction


def test_index_follows_updates_deletes_and_rollbacks(kb: Store) -> None:
    with kb.session() as s:
        fid = _fault(s, "邮件服务异常", symptom="收件箱无法刷新")
    with kb.session() as s:
        faults.update_fault(s, fid, symptom="附件上传失败")
    with kb.session() as s:
        assert _ids(s, "收件") == set()
        assert _ids(s, "附件上传") == {fid}
    with pytest.raises(DomainError), kb.session() as s:
        faults.update_fault(s, fid, symptom="证书过期")
        s.flush()
        assert _ids(s, "证书") == {fid}  # visible inside the transaction …
        raise DomainError("放弃")
    with kb.session() as s:
        assert _ids(s, "证书") == set()  # … and gone with its rollback
        assert _ids(s, "附件上传") == {fid}
        _call(s, "短信平台发送失败")
        s.flush()
        assert _ids(s, "短信") != set()
    with pytest.raises(RuntimeError), kb.session() as s:
        _call(s, "回滚的来电内容")
        raise RuntimeError
    with kb.session() as s:
        assert _ids(s, "回滚") == set()
        count = s.execute(text("SELECT count(*) FROM search_doc")).scalar()
        assert count == 2
        fault = faults.get_fault(s, fid)
        s.delete(fault)
    with kb.session() as s:
        assert _ids(s, "附件") == set()
        assert s.execute(text("SELECT count(*) FROM search_doc")).scalar() == 1


def test_abnormal_findings_are_indexed_and_normal_ones_are_not(kb: Store) -> None:
    with kb.session() as s:
        run = inspections.start_run(
            s, "test-portal", "daily-server", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        disk = next(r for r in run.results if r.item.code == "disk")
        status = next(r for r in run.results if r.item.code == "server-status")
        inspections.set_result(s, status.id, status="normal")
        inspections.set_result(s, disk.id, value=97, note="日志目录占满磁盘", action="清理旧日志")
        run_id, disk_id = run.id, disk.id
    with kb.session() as s:
        hits = search(s, "日志", today=TODAY).hits
        assert [(h.kind, h.record_id, h.open_type, h.open_id) for h in hits] == [
            ("finding", disk_id, "inspection_run", run_id)
        ]
        assert _ids(s, "服务器状态") == set()
        inspections.set_result(s, disk_id, value=50, note="", action="")
    with kb.session() as s:
        assert _ids(s, "日志") == set()


def test_amendments_hide_the_version_they_supersede(kb: Store) -> None:
    from app.records import signing
    from tests.factories import png_bytes

    with kb.session() as s:
        rid = _call(s, "VPN 无法连接", "重新下发证书")
        signing.sign(
            s, "service_request", rid, role="运维人员", signer_name="张工", png=png_bytes()
        )
    with kb.session() as s:
        amended = signing.amend(s, "service_request", rid, reason="补充", actor="张工")
        s.flush()
        new_id = amended.id
    with kb.session() as s:
        assert _ids(s, "vpn") == {new_id}


def test_reindex_rebuilds_the_same_index(kb: Store) -> None:
    with kb.session() as s:
        ids = {_fault(s, "队列积压"), _call(s, "消息队列积压", "扩容消费者")}
    with kb.session() as s:
        before = _ids(s, "积压")
        assert before == ids
        count = index.reindex(s.connection())
        assert count == 2
        assert _ids(s, "积压") == ids
        assert not index.stale(s.connection())


def test_store_rebuilds_a_stale_index_when_opened(isolated_dirs: Path) -> None:
    kb = Store.open(isolated_dirs, actor="测试工程师")  # a store file (a hub: omw hub init)
    with kb.session() as s:
        install(s, portal_profile())
        fid = _fault(s, "防火墙策略丢失")
        s.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
        s.execute(text("DELETE FROM search_doc"))
        s.execute(text("DELETE FROM search_meta"))
    folder = kb.folder
    kb.close()
    reopened = Store.open(folder, actor="测试工程师")
    try:
        with reopened.session() as s:
            assert _ids(s, "防火墙") == {fid}
    finally:
        reopened.close()


def test_recall_equals_a_plain_scan_on_a_fixed_corpus(kb: Store) -> None:
    rng = random.Random(14)
    words = [
        "磁盘",
        "空间",
        "卡纸",
        "打印机",
        "超时",
        "nginx",
        "tomcat",
        "502",
        "错误",
        "网页",
        "篡改",
        "证书",
        "过期",
        "盘符",
        "数据库",
        "备份",
        "失败",
        "重启",
        "恢复",
        "网站",
    ]
    texts = []
    with kb.session() as s:
        for _ in range(120):
            body = "".join(rng.choice(words) + rng.choice(["", "，", " ", "的"]) for _n in range(8))
            texts.append((_call(s, body), body))
    queries = ["盘", "卡", "卡纸", "空间", "数据库备份", "nginx", "502", "盘空", "证书过期", "网"]
    with kb.session() as s:
        for q in queries:
            expected = {rid for rid, body in texts if q.lower() in body.lower()}
            assert _ids(s, q) == expected, q


# --------------------------------------------------------------------------- encrypted stores


def test_search_in_an_encrypted_store_and_after_encrypting_a_plain_one(isolated_dirs) -> None:  # type: ignore[no-untyped-def]
    from app.storage import conversion, crypto_store
    from app.storage.secrets import open_secret_store
    from tests.memory_keyring import MemoryKeyring

    secrets = open_secret_store(isolated_dirs, backend=MemoryKeyring())
    plain = Store.open(isolated_dirs, actor="测试工程师")
    with plain.session() as s:
        install(s, portal_profile())
        fid = _fault(s, "存储阵列盘位告警", cause="硬盘故障")
    plain.close()
    conversion.encrypt_store(isolated_dirs, secrets=secrets)
    assert crypto_store.is_encrypted(isolated_dirs / "omw.sqlite3")
    store = Store.open(isolated_dirs, actor="测试工程师", secrets=secrets)
    try:
        with store.session() as s:
            assert _ids(s, "盘") == {fid}
            rid = _call(s, "打印机卡纸", "清理搓纸轮")
        with store.session() as s:
            assert _ids(s, "卡纸") == {rid}
            assert _ids(s, "盘位") == {fid}
            faults.update_fault(s, fid, cause="背板故障")
        with store.session() as s:
            assert _ids(s, "硬盘") == set() and _ids(s, "背板") == {fid}
    finally:
        store.close()


def test_a_query_matching_very_many_ranks_the_newest_and_says_there_are_more(kb: Store) -> None:
    with kb.session() as s:
        old = _fault(s, "网关故障", reported_at=datetime(2026, 1, 5, 9, 0))
        mid = _fault(s, "网关故障", reported_at=datetime(2026, 6, 5, 9, 0))
        new = _fault(s, "网关故障", reported_at=datetime(2026, 11, 5, 9, 0))
    with kb.session() as s:
        index.reindex(s.connection())  # documents numbered oldest first
        capped = search(s, "网", today=TODAY, candidates=2)
        assert capped.more and capped.total == 2
        assert {h.record_id for h in capped.hits} == {mid, new}
        every = search(s, "网", today=TODAY, candidates=None)
        assert not every.more and every.total == 3
        assert {h.record_id for h in every.hits} == {old, mid, new}
        assert not search(s, "网", today=TODAY, candidates=3).more
