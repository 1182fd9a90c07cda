"""Text the services hand to the window as a Chinese template and its values.

The core's source language is Chinese, and records and exports keep it; a label
the window shows in the user's language (a period such as ``2026年11月``) is
built from :class:`Phrase` parts instead of a finished string, so the window can
translate the template and fill in the same values (``ui.wording.say``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Phrase:
    """``Phrase("{year}年{month}月", (("year", 2026), ("month", 11)))`` → ``2026年11月``.

    String values are names and dates (left as they are) or labels the window
    also knows how to translate.
    """

    template: str
    values: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return self.template.format(**dict(self.values))


def phrase(template: str, **values: Any) -> Phrase:
    return Phrase(template, tuple(values.items()))


def verbatim(text: str) -> Phrase:
    """Text that is not translated (a record number and title, a holiday's name)."""
    return Phrase("{text}", (("text", text),))


def text(parts: tuple[Phrase, ...]) -> str:
    """The Chinese text of ``parts``."""
    return "".join(str(p) for p in parts)
