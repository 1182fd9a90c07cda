"""Compiled built-in templates kept on disk between processes, as Python keeps bytecode.

Compiling a Word template — docxtpl's preprocessing of each part, then Jinja's
parse and compile to Python code — takes ≈ 0.1 s for the three forms of a
month pack, in every process that exports (``omw export month``). What it makes
depends only on the text compiled and the code that compiles it, so it is kept
in the user's cache folder (:func:`app.storage.paths.cache_dir`), one file per
result, named by the SHA-256 of what made it: the kind of step, its fingerprint
(the versions of Python, Jinja, docxtpl and the app, the environment's settings
and the sandbox module's source) and the text. A changed template, library or
app compiles anew; the documents are still rendered from the data every time.

Only the built-in templates' compiling goes through here (they are trusted and
their compiled code is checked by the tests); a client's template is compiled
in its child process as before. Each file holds the SHA-256 of its content
before the content (``marshal``, like a ``.pyc``): a damaged or partly written
file is compiled again and rewritten. A cache folder that cannot be read or
written is not used. The bundled chart font's character map, which fontTools
reads in ≈ 40 ms, is kept the same way under the font file's SHA-256
(:func:`app.export.charts._bundled`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app import __version__
from app.storage import paths
from app.storage.atomic import atomic_write_bytes

T = TypeVar("T")
FOLDER = "compiled-templates"
_DIGEST = 32


def fingerprint(*parts: object) -> str:
    """A step's fingerprint: ``parts`` with the versions of Python and the app."""
    return repr((sys.version, __version__, *parts))


def source_digest(path: str | None, fallback: str) -> str:
    """The SHA-256 of a source file, or ``fallback`` (a version) where it cannot be read
    (a frozen build holds no sources)."""
    try:
        return hashlib.sha256(Path(path or "").read_bytes()).hexdigest()
    except OSError:
        return fallback


def package_file(package: str, name: str) -> str | None:
    """Where a file of an installed package is, found without importing the package."""
    spec = importlib.util.find_spec(package)
    origin = spec.origin if spec is not None else None
    return str(Path(origin).parent / name) if origin else None


def _path(step: str, text: str) -> Path:
    key = hashlib.sha256(f"{step}\0{text}".encode()).hexdigest()
    return paths.cache_dir() / FOLDER / f"{key}.bin"


def _read(path: Path) -> Any:
    try:
        body = path.read_bytes()
    except OSError:
        return None
    payload = body[_DIGEST:]
    if len(body) <= _DIGEST or hashlib.sha256(payload).digest() != body[:_DIGEST]:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def _write(path: Path, value: Any) -> None:
    try:
        payload = marshal.dumps(value)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, hashlib.sha256(payload).digest() + payload, sync=False)
    except (OSError, ValueError):
        pass  # no cache: compiled again next time


def cached(step: str, text: str, make: Callable[[], T], kind: type) -> T:
    """What ``make()`` compiles from ``text`` in ``step`` (a fingerprint), from the cache
    when it holds a value of ``kind``, else made and kept."""
    path = _path(step, text)
    found = _read(path)
    if isinstance(found, kind):
        return found  # type: ignore[return-value]
    made = make()
    _write(path, made)
    return made
