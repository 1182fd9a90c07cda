"""The team hub: the same protections on both engines, the hub's role, its writers at once.

Every protection of the store file (``db/migrations``: signed rows and their item
results, signatures, blobs, the audit log, device keys) is tried on both engines by
SQL that bypasses the app, and must be refused with the same Chinese message and
leave the row as it was. On PostgreSQL the attack runs as the database's owner (the
triggers are the wall); the app's role is refused even without the triggers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.main import main
from app.errors import DomainError
from app.records import faults
from app.storage import hub
from app.storage.store import Store
from db.audit import verify_chain
from db.engine import postgres_engine
from db.models import AuditEntry, FaultRecord, Signature
from tests import hub_tools
from tests.factories import install, png_bytes
from tests.test_export_fixtures import demo_dir  # noqa: F401  (the demo store fixture)
from tests.test_signing import SIGNED, _completed_run, _sign

NOW = datetime(2026, 12, 20, 12, 0)


@pytest.fixture(params=hub_tools.ENGINES)
def store(request: pytest.FixtureRequest, isolated_dirs: Path) -> Iterator[Store]:
    yield from hub_tools.stores(request, isolated_dirs)


def _owner_store(store: Store, request: pytest.FixtureRequest, folder: Path) -> Store:
    """The same database opened as its owner (the hub), or the store itself (a file)."""
    if not store.is_hub:
        return store
    _app, owner = request.getfixturevalue("hub_database")
    return Store.open(folder, actor="管理员", database=owner)


def _signed_run(store: Store) -> dict[str, str]:
    with store.session() as s:
        run = _completed_run(s)
        signature = _sign(s, "inspection_run", run.id)
        return {
            "run": run.id,
            "result": run.results[0].id,
            "signature": signature.id,
            "blob": signature.image_sha256,
        }


#: (statement, the Chinese refusal) — each bypasses the app
ATTACKS = [
    ("UPDATE inspection_run SET conclusion = 'x' WHERE id = :run", "签字锁定"),
    ("DELETE FROM inspection_run WHERE id = :run", "签字锁定"),
    ("UPDATE item_result SET note = 'x' WHERE id = :result", "签字锁定"),
    ("DELETE FROM item_result WHERE id = :result", "签字锁定"),
    ("UPDATE signature SET signer_name = 'x' WHERE id = :signature", "签字不能修改"),
    ("DELETE FROM signature WHERE id = :signature", "签字不能修改"),
    ("UPDATE blob SET size = 1 WHERE sha256 = :blob", "附件和签字图片不能修改"),
    ("UPDATE audit_log SET actor = 'x'", "审计日志只能追加"),
    ("DELETE FROM audit_log", "审计日志只能追加"),
    ("DELETE FROM device", "设备公钥不能修改"),
]


def _snapshot(store: Store) -> list[object]:
    with store.session() as s:
        rows = [
            s.scalars(select_all).all()
            for select_all in (
                text(
                    "SELECT conclusion || coalesce(CAST(locked_at AS TEXT), '') FROM inspection_run"
                ),
                text("SELECT signer_name FROM signature"),
                text("SELECT count(*) FROM item_result"),
                text("SELECT actor FROM audit_log ORDER BY seq"),
                text("SELECT count(*) FROM device"),
            )
        ]
    return rows


def test_every_protection_holds_on_both_engines(
    store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ids = _signed_run(store)
    attacker = _owner_store(store, request, tmp_path / "owner")
    before = _snapshot(store)
    for statement, refusal in ATTACKS:
        with pytest.raises(DomainError, match=refusal), attacker.session() as s:
            s.execute(text(statement), ids)
    assert _snapshot(store) == before
    with store.session() as s:
        assert verify_chain(s).ok
    if attacker is not store:
        attacker.close()


def test_the_hubs_role_may_not_change_append_only_rows_even_without_triggers(
    hub_database: tuple[str, str], isolated_dirs: Path
) -> None:
    app_url, owner_url = hub_database
    store = Store.open(isolated_dirs, actor="张工", database=app_url)
    _signed_run(store)
    owner = postgres_engine(owner_url)
    with owner.begin() as conn:  # someone with the owner's rights drops the wall…
        conn.execute(text("DROP FUNCTION audit_log_no_update() CASCADE"))
        conn.execute(text("DROP FUNCTION audit_log_no_delete() CASCADE"))
    owner.dispose()
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DomainError, match="没有此权限"), store.session() as s:
            s.execute(text(statement))
    with store.session() as s:  # …and the app's own work goes on as before
        assert verify_chain(s).ok
        assert s.query(AuditEntry).count() > 0
    store.close()


def _in_threads(work: Callable[[int], None], count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_people_numbering_and_countersigning_at_once_on_a_hub(
    hub_url: str, isolated_dirs: Path
) -> None:
    """Four windows on one hub: numbers stay unique, one record gets each role once."""
    stores = [
        Store.open(isolated_dirs / f"laptop{n}", actor=f"工程师{n}", database=hub_url)
        for n in range(4)
    ]
    with stores[0].session() as s:
        install(s)

    def create(n: int) -> None:
        for _ in range(3):
            with stores[n].session() as s:
                fault = faults.create_fault(
                    s, "test-portal", title=f"故障{n}", level="major", reported_at=SIGNED, now=NOW
                )
                faults.set_time(s, fault.id, "recovered", SIGNED + timedelta(hours=1), now=NOW)
                faults.close_fault(s, fault.id, SIGNED + timedelta(hours=2), now=NOW)

    assert _in_threads(create, 4) == []
    with stores[0].session() as s:
        numbers = s.scalars(text("SELECT number FROM fault_record")).all()
        target = s.scalars(text("SELECT id FROM fault_record ORDER BY number")).first()
    assert len(numbers) == 12 and len(set(numbers)) == 12

    roles = ["运维人员", "复核人", "甲方确认", "运维人员"]  # the last one is a second 运维人员

    def sign(n: int) -> None:
        with stores[n].session() as s:
            _sign(s, "fault_record", str(target), role=roles[n], signer_name=f"签字人{n}")

    errors = _in_threads(sign, 4)
    assert len(errors) == 1 and "每个角色只签一次" in str(errors[0])
    with stores[0].session() as s:
        signed = s.query(Signature).filter_by(record_id=target).all()
        assert sorted(x.role for x in signed) == sorted(set(roles))
        assert s.get(FaultRecord, target).locked_at is not None
        report = verify_chain(s)
        assert report.ok and report.chains == 4
    for opened in stores:
        opened.close()


def test_omw_hub_init_and_status(
    hub_database: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    app_url, owner_url = hub_database
    assert main(["--database", owner_url, "hub", "init"]) == 0
    out = capsys.readouterr().out
    assert "结构版本" in out and hub.APP_ROLE in out
    assert main(["--database", app_url, "hub", "status"]) == 0
    out = capsys.readouterr().out
    assert "已是最新" in out and "audit_log" in out
    assert main(["--database", "postgresql://omw_app:pw@localhost/omw", "hub", "status"]) == 2
    assert "不能包含口令" in capsys.readouterr().err


def test_a_hub_url_never_holds_a_password(isolated_dirs: Path) -> None:
    with pytest.raises(hub.HubError, match="不能包含口令"):
        hub.save_url(isolated_dirs, "postgresql://omw_app:secret@hub.example/omw")
    with pytest.raises(hub.HubError, match="postgresql://"):
        hub.check_url("mysql://hub.example/omw")
    hub.save_url(isolated_dirs, "postgresql://omw_app@hub.example/omw?sslmode=verify-full")
    assert "secret" not in (isolated_dirs / hub.HUB_FILE).read_text(encoding="utf-8")
    assert hub.configured_url(isolated_dirs) == (
        "postgresql://omw_app@hub.example/omw?sslmode=verify-full"
    )


def test_a_store_files_schema_is_what_it_was_before_the_hub(tmp_path: Path) -> None:
    """Revisions 0001–0011, now written for both engines, give a store file exactly the
    schema they gave before (``tests/fixtures/schema_0011_sqlite.json``, made by them then)."""
    import json
    import sqlite3

    from alembic import command

    from db.engine import make_engine
    from db.migrate import alembic_config

    engine = make_engine(tmp_path / "omw.sqlite3")
    command.upgrade(alembic_config(engine), "0011_knowledge")
    engine.dispose()
    con = sqlite3.connect(tmp_path / "omw.sqlite3")
    schema = [
        list(row)
        for row in con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name != 'alembic_version' ORDER BY type, name"
        )
    ]
    con.close()
    before = Path(__file__).parent / "fixtures" / "schema_0011_sqlite.json"
    assert schema == json.loads(before.read_text(encoding="utf-8"))


def test_the_translation_of_a_guard() -> None:
    from db.protections import postgres_statement

    pg = postgres_statement(
        "CREATE TRIGGER s_no_update BEFORE UPDATE ON signature FOR EACH ROW WHEN "
        "NOT (NEW.role IS OLD.role AND NEW.device_id IS NOT OLD.device_id) "
        "BEGIN SELECT RAISE(ABORT, 'signatures are immutable'); END"
    )
    assert pg is not None
    assert "IF NOT (NEW.role IS NOT DISTINCT FROM OLD.role AND " in pg
    assert "NEW.device_id IS DISTINCT FROM OLD.device_id)" in pg
    assert "RETURN NEW;" in pg and "EXECUTE FUNCTION s_no_update()" in pg
    deleting = postgres_statement(
        "CREATE TRIGGER d BEFORE DELETE ON device FOR EACH ROW "
        "BEGIN SELECT RAISE(ABORT, 'device keys are immutable'); END"
    )
    assert deleting is not None and "IF TRUE THEN" in deleting and "RETURN OLD;" in deleting
    assert postgres_statement("DROP TRIGGER IF EXISTS d") == "DROP FUNCTION IF EXISTS d() CASCADE"
    assert postgres_statement("CREATE TABLE x (a int)") is None


def test_laptops_and_the_hub_exchange_bundles_and_the_hub_checks_out(
    hub_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The PM works on the hub; an engineer's laptop (a store file) trades bundles with it."""
    from app.team import bundles, identity
    from tests.team_tools import PASS, sign_run

    office = Store.open(tmp_path / "pm", actor="王经理", database=hub_url)
    identity.set_identity(office, "王经理", "WJ")
    with office.session() as s:
        install(s)
    bundles.export_bundle(office, tmp_path / "setup.omwb", PASS)
    laptop = Store.open(tmp_path / "laptop", actor="张三")
    identity.set_identity(laptop, "张三", "ZS")
    bundles.import_bundle(laptop, tmp_path / "setup.omwb", PASS, trust_new_signer=True)
    run_id = sign_run(laptop, datetime(2026, 11, 3).date(), "portal", "张三")
    bundles.export_bundle(laptop, tmp_path / "zs.omwb", PASS)
    result = bundles.import_bundle(office, tmp_path / "zs.omwb", PASS, trust_new_signer=True)
    assert result.new["inspection_run"] == 1 and result.quarantined == []
    with office.session() as s:  # the PM countersigns on the hub …
        _sign(
            s, "inspection_run", run_id, role="复核人", signer_name="王经理", png=png_bytes(seed=2)
        )
    bundles.export_bundle(office, tmp_path / "back.omwb", PASS, since="ZS")
    back = bundles.import_bundle(
        laptop, tmp_path / "back.omwb", PASS
    )  # … and it reaches the laptop
    assert back.new["signature"] == 1
    with laptop.session() as s:
        assert {x.role for x in s.query(Signature).filter_by(record_id=run_id)} == {
            "运维人员",
            "复核人",
        }
        assert verify_chain(s).ok
    office.close()
    laptop.close()
    assert main(["--data-dir", str(tmp_path / "pm"), "--database", hub_url, "check"]) == 0
    assert "审计日志" in capsys.readouterr().out


