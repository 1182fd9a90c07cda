"""Loading contract profiles from YAML files, with errors a user can act on.

A profile file may come from the user (their own contract), so it is treated
as untrusted input: its size is capped, it must be UTF-8, it is parsed with a
safe loader, and every problem is reported in Chinese with the file name and
the path of the field, one line per problem, e.g.::

    portal-om.yaml：字段 checklists[2].groups[0].items[3].threshold.warn：应为数字，实际为 “abc”

Built-in profiles live in ``resources/profiles/*.yaml`` and are installed on
``omw init``; a user's own profile is installed with :func:`install_profile_file`, a
contract's 启用日期 declared with :func:`set_records_from`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.profile_schema import Profile
from app.contracts.registry import install_profile, materialize, profile_of
from app.contracts.snapshot import schedule_parts
from app.contracts.validation import ProfileError, type_name, validate_profile
from app.errors import DomainError
from app.storage import paths
from app.storage.atomic import os_reason
from db.models import Contract, ContractProfileVersion, TeamExchange

#: Profiles are a few dozen kilobytes; anything beyond this is not a profile.
MAX_PROFILE_BYTES = 1024 * 1024
#: Cap on the number of values after YAML aliases are expanded (alias bombs).
MAX_PROFILE_NODES = 200_000

PROFILE_SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------- YAML


class _ProfileRules:
    """Changes to PyYAML's safe loading that turn silent YAML 1.1 surprises into clear errors.

    - Duplicate keys in a mapping are refused (PyYAML keeps the last one, so a
      copied block would silently override an earlier setting).
    - Only ``true``/``false`` are booleans: YAML 1.1 also reads ``on``, ``off``,
      ``yes`` and ``no`` as booleans, which would turn the due rule key ``on:``
      into ``True``.
    - ``17:00`` stays the text "17:00" (YAML 1.1 would read base-60 integer 1020).
    - An impossible date such as ``2026-02-30`` stays text, so validation
      reports it with its field path instead of the parser failing without one.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"重复的键 “{key}”", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


class _ProfileLoader(_ProfileRules, yaml.SafeLoader):
    """The safe loader with the profile rules (PyYAML's own parser: its error messages)."""


#: libyaml's safe loader where PyYAML was built with it (≈ 7× faster than its own parser)
_LIBYAML_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BuiltinProfileLoader(_ProfileRules, _LIBYAML_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The same rules over libyaml's parser, for the built-in profiles (read at every first
    start; a test holds it to :class:`_ProfileLoader` on each of them)."""


_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT_NO_SEXAGESIMAL = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_ProfileLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _BOOL_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ProfileLoader.add_implicit_resolver(_BOOL_TAG, _BOOL_TRUE_FALSE, list("tTfF"))
_ProfileLoader.add_implicit_resolver(_INT_TAG, _INT_NO_SEXAGESIMAL, list("-+0123456789"))
_ProfileLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _ProfileRules.construct_yaml_timestamp
)
_BuiltinProfileLoader.yaml_implicit_resolvers = _ProfileLoader.yaml_implicit_resolvers
_BuiltinProfileLoader.yaml_constructors = _ProfileLoader.yaml_constructors


def _too_many_nodes(value: Any, budget: int = MAX_PROFILE_NODES) -> bool:
    """True when ``value`` expands to more than ``budget`` values (stops early)."""
    stack = [value]
    count = 0
    while stack:
        current = stack.pop()
        count += 1
        if count > budget:
            return True
        if isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


#: Chinese explanations of PyYAML's most common complaints (matched by substring).
_YAML_HINTS = (
    ("'\\t'", "不能用 Tab 缩进，请改用空格"),
    ("mapping values are not allowed", "此处不能出现 “键: 值”，请检查缩进或给含冒号的文本加引号"),
    ("could not find expected ':'", "缺少 “:”，或缩进不一致"),
    ("expected ',' or ']'", "方括号 [ ] 未闭合或其中缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 未闭合或其中缺少逗号"),
    ("found unexpected end of stream", "引号未闭合"),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("expected <block end>", "缩进不一致"),
)


def _yaml_problem(problem: str) -> str:
    """PyYAML's problem text, explained in Chinese where we know it."""
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            return f"{hint}（{problem}）"
    return problem or "格式错误"


