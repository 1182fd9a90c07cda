"""The invented team, client contacts and callers of the demo, with their signature images."""

from __future__ import annotations

import functools
import hashlib
import random
from dataclasses import dataclass

from app.contracts.profile_schema import Profile
from app.demo.signature_png import scribble

NAME_POOL: tuple[str, ...] = (
    "陈思远",
    "刘晓峰",
    "王雨桐",
    "张志强",
    "李明轩",
    "赵静怡",
    "孙浩然",
    "周文博",
    "吴佳琪",
    "郑凯文",
    "黄子涵",
    "杨若溪",
    "徐俊杰",
    "胡晨阳",
    "郭子墨",
    "何思琪",
    "高鹏飞",
    "罗一鸣",
    "梁晓雯",
    "宋嘉禾",
)


CLIENT_NAMES: tuple[str, ...] = ("韩立群", "曹文静")


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    side: str = "vendor"
    contact: str = ""


@dataclass(frozen=True)
class Caller:
    unit: str
    names: tuple[str, ...]
    contact: str  # "" or an obviously fake 010-0000-xxxx number
    internal: bool  # a department of the client or a branch (on-site visits possible)
    weight: float


def fake_phone(n: int) -> str:
    """An obviously fake landline number (``010-0000-1234``)."""
    return f"010-0000-{n % 10000:04d}"


CALLERS: tuple[Caller, ...] = (
    Caller("办公室", ("王立新", "钱敏"), fake_phone(1101), True, 8),
    Caller("信息中心", ("韩冬", "曹颖", "沈涛"), fake_phone(1102), True, 12),
    Caller("政务服务处", ("冯敏", "丁佳"), fake_phone(1103), True, 9),
    Caller("审批管理处", ("吕强", "苏琳"), fake_phone(1104), True, 6),
    Caller("数据资源处", ("蒋毅", "邓洁"), fake_phone(1105), True, 5),
    Caller("某区分局", ("陆远", "姚倩"), fake_phone(1201), True, 9),
    Caller("某区政务服务中心", ("田野", "范蕾"), fake_phone(1202), True, 7),
    Caller("某街道便民服务中心", ("许峰", "谢红"), fake_phone(1203), True, 4),
    Caller("某某科技有限公司", ("方先生", "程女士"), fake_phone(2101), False, 6),
    Caller("某某软件有限公司", ("彭工",), fake_phone(2102), False, 3),
    Caller("某某测绘有限公司", ("袁工", "邱女士"), fake_phone(2103), False, 3),
    Caller("市民", ("刘先生", "陈女士", "张先生", "李女士"), "", False, 10),
)


def team_of(profile: Profile) -> list[Person]:
    """The vendor team of a profile's roles with invented names (stable per contract code)."""
    rng = random.Random(f"team|{profile.code}")
    pool = list(NAME_POOL)
    rng.shuffle(pool)
    people: list[Person] = []
    for role in profile.roles:
        for _ in range(role.count):
            if len(people) >= min(len(pool), 12):
                break
            n = len(people)
            people.append(Person(pool[n], role.name, "vendor", fake_phone(1001 + n)))
    return people


@functools.lru_cache(maxsize=64)
def signature_png(name: str) -> bytes:
    """The invented handwritten signature of ``name`` (same name, same image).

    Compressed at zlib level 6, not 9 as captured signatures are: 7× faster for a
    15 % larger image, a good part of a demo generation's time otherwise.
    """
    seed = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    return scribble(seed, level=6)
