"""Which versions a void (作废) covers: walked along the amendment chains from the voids."""

from __future__ import annotations

from app.storage.void_chains import CHUNK, void_closure

#: record id → the version it amends: a ← b ← c and b ← c2 (two amendments of b), d alone,
#: e amends a record this store does not hold
VERSIONS: dict[str, str | None] = {
    "a": None,
    "b": "a",
    "c": "b",
    "c2": "b",
    "d": None,
    "e": "gone",
}


def _links(asked: list[list[str]]) -> object:
    def links(ids: list[str]) -> list[tuple[str, str | None]]:
        asked.append(ids)
        return [(i, up) for i, up in VERSIONS.items() if i in ids or up in ids]

    return links


def test_a_void_covers_every_version_of_its_record_and_nothing_else() -> None:
    asked: list[list[str]] = []
    assert void_closure({"c"}, _links(asked)) == {"a", "b", "c", "c2"}  # type: ignore[arg-type]
    assert void_closure({"d"}, _links(asked)) == {"d"}  # type: ignore[arg-type]
    assert void_closure({"e"}, _links(asked)) == {"e", "gone"}  # type: ignore[arg-type]


def test_a_void_of_a_record_the_store_does_not_hold_covers_nothing() -> None:
    asked: list[list[str]] = []
    assert void_closure({"gone", "nowhere"}, _links(asked)) == set()  # type: ignore[arg-type]


def test_the_store_is_asked_about_the_records_reached_a_chunk_at_a_time() -> None:
    asked: list[list[str]] = []
    named = {f"x{n}" for n in range(CHUNK + 1)} | {"b"}
    assert void_closure(named, _links(asked)) == {"a", "b", "c", "c2"}  # type: ignore[arg-type]
    assert max(len(ids) for ids in asked) == CHUNK
    assert all("d" not in ids for ids in asked)  # never read: no chain leads to it