def read_profile_data(path: str | Path, *, builtin: bool = False) -> dict[str, Any]:
    """Read and parse a profile file into a mapping, without validating it.

    ``builtin`` (a profile shipped with the app) parses with libyaml where PyYAML has it.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ProfileError(name, ["不是文件"])
        if size > MAX_PROFILE_BYTES:
            raise ProfileError(
                name,
                [f"文件过大（{size // 1024} KB），合同档案不能超过 {MAX_PROFILE_BYTES // 1024} KB"],
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_PROFILE_BYTES + 1)
    except FileNotFoundError:
        raise ProfileError(name, [f"找不到文件 {path}"]) from None
    except OSError as exc:
        raise ProfileError(name, [f"无法读取文件（{os_reason(exc)}）"]) from None
    if len(raw) > MAX_PROFILE_BYTES:  # grew while we looked
        raise ProfileError(name, [f"文件过大，合同档案不能超过 {MAX_PROFILE_BYTES // 1024} KB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(
            name,
            [
                f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节无法解码），"
                "请用 UTF-8 编码另存后再试"
            ],
        ) from None
    try:
        loader = _BuiltinProfileLoader if builtin else _ProfileLoader  # both safe loaders
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：" if mark else ""
        problem = _yaml_problem(exc.problem or exc.context or "")
        raise ProfileError(name, [f"YAML 语法错误，{where}{problem}"]) from None
    except yaml.YAMLError as exc:
        raise ProfileError(name, [f"YAML 语法错误：{exc}"]) from None
    except RecursionError:
        raise ProfileError(name, ["YAML 嵌套层次过深"]) from None
    if not isinstance(data, dict):
        raise ProfileError(
            name, [f"文件内容应为键值映射（如 “code: portal-om”），实际是{type_name(data)}"]
        )
    if _too_many_nodes(data):
        raise ProfileError(name, ["展开锚点/别名后内容过多，不像合同档案"])
    return data


def load_profile(path: str | Path, *, builtin: bool = False) -> Profile:
    """Read, parse and validate one profile file (``builtin``: see :func:`read_profile_data`).

    Raises :class:`ProfileError` (a :class:`~app.errors.DomainError`) naming
    the file and, for validation problems, each field.
    """
    path = Path(path)
    return validate_profile(read_profile_data(path, builtin=builtin), path.name)


# --------------------------------------------------------------------------- built-ins & install


def builtin_profile_paths() -> list[Path]:
    """The built-in profile files, in a stable order."""
    folder = paths.resource("profiles")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in PROFILE_SUFFIXES and p.is_file())


def load_builtin_profiles() -> list[Profile]:
    """Every built-in profile; none found is an incomplete installation, not "no contracts".

    Raises :class:`~app.errors.DomainError` when the built-in profile folder
    (see :func:`app.storage.paths.resources_root`) is missing or holds no profile.
    """
    found = builtin_profile_paths()
    if not found:
        raise DomainError(
            f"找不到内置合同档案：{paths.resource('profiles')} 中没有合同档案文件（.yaml）。"
            "程序的资源文件缺失，安装不完整，请重新安装运维工作台。"
        )
    return [load_profile(path, builtin=True) for path in found]


def _with_records_from(profile: Profile, day: date | None, name: str) -> Profile:
    """``profile`` with its 启用日期 (``period.records_from``) set to ``day`` (``None``: none),
    validated as a loaded file is: a day outside the period is a Chinese error naming it."""
    data = profile.model_dump(mode="json")
    data["period"]["records_from"] = day.isoformat() if day else None
    return validate_profile(data, name)


def _keep_records_from(
    session: Session, data: dict[str, Any], profile: Profile, name: str
) -> Profile:
    """``profile`` with the installed contract's 启用日期 when the file does not name one.

    The 启用日期 is the team's own fact, often set in 设置 rather than in the file;
    a revised profile from the vendor (a system added) must not silently bring back
    months of 已逾期. A file that names ``records_from`` (a date, or null to withdraw
    it) decides; one whose new period no longer holds the old date drops it.
    """
    period = data.get("period")
    if not isinstance(period, dict) or "records_from" in period:
        return profile
    contract = session.scalar(select(Contract).where(Contract.code == profile.code))
    begins = schedule_parts(contract.profile).records_from if contract is not None else None
    if begins is None or not profile.period.start <= begins <= profile.period.end:
        return profile
    return _with_records_from(profile, begins, name)


def _install_own(session: Session, profile: Profile) -> Contract:
    """Install ``profile`` as the user's own contract: not built-in from then on, also when
    the content equals a built-in's, so installing the built-ins again leaves it alone."""
    contract = install_profile(session, profile, builtin=False)
    contract.builtin = False
    return contract