def _pack_outline(store: Store, out: Path) -> list[tuple[str, str, int]]:
    """What a month pack of ``internet-om`` holds: (file, form, number of records) per file."""
    import json

    from app.export import packs
    from tests.test_export_fixtures import MONTH

    with store.session() as s:
        plan = packs.plan_month(s, "internet-om", MONTH)
    result = packs.export_pack(
        store, plan, out, exporter="项目经理", now=NOW, allow_unreviewed=True
    )
    manifest = json.loads((result.folder / "manifest.json").read_text("utf-8"))
    return [(f["path"], f["form"], len(f.get("record_ids", []))) for f in manifest["files"]]


@pytest.mark.slow
def test_a_month_pack_from_the_hub_is_the_pack_from_a_store_file(
    demo_dir: Path,  # noqa: F811 - the fixture imported above
    hub_url: str,
    tmp_path: Path,
) -> None:
    """The same demo month written to a hub exports the same files with the same records."""
    from app.contracts.profiles import install_builtin_profiles
    from app.demo.generator import generate
    from app.schedule.holidays import sync_all_holidays
    from tests.test_export_fixtures import UNTIL, store_copy

    office = Store.open(tmp_path / "pm", actor="测试导出", database=hub_url)
    with office.session() as s:
        install_builtin_profiles(s)
        sync_all_holidays(s)
    generate(office, "internet-om", months=1, seed=3, until=UNTIL)
    laptop = store_copy(demo_dir, tmp_path / "laptop")
    try:
        from_hub = _pack_outline(office, tmp_path / "hub-out")
        from_file = _pack_outline(laptop, tmp_path / "file-out")
    finally:
        office.close()
        laptop.close()
    assert from_hub == from_file and len(from_hub) > 3


