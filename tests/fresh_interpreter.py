"""Code run in a fresh interpreter, and the modules it had loaded (issue 13's import tests).

What a command or the window imports can only be seen in a process that started
clean: the test process has loaded everything. :func:`run_fresh` runs ``code``
with the tests' environment rules (no ``OMW_*`` variable, never the OS keyring,
the file secret store, offscreen Qt) and reports ``sys.modules`` as the process
ends; code that leaves with ``os._exit`` calls ``report_modules()`` first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "\nMODULES:"
#: run first: the modules are written to stderr, after everything else, at the end
_PRELUDE = (
    "import atexit as _atexit, json as _json, sys as _sys\n"
    "def report_modules():\n"
    "    _sys.stdout.flush()\n"
    f"    _sys.stderr.write({MARK!r} + _json.dumps(sorted(_sys.modules)))\n"
    "    _sys.stderr.flush()\n"
    "_atexit.register(report_modules)\n"
)


@dataclass(frozen=True)
class FreshRun:
    returncode: int
    out: str
    errors: str  # stderr without the modules report
    modules: set[str]


def run_fresh(code: str) -> FreshRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMW_", "PYTHON_KEYRING"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # never the OS keyring
        OMW_SECRET_STORE="file",
        QT_QPA_PLATFORM="offscreen",
    )
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    errors, found, modules = done.stderr.rpartition(MARK)
    assert found, f"the process ended before reporting its modules:\n{done.stderr}"
    return FreshRun(done.returncode, done.stdout, errors, set(json.loads(modules)))