def install_builtin_profiles(session: Session, *, begins: date | None = None) -> list[Contract]:
    """Install or update every built-in profile; returns their contracts.

    A contract the user installed from their own file under a built-in code
    (e.g. a copy of ``portal-om.yaml`` with the real contract number) is
    theirs: it is returned as is and never overwritten by the built-in.
    Running this again with unchanged files changes nothing. With ``begins``,
    each contract new to the store whose period holds that day is installed with
    it as its 启用日期 (:func:`install_beginning`).
    """
    contracts: list[Contract] = []
    for profile in load_builtin_profiles():
        existing = session.scalar(select(Contract).where(Contract.code == profile.code))
        if existing is not None and not existing.builtin:
            contracts.append(existing)
        elif existing is None and begins and profile.period.start <= begins <= profile.period.end:
            contracts.append(install_beginning(session, profile, begins))
        else:
            contracts.append(install_profile(session, profile, builtin=True))
    return contracts


def install_profile_file(session: Session, path: str | Path) -> Contract:
    """Validate a user's profile file and install it (nothing is written if invalid).

    A contract of the same code is updated in place, and from then on counts
    as the user's own (not built-in), even if it started as a built-in. Its
    declared 启用日期 is kept when the file does not mention ``records_from``
    (see :func:`_keep_records_from`).
    """
    path = Path(path)
    data = read_profile_data(path)
    profile = validate_profile(data, path.name)
    return _install_own(session, _keep_records_from(session, data, profile, path.name))


#: A contract this many days past its start when a store begins or imports it is most likely
#: taken up mid-way: the window offers (first start) or points to (import) the 启用日期.
TAKEN_UP_MIDWAY_DAYS = 30


def under_way(start: date, end: date, today: date) -> bool:
    """Whether a contract of period ``start``–``end`` is well under way ``today``: a store
    beginning today would list its earlier months as missed and overdue."""
    return (today - start).days > TAKEN_UP_MIDWAY_DAYS and today <= end


def install_beginning(session: Session, profile: Profile, day: date) -> Contract:
    """Install a contract new to this store whose records here begin on ``day`` (启用日期).

    What the window's first start does for a contract well under way. The date is
    part of the profile the contract is installed with — version 1, no version row,
    as any first install — and the contract is the user's own (installing the
    built-ins again must not withdraw it). It is the same contract as the built-in
    one everywhere else (the date does not change its id:
    :func:`app.contracts.versions.contract_id`): while nothing is recorded under it
    here, the PM's first bundle brings the PM's
    date (:func:`app.team.merge.start_dates`), also in a store that has exchanged
    bundles before, where :func:`set_records_from` would publish a version.
    """
    if session.scalar(select(Contract.id).where(Contract.code == profile.code)) is not None:
        raise DomainError(f"合同 {profile.code} 已安装：启用日期请在「设置」中声明。")
    return _install_own(session, _with_records_from(profile, day, f"合同 {profile.code} 的档案"))


def set_records_from(session: Session, contract: Contract, day: date | None) -> Contract:
    """Declare (or, with ``None``, withdraw) the contract's 启用日期 (``period.records_from``).

    The current profile with that one field changed, validated as a loaded file is
    (a day outside the period is refused in Chinese, nothing written) and installed
    as the contract's next version, so it reaches the team in the next bundle. The
    contract counts as the user's own from then on, as after loading a file: the
    built-in profile installed again must not silently withdraw the declaration.

    A store that has not exchanged a bundle yet, its contract never changed, has no one
    to tell: the date becomes part of the profile the contract was installed with, as
    :func:`install_beginning` does (the first bundle carries it with the contract).
    Otherwise an engineer who declares it before importing the PM's first bundle would
    publish a version of their own, which would then apply to the whole team, instead of
    taking the PM's date with the PM's first bundle (:func:`app.team.merge.start_dates`).
    """
    profile = _with_records_from(profile_of(contract), day, f"合同 {contract.code} 的档案")
    if not _shared(session, contract):
        materialize(contract, [profile])
        contract.builtin = False
        session.flush()
        return contract
    return _install_own(session, profile)


def _shared(session: Session, contract: Contract) -> bool:
    """Whether the contract's profile may be known elsewhere: it has versions, or this store
    has exported or imported a bundle."""
    if session.scalar(select(TeamExchange.id).limit(1)) is not None:
        return True
    found = select(ContractProfileVersion.id).where(
        ContractProfileVersion.contract_id == contract.id
    )
    return session.scalar(found.limit(1)) is not None
