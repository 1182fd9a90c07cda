"""Writing files so that a crash never leaves a truncated file at the final path.

Bytes go to a temporary file in the same folder, are flushed and fsync'ed,
then renamed over the target (``os.replace`` is atomic on one file system);
the folder is fsync'ed too where the platform allows it.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path


def temp_name(path: Path, tag: str = "tmp") -> Path:
    return path.with_name(f".{path.name}.{tag}-{uuid.uuid4().hex[:8]}")


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync:
        fsync_dir(path.parent)
