"""The tokeniser of the search index: Chinese as characters and character pairs, words for the rest.

Text is NFKC-normalised (full-width ``ＮＧＩＮＸ５０２`` becomes ``nginx502``) and
lower-cased, then cut into runs:

- a run of CJK characters (Han, kana, Hangul) gives every **single character**
  (``unigrams``) and every **overlapping pair** (``bigrams``): 「磁盘空间」 →
  磁 盘 空 间 and 磁盘 盘空 空间. A 1-character query looks up a single character, a
  longer one the phrase of its consecutive pairs, so 「盘」, 「卡纸」 and
  「磁盘空间不足」 are all found wherever they occur as a substring;
- a run of letters (Latin, Greek, Cyrillic) is one **word**, a run of digits
  another (``http502`` → ``http`` ``502``), so 「502 错误」 finds 「HTTP502错误」; a
  query word matches words it begins (「ngin」 → nginx).

Why not a library: SQLite's ``trigram`` tokenizer finds nothing under three
characters; C tokenizers (``sqlite-cjk-fts``, jieba or lindera extensions) must be
built and loaded per platform and into SQLCipher's own SQLite, which the frozen
build and ``sqlcipher3`` do not allow; ``sqlitefts`` hooks the C API of one driver
through CFFI. jieba (a pure-Python word segmenter) loads a 5 MB dictionary in about
a second and cuts 「卡纸」-like words in ways a 1-character query cannot hit. This
module is one regular expression: about 0.5 µs per character on the 2-core machine, 1.6×
what NFKC, lower case and the one pass of the expression cost alone
(``bench/bench_search.py`` prints both).

The tokens go into the FTS5 table as space-separated words; every token is made of
letters and digits only, so FTS5's ``unicode61`` tokenizer splits them exactly there.
Changing what this module produces changes :data:`VERSION`, which makes the store
rebuild its index when next opened (:mod:`app.search.index`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Bump whenever the tokens of some text change: stores re-index themselves.
VERSION = 1

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han (extension A, unified, compatibility)
    "\uac00-\ud7af"  # Hangul syllables
    "\U00020000-\U0003134f"  # Han extensions B-G
)
#: Latin (without × ÷), Greek and Cyrillic letters; all are letters for FTS5's unicode61 too
_LETTERS = "a-z\u00df-\u00f6\u00f8-\u024f\u0391-\u03c9\u0400-\u0481\u048a-\u04ff"
_RUNS = re.compile(f"([{_CJK}]+)|([{_LETTERS}]+|[0-9]+)")
_LETTER = re.compile(f"[{_LETTERS}]")


@dataclass(frozen=True)
class Tokens:
    """The tokens of a text: single CJK characters, and CJK pairs plus words."""

    unigrams: tuple[str, ...]
    bigrams: tuple[str, ...]

    def columns(self) -> tuple[str, str]:
        """The two strings the FTS5 table stores for the text."""
        return " ".join(self.unigrams), " ".join(self.bigrams)


def normalise(text: str) -> str:
    """What the tokens are made from: NFKC, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[tuple[str, bool]]:
    """The runs of ``text`` in order: ``(run, is_cjk)``; punctuation and spaces separate them."""
    return [(m.group(0), m.group(1) is not None) for m in _RUNS.finditer(normalise(text))]


def continues_word(previous: str, term: str) -> bool:
    """Whether a normalised ``term`` right after the character ``previous`` would be inside a word.

    A letter after a letter, or a digit after a digit, is; 「http502」 has the words
    http and 502, 「超时nginx」 the word nginx.
    """
    if not previous or not term:
        return False
    if term[0].isdigit():
        return "0" <= previous <= "9"
    return bool(_LETTER.match(term[0]) and _LETTER.match(previous))


def pairs(run: str) -> list[str]:
    """The overlapping character pairs of a CJK run (none for a single character)."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokenize(text: str) -> Tokens:
    """The tokens of ``text`` for the index."""
    unigrams: list[str] = []
    bigrams: list[str] = []
    for run, cjk in runs(text):
        if cjk:
            unigrams.extend(run)
            bigrams.extend(pairs(run))
        else:
            bigrams.append(run)
    return Tokens(tuple(unigrams), tuple(bigrams))


@dataclass(frozen=True)
class Term:
    """One term of a query: a CJK run (matched as a substring) or a word (matched as a prefix)."""

    text: str
    cjk: bool


def query_terms(text: str) -> list[Term]:
    """The terms of a typed query, duplicates dropped, in order."""
    seen: dict[str, Term] = {}
    for run, cjk in runs(text):
        seen.setdefault(run, Term(run, cjk))
    return list(seen.values())
