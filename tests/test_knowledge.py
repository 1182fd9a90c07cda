"""Knowledge articles (signed, amended, audited, promoted), the catalogue, 常见问题, suggestions."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import DomainError, LockedError
from app.records import (
    articles,
    faults,
    inspections,
    integrity_check,
    knowledge,
    requests,
    review,
    signing,
)
from app.search.query import search
from app.storage.store import Store
from db.models import AuditEntry, KnowledgeArticle
from tests.factories import install, png_bytes, portal_profile

T0 = datetime(2026, 11, 3, 10, 0)
NOW = datetime(2026, 12, 20, 12, 0)


@pytest.fixture
def kb(store: Store) -> Store:
    with store.session() as s:
        install(s, portal_profile())
    return store


def _call(s: Session, description: str, resolution: str, at: datetime = T0) -> str:
    req = requests.log_request(
        s,
        "test-portal",
        received_at=at,
        caller_unit="规划分局",
        category="账号",
        description=description,
        handler="张工",
        now=NOW,
    )
    requests.resolve_on_phone(s, req.id, resolution, now=NOW)
    return req.id


def _article(s: Session, **kw: object) -> str:
    fields: dict[str, object] = {
        "title": "门户登录提示证书过期",
        "author": "张工",
        "problem": "访问门户时浏览器提示证书过期",
        "cause": "中间件证书未续期",
        "solution": "更换 nginx 证书并重载配置",
        "steps": "备份旧证书\n上传新证书\nnginx -s reload",
        "systems": ["门户应用"],
        "category": "证书",
        "tags": "证书，nginx",
        "now": NOW,
    }
    fields.update(kw)
    return articles.create_article(s, "test-portal", **fields).id  # type: ignore[arg-type]


def test_an_article_is_numbered_searchable_and_checked(kb: Store) -> None:
    with kb.session() as s:
        aid = _article(s)
        article = articles.get_article(s, aid)
        assert article.number == "KB-202612-0001"
        assert article.systems == ["portal"] and article.tags == ["证书", "nginx"]
    with kb.session() as s:
        hit = search(s, "证书过期").hits[0]
        assert (hit.kind, hit.record_id, hit.open_type) == ("article", aid, "knowledge_article")
        assert [h.record_id for h in search(s, "nginx 重载").hits] == [aid]
        with pytest.raises(DomainError, match="没有系统"):
            articles.create_article(
                s, "test-portal", title="x", author="张工", systems=["无此系统"]
            )
        with pytest.raises(DomainError, match="标题"):
            articles.create_article(s, "test-portal", title="  ", author="张工")
        with pytest.raises(DomainError, match="不能在此修改"):
            articles.update_article(s, aid, number="X")


def test_review_signs_and_locks_and_an_amendment_replaces_it(kb: Store) -> None:
    with kb.session() as s:
        aid = _article(s, solution="")
        with pytest.raises(DomainError, match="解决方法"):
            articles.review(s, aid, reviewer="李经理", png=png_bytes(), now=NOW)
    with kb.session() as s:
        articles.update_article(s, aid, solution="更换证书")
        articles.review(s, aid, reviewer="李经理", png=png_bytes(), now=NOW)
    with kb.session() as s:
        row = articles.article_row(s, aid)
        assert row.reviewer == "李经理" and row.reviewed
        assert search(s, "证书").hits[0].reviewed
        with pytest.raises(LockedError):
            articles.update_article(s, aid, title="改标题")
    with kb.session() as s:
        amended = signing.amend(s, "knowledge_article", aid, reason="补充步骤", actor="张工")
        new_id = amended.id
    with kb.session() as s:
        articles.update_article(s, new_id, steps="更换证书后清理浏览器缓存")
        assert [r.id for r in articles.list_articles(s, "test-portal")] == [new_id]
        assert [h.record_id for h in search(s, "缓存").hits] == [new_id]
        assert search(s, "备份旧证书").hits == []  # the superseded version is not offered
        actions = [
            a
            for (a,) in s.execute(
                select(AuditEntry.action).where(AuditEntry.entity == "knowledge_article")
            )
        ]
        assert {"create", "update", "lock", "amend"} <= set(actions)
    report, _notes = integrity_check.check_store(kb)
    assert report.problems == []


def test_an_article_signed_by_its_author_waits_in_the_review_queue(kb: Store) -> None:
    with kb.session() as s:
        aid = _article(s)
        signing.sign(
            s, "knowledge_article", aid, role="运维人员", signer_name="张工", png=png_bytes()
        )
    with kb.session() as s:
        queued = [i.record_id for i in review.queue(s, kind="knowledge_article")]
        assert queued == [aid]
        articles.review(s, aid, reviewer="李经理", png=png_bytes())
    with kb.session() as s:
        assert review.queue(s, kind="knowledge_article") == []


def test_promotion_copies_the_source_and_remembers_it(kb: Store) -> None:
    with kb.session() as s:
        fault = faults.create_fault(
            s,
            "test-portal",
            title="数据交换任务中断",
            level="major",
            reported_at=T0,
            symptom="定时任务未执行",
            system_code="exchange",
            now=NOW,
        )
        faults.update_fault(
            s, fault.id, cause="调度器内存溢出", process="重启调度器", result="恢复"
        )
        rid = _call(s, "无法登录网上申报系统", "重置密码后登录成功")
        run = inspections.start_run(
            s, "test-portal", "daily-server", scheduled_date=date(2026, 11, 3), inspector="张工"
        )
        disk = next(r for r in run.results if r.item.code == "disk")
        normal = next(r for r in run.results if r.item.code == "server-status")
        inspections.set_result(s, disk.id, value=97, note="日志占满", action="清理日志")
        inspections.set_result(s, normal.id, status="normal")
        with pytest.raises(DomainError, match="处理结果"):
            articles.promote(
                s,
                "fault_record",
                faults.create_fault(
                    s, "test-portal", title="未处理", level="major", reported_at=T0, now=NOW
                ).id,
                author="张工",
            )
        a1 = articles.promote(s, "fault_record", fault.id, author="张工", now=NOW)
        a2 = articles.promote(s, "service_request", rid, author="张工", now=NOW, category="账号")
        a3 = articles.promote(s, "item_result", disk.id, author="张工", now=NOW)
        with pytest.raises(DomainError, match="异常或警告"):
            articles.promote(s, "item_result", normal.id, author="张工")
        with pytest.raises(DomainError, match="整理为知识条目"):
            articles.promote(s, "meeting_minutes", rid, author="张工")
        assert (a1.title, a1.cause, a1.steps, a1.systems) == (
            "数据交换任务中断",
            "调度器内存溢出",
            "重启调度器",
            ["exchange"],
        )
        assert a1.solution == "恢复" and a1.source_id == fault.id
        assert (a2.title, a2.solution, a2.source_type) == (
            "无法登录网上申报系统",
            "重置密码后登录成功",
            "service_request",
        )
        assert a3.title == "磁盘空间使用率：日志占满" and a3.solution == "清理日志"


def test_catalogue_and_common_problems(kb: Store) -> None:
    with kb.session() as s:
        _article(s)
        _article(s, title="tomcat 内存溢出", systems=["api"], category="中间件", tags=["tomcat"])
        _article(s, title="未分类条目", systems=[], category="", tags=[])
        for day in (1, 5, 9):
            _call(s, f"申报系统登录失败 {day}", "重置密码", datetime(2026, 11, day, 9))
        _call(s, "申报系统登录失败！", "清除浏览器缓存后正常", datetime(2026, 11, 20, 9))
        once = _call(s, "打印机无法打印", "更换硒鼓")
        articles.promote(s, "service_request", once, author="张工", now=NOW)
        _call(s, "打印机无法打印", "重新安装驱动", datetime(2026, 11, 4, 9))
    with kb.session() as s:
        cat = knowledge.catalogue(s, "test-portal")
        assert cat.articles == 4 and cat.reviewed == 0
        assert [(g.name, g.count) for g in cat.systems] == [
            ("（未指定系统）", 2),
            ("API接口应用", 1),
            ("门户应用", 1),
        ]
        assert ("（未分类）", 1) in [(g.name, g.count) for g in cat.categories]
        assert [(g.name, g.count) for g in cat.tags] == [("nginx", 1), ("tomcat", 1), ("证书", 1)]
        assert {
            r.title for r in knowledge.articles_in(s, None, dimension="tag", value="tomcat")
        } == {"tomcat 内存溢出"}
        problems = knowledge.common_problems(s, "test-portal")
        assert [(p.text[:8], p.count) for p in problems] == [
            ("申报系统登录失败", 4),
            ("打印机无法打印", 2),
        ]
        assert problems[0].solution == "清除浏览器缓存后正常"  # the latest one
        assert problems[1].article.startswith("KB-")
        assert knowledge.common_problems(s, since=date(2026, 11, 6))[0].count == 2


def test_suggestions_offer_solved_problems_with_their_solution(kb: Store) -> None:
    with kb.session() as s:
        solved = _call(s, "网上申报系统提交时报 502 错误", "重启 tomcat 服务后恢复")
        _call(s, "咨询节假日值班安排", "已告知值班电话")
        aid = _article(s)
        open_one = requests.log_request(
            s,
            "test-portal",
            received_at=T0,
            caller_unit="某单位",
            category="故障",
            description="提交申报时 502",
            handler="张工",
            now=NOW,
        )
    with kb.session() as s:
        found = knowledge.suggest(s, "申报提交报502错误怎么办", exclude=open_one.id)
        assert found[0].hit.record_id == solved
        assert found[0].solution == "重启 tomcat 服务后恢复"
        assert open_one.id not in [f.hit.record_id for f in found]  # no solution, not offered
        assert knowledge.suggest(s, "证书过期了")[0].hit.record_id == aid
        assert knowledge.suggest(s, "啊") == []
        s.execute(text("SELECT 1"))


def test_a_reviewed_article_travels_in_a_bundle_and_is_searchable_there(
    tmp_path: Path,
) -> None:
    from tests.team_tools import CONTRACT, exchange, start_team

    pm, (zs,) = start_team(tmp_path / "team", [("张三", "ZS")])
    try:
        with zs.session() as s:
            draft = articles.create_article(
                s, CONTRACT, title="草稿条目留在本机", author="张三", solution="无"
            ).id
            aid = articles.create_article(
                s, CONTRACT, title="交换机端口闪断", author="张三", solution="更换光模块"
            ).id
            articles.review(s, aid, reviewer="王经理", png=png_bytes())
        result = exchange(zs, pm, tmp_path / "zs.omwb")
        assert result.new["knowledge_article"] == 1
        with pm.session() as s:
            hits = search(s, "光模块").hits
            assert [(h.record_id, h.reviewed) for h in hits] == [(aid, True)]
            assert search(s, "草稿条目").hits == []
            assert articles.article_row(s, aid).reviewer == "王经理"
            assert s.get(KnowledgeArticle, draft) is None
    finally:
        pm.close()
        zs.close()


def test_the_command_line_searches_writes_reviews_and_exports(
    kb: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    from app.cli.main import main

    with kb.session() as s:
        rid = _call(s, "二楼打印机卡纸", "取出卡纸，清理搓纸轮")
        number = requests.get_request(s, rid).number
    folder = str(kb.folder)
    kb.close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", folder, "--as", "张工", *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _err = run("search", "卡纸")
    assert code == 0 and "【卡纸】" in out and "共 1 条。" in out
    code, out, _err = run("search", "卡纸", "--kind", "request", "--json")
    data = json.loads(out)
    assert data["total"] == 1 and data["hits"][0]["record_id"] == rid and not data["more"]
    assert run("search", "卡纸", "--system", "无此系统")[0] == 2  # a Chinese error, nothing else
    picture = tmp_path / "屏幕.png"
    picture.write_bytes(png_bytes(seed=3))
    code, out, _err = run(
        "kb", "article", "new", "--from-record", number, "--tag", "打印机", "--attach", str(picture)
    )
    assert code == 0 and "KB-" in out
    code, out, _err = run("kb", "article", "list", "--json")
    article = json.loads(out)["articles"][0]
    assert article["solution"] == "取出卡纸，清理搓纸轮" and article["tags"] == ["打印机"]
    image = tmp_path / "sig.png"
    image.write_bytes(png_bytes())
    code, out, err = run("kb", "article", "review", article["number"], "--image", str(image))
    assert code == 0, err
    code, out, _err = run("kb", "article", "show", article["number"])
    assert "审核：张工" in out and "【解决方法】" in out and "屏幕.png" in out
    for suffix in ("docx", "xlsx"):
        target = tmp_path / f"知识库.{suffix}"
        code, out, err = run(
            "kb", "article", "export", "--contract", "test-portal", "--out", str(target)
        )
        assert code == 0, err
        assert target.stat().st_size > 5000 and (tmp_path / f"知识库.{suffix}.minisig").is_file()
    with zipfile.ZipFile(tmp_path / "知识库.docx") as docx:  # the article's picture is printed
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and docx.read(media[0]) == picture.read_bytes()
        assert "图 1：屏幕.png" in docx.read("word/document.xml").decode()
    assert run("kb", "article", "export", "--contract", "test-portal", "--out", str(target))[0] == 2
    code, out, _err = run("search", "--reindex")
    assert code == 0 and "2 条记录" in out


def test_voided_records_are_marked_in_search_and_left_out_of_problems_suggestions_and_export(
    kb: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """作废 (a duplicate call, a wrong article): found when searched for, marked 「已作废」, and
    counted nowhere — not in 常见问题, not offered as a solution, not in the 知识库 export."""
    from app.cli.main import main
    from app.team.voids import void

    with kb.session() as s:
        calls = [
            _call(s, "申报系统登录失败", "重置密码后正常", datetime(2026, 11, day, 9))
            for day in (2, 5)
        ]
        for rid in calls:
            signing.sign(
                s, "service_request", rid, role="运维人员", signer_name="张工", png=png_bytes()
            )
        aid = _article(s, title="旧版证书更换说明")
        signing.sign(
            s, "knowledge_article", aid, role="复核人", signer_name="王经理", png=png_bytes()
        )
        _article(s, title="门户证书续期步骤")
    with kb.session() as s:
        assert [p.count for p in knowledge.common_problems(s, "test-portal")] == [2]
        void(s, "service_request", calls[0], reason="重复登记", actor="王经理")
        void(s, "knowledge_article", aid, reason="内容有误", actor="王经理")
    with kb.session() as s:
        assert knowledge.common_problems(s, "test-portal") == []  # one call left: not common
        found = {h.record_id: h.voided for h in knowledge.find(s, "申报系统登录失败").hits}
        assert found == {calls[0]: True, calls[1]: False}
        offered = knowledge.suggest(s, "申报系统登录失败怎么办")
        assert [f.hit.record_id for f in offered] == [calls[1]]
        assert {r.title: r.voided for r in articles.list_articles(s, "test-portal")} == {
            "旧版证书更换说明": True,
            "门户证书续期步骤": False,
        }
    folder = str(kb.folder)
    kb.close()

    def run(*args: str) -> str:
        assert main(["--data-dir", folder, "--as", "张工", *args]) == 0
        return capsys.readouterr().out

    assert run("search", "申报系统登录失败").count("（已作废）") == 1
    listed = run("kb", "article", "list")
    assert "旧版证书更换说明（已作废）" in listed and "共 2 条，其中 1 条已作废。" in listed
    target = tmp_path / "知识库.docx"
    run("kb", "article", "export", "--contract", "test-portal", "--out", str(target))
    with zipfile.ZipFile(target) as docx:
        document = docx.read("word/document.xml").decode()
    assert "门户证书续期步骤" in document and "旧版证书更换说明" not in document