def _certificates(folder: Path) -> tuple[Path, Path, Path, Path]:
    """A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA."""
    import ipaddress
    from datetime import UTC

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text_: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text_)])

    start = datetime.now(UTC) - timedelta(days=1)

    def certificate(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: str,
        signer: ec.EllipticCurvePrivateKey,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name(issuer))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            address = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
            builder = builder.add_extension(x509.SubjectAlternativeName([address]), False)
        return builder.sign(signer, hashes.SHA256())

    folder.mkdir(parents=True, exist_ok=True)
    ca_key, other_key, server_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    pem = serialization.Encoding.PEM
    files = {
        "ca.pem": certificate("omw test CA", ca_key, "omw test CA", ca_key, True),
        "other-ca.pem": certificate("another CA", other_key, "another CA", other_key, True),
        "server.crt": certificate("127.0.0.1", server_key, "omw test CA", ca_key, False),
    }
    for file, cert in files.items():
        (folder / file).write_bytes(cert.public_bytes(pem))
    key = folder / "server.key"
    key.write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return folder / "ca.pem", folder / "other-ca.pem", folder / "server.crt", key


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_hub_over_tls_verifies_the_server_against_the_ca_file(
    hub_database: tuple[str, str], isolated_dirs: Path
) -> None:
    """``sslmode=verify-full`` with ``sslrootcert``: the right CA connects, another is refused."""
    import os
    import shutil

    from sqlalchemy.engine import make_url

    admin = make_url(hub_tools.server_url())
    cluster_dir = Path(str(admin.query["host"]))
    ca, other_ca, cert, key = _certificates(cluster_dir / "tls")
    if os.geteuid() == 0:  # the server runs as postgres and must own its key
        for path in (cert.parent, cert, key):
            shutil.chown(path, "postgres", "postgres")
    key.chmod(0o600)
    owner = postgres_engine(hub_tools.server_url())
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"ALTER SYSTEM SET ssl_cert_file = '{cert}'"))
        conn.execute(text(f"ALTER SYSTEM SET ssl_key_file = '{key}'"))
        conn.execute(text("ALTER SYSTEM SET ssl = on"))
        conn.execute(text("SELECT pg_reload_conf()"))
    owner.dispose()
    database = make_url(hub_database[0]).database
    port = admin.query["port"]
    tcp = f"postgresql://{hub.APP_ROLE}@127.0.0.1:{port}/{database}?sslmode=verify-full"
    store = Store.open(isolated_dirs, actor="张工", database=f"{tcp}&sslrootcert={ca}")
    state = hub.status(store.engine, tcp)
    store.close()
    assert state.tls.startswith("TLS")
    with pytest.raises(hub.HubError, match="加密连接"):
        Store.open(isolated_dirs, actor="张工", database=f"{tcp}&sslrootcert={other_ca}")
