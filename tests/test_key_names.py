"""A signer's name stands for one key: no second own or trusted key under the same name.

Names are compared normalised (surrounding and repeated spaces, case, NFKC width
forms, invisible format characters), and every listing of keys or signers shows
the key id beside the name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from app.integrity import minisign, signing_keys
from app.integrity.signing_keys import SigningError, TrustedKey, name_key
from app.integrity.verify import VerifyReport, verify_pack
from app.storage.store import Store

ME = "张三"


def keys(store: Store) -> list[tuple[str, str, bool, bool]]:
    with store.session() as s:
        return [(r.key_id, r.name, r.own, r.trusted) for r in signing_keys.list_keys(s)]


def import_key(store: Store, name: str, *, trust: bool = False) -> minisign.SecretKey:
    secret = minisign.generate()
    with store.session() as s:
        signing_keys.import_public_key(s, secret.public.file_text(), name, trust=trust)
    return secret


@pytest.fixture
def store(isolated_dirs: Path) -> Iterator[Store]:
    opened = Store.open(isolated_dirs, actor=ME)
    yield opened
    opened.close()


def test_names_are_compared_normalised() -> None:
    same = ["Zhang San", " zhang  san ", "ZHANG SAN", "ＺＨＡＮＧ\u3000ＳＡＮ", "Zhang\u200b San"]
    assert {name_key(n) for n in same} == {"zhang san"}
    assert name_key("张\u200b三") == name_key("张三") == "张三"
    assert name_key("张\u202e三") == "张三"  # a direction override is invisible too
    assert name_key("张三") != name_key("张叁") != name_key("张三丰")


@pytest.mark.parametrize("typed", [ME, f"  {ME} ", "张\u200b三", "张\u2060三"])
def test_an_import_under_the_own_keys_name_is_refused(store: Store, typed: str) -> None:
    own = signing_keys.own_public_key(store, ME)
    before = keys(store)
    other = minisign.generate()
    with pytest.raises(SigningError) as caught, store.session() as s:
        signing_keys.import_public_key(s, other.public.file_text(), typed, trust=True)
    message = caught.value.message
    assert "本人的密钥已使用姓名“张三”" in message and own.key_id in message
    assert other.public.key_id in message and "能区分的名称" in message
    assert keys(store) == before  # nothing written


@pytest.mark.parametrize("typed", ["Wang Wu", "wang wu", "WANG  WU", "Ｗａｎｇ Ｗｕ"])
def test_an_import_under_a_trusted_keys_name_is_refused_trusted_or_not(
    store: Store, typed: str
) -> None:
    first = import_key(store, "Wang Wu", trust=True)
    before = keys(store)
    for trust in (True, False):
        with pytest.raises(SigningError, match="另一把受信任的公钥已使用姓名") as caught:
            import_key(store, typed, trust=trust)
        assert first.public.key_id in caught.value.message
    assert keys(store) == before


def test_untrusted_namesakes_may_be_imported_but_only_one_trusted(store: Store) -> None:
    first = import_key(store, "李四")
    second = import_key(store, "李四")  # neither is trusted: nothing verifies under the name
    with store.session() as s:
        signing_keys.set_trusted(s, first.public.key_id, True)
    with pytest.raises(SigningError) as caught, store.session() as s:
        signing_keys.set_trusted(s, second.public.key_id, True)
    message = caught.value.message
    assert message.startswith(f"无法信任密钥 ID 为 {second.public.key_id} 的公钥")
    assert first.public.key_id in message and "--name 新名称" in message
    trusted = {k for k, _n, _o, t in keys(store) if t}
    assert first.public.key_id in trusted and second.public.key_id not in trusted
    # renamed (imported again under a distinct name), it can be trusted
    with store.session() as s:
        signing_keys.import_public_key(s, second.public.file_text(), "李四（监理）")
        signing_keys.set_trusted(s, second.public.key_id, True)
    names = {k: n for k, n, _o, _t in keys(store)}
    assert names[second.public.key_id] == "李四（监理）"
    # untrusting never needs a distinct name
    with store.session() as s:
        signing_keys.set_trusted(s, second.public.key_id, False)


def test_renaming_a_known_key_to_a_taken_name_is_refused(store: Store) -> None:
    signing_keys.own_public_key(store, ME)
    colleague = import_key(store, "王五", trust=True)
    with pytest.raises(SigningError, match="本人的密钥已使用姓名“张三”"), store.session() as s:
        signing_keys.import_public_key(s, colleague.public.file_text(), "张三")
    with store.session() as s:
        signing_keys.import_public_key(s, colleague.public.file_text(), "王五")  # same name: fine
        signing_keys.import_public_key(s, colleague.public.file_text(), "王五（项目经理）")
    assert {n for _k, n, _o, _t in keys(store)} == {ME, "王五（项目经理）"}


def test_a_broken_name_is_refused_in_chinese(store: Store) -> None:
    with pytest.raises(SigningError, match="签名人姓名中含有无效字符"):
        import_key(store, "张\ud800")
    assert keys(store) == []


def test_cli_import_refuses_a_taken_name_and_lists_ids_beside_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMW_USER", "客户验收人")
    assert main(["keys", "show"]) == 0
    pm, impostor = minisign.generate(), minisign.generate()
    for secret, name in ((pm, "pm.pub"), (impostor, "fake.pub")):
        (tmp_path / name).write_text(secret.public.file_text())
    assert (
        main(["keys", "import", str(tmp_path / "pm.pub"), "--name", "项目经理甲", "--trust"]) == 0
    )
    capsys.readouterr()
    code = main(["keys", "import", str(tmp_path / "fake.pub"), "--name", " 项目经理甲", "--trust"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"错误：无法导入密钥 ID 为 {impostor.public.key_id} 的公钥")
    assert pm.public.key_id in err and "能区分的名称" in err
    assert main(["keys", "import", str(tmp_path / "fake.pub"), "--name", "客户验收人"]) == 2
    assert "本人的密钥已使用姓名“客户验收人”" in capsys.readouterr().err
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert impostor.public.key_id not in "\n".join(listing)
    for key_id, name in ((pm.public.key_id, "项目经理甲"), (None, "客户验收人")):
        (line,) = [line for line in listing if name in line]
        shown = line.split()[0]
        assert len(shown) == 16 and (key_id is None or shown == key_id)
    assert main(["keys", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["keys"]
    assert all(r["key_id"] and r["name"] for r in rows) and len(rows) == 2


def test_verify_names_the_key_id_beside_every_signer(tmp_path: Path) -> None:
    document = tmp_path / "form.docx"
    document.write_bytes(b"any content")
    signing_keys.sign_file(tmp_path / "signer", "项目经理甲", document)
    store = Store.open(tmp_path / "signer", exclusive=False)
    try:
        with store.session() as s:
            (own,) = signing_keys.trusted_keys(s)
    finally:
        store.close()
    # the key is trusted here under another name than the one in the signature's comment
    report = verify_pack(document, [TrustedKey(own.public, "客户登记的名称")])
    assert report.ok
    lines = report.lines()
    assert f"签名人：客户登记的名称（密钥 ID {own.key_id}，受信任）" in lines
    assert f"签名注释中的签名人：项目经理甲（签名密钥 ID {own.key_id}）" in lines
    (note,) = [n for n in report.notes if "签名注释中的签名人为" in n]
    assert f"该公钥（密钥 ID {own.key_id}）登记的姓名为“客户登记的名称”" in note
    shown = VerifyReport(tmp_path, "file", key_id="ABCD", signer="甲", claimed_signer="乙")
    assert "签名注释中的签名人：乙（签名密钥 ID ABCD）" in shown.lines()
