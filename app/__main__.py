"""``python -m app`` and the frozen programs (build.spec): the command line, or the window."""

import sys

# First of all: in the frozen build a client template's render process
# (app/export/isolation.py: multiprocessing's fork server on Linux, "spawn" elsewhere)
# re-runs this executable; freeze_support() runs the server or the child there and exits.
# A no-op otherwise, so that unfrozen runs spare the import (``omw due`` answers in a few
# tenths: issue 13).
if getattr(sys, "frozen", False):
    import multiprocessing

    multiprocessing.freeze_support()

from app.cli.main import run

run()
